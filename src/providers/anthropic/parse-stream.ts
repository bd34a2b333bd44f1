// Anthropic stream events → OpenAI chat.completion.chunk SSE bytes plus observations (or the
// events as sent, for a client of the Messages API).
// Thinking streams as reasoning_content deltas, and each thinking block again whole, with its
// signature, in a delta's thinking_blocks when the block ends (the caller sends it back so that
// Claude can go on after a tool call).
// message_start carries input, cache-read and cache-write counts; message_delta carries the
// cumulative output count and the stop reason; message_stop ends the stream (with a usage
// chunk only for a client that asked). `error` events and malformed events end it with an
// error terminal, and so does an end of input before message_stop.
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { BaseStreamTransform } from '../kit/base-stream-transform.js';
import { concatBytes, encodeUtf8 } from '../kit/bytes.js';
import { ToolCallAssembler } from '../kit/observations.js';
import { createSseReader, type SseFrame } from '../kit/sse.js';
import { malformedEventError, streamTruncatedError } from '../kit/stream-errors.js';
import { streamEventSchema, type AnthropicStreamEvent } from './anthropic-schemas.js';
import { convertAnthropicUsage, mergeAnthropicUsage, toOpenAiUsageBody, type AnthropicUsage } from './convert-usage.js';
import { anthropicStreamError } from './errors.js';
import { thinkingBlock } from './from-upstream.js';
import { mapStopReason } from './map-finish-reason.js';

type Json = Record<string, unknown>;

class AnthropicStreamTransform extends BaseStreamTransform {
  protected readonly endMarker = 'message_stop';
  private readonly reader = createSseReader(streamEventSchema);
  private readonly tools = new ToolCallAssembler();
  /** Anthropic content block index → OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  private usage: AnthropicUsage = {};
  /** The thinking block being streamed: sent whole, with its signature, when it ends. */
  private thinking: { index: number; thinking: string; signature: string } | null = null;

  /** A client of the Messages API gets the events as Anthropic sent them. */
  private readonly relays: boolean;

  constructor(private readonly plan: CallPlan) {
    super(false);
    this.relays = plan.endpoint === 'messages';
  }

  protected consume(bytes: Uint8Array): Uint8Array {
    return this.translateFrames(this.reader.push(bytes));
  }

  protected flush(): Uint8Array {
    return this.translateFrames(this.reader.end());
  }

  private translateFrames(frames: SseFrame<AnthropicStreamEvent>[]): Uint8Array {
    let out = '';
    const relayed: Uint8Array[] = [];
    for (const frame of frames) {
      if (this.ended) break;
      for (const part of frame.parts) {
        if (this.ended) break;
        if (part.type === 'value') out += this.translate(part.value);
        else if (part.type === 'error' && part.reason !== 'field') {
          this.fail(frame.complete ? malformedEventError(part.message) : streamTruncatedError('the end of an event'));
        }
      }
      // An event that failed the stream (the upstream's error event, a broken one) is not
      // relayed, nor an unterminated tail: the gateway writes the one terminal error event.
      if (this.relays && frame.complete && this.observations.terminal?.kind !== 'error') relayed.push(frame.bytes);
    }
    return this.relays ? concatBytes(relayed) : encodeUtf8(out);
  }

  private chunk(fields: Json): string {
    const { responseId, responseModel } = this.observations;
    return `data: ${JSON.stringify({ id: responseId ?? this.plan.id, object: 'chat.completion.chunk', created: this.plan.created, model: responseModel ?? this.plan.model, ...fields })}\n\n`;
  }

  private delta(content: Json, finish: string | null = null): string {
    return this.chunk({ choices: [{ index: 0, delta: content, logprobs: null, finish_reason: finish }] });
  }

  private translate(event: AnthropicStreamEvent): string {
    switch (event.type) {
      case 'message_start':
        this.observations.responseId = event.message?.id ?? this.observations.responseId;
        this.observations.responseModel = event.message?.model ?? this.observations.responseModel;
        this.updateUsage(event.message?.usage);
        return this.delta({ role: 'assistant', content: '' });
      case 'content_block_start':
        return this.startBlock(event);
      case 'content_block_delta':
        return this.blockDelta(event);
      case 'message_delta':
        this.updateUsage(event.usage);
        this.observations.finishReason = mapStopReason(event.delta?.stop_reason) ?? this.observations.finishReason;
        return this.delta({}, this.observations.finishReason);
      case 'message_stop':
        return this.stop();
      case 'error':
        // Not forwarded: the gateway writes one terminal error event for every kind of failure.
        this.fail(anthropicStreamError(event.error?.type, event.error?.message));
        return '';
      case 'content_block_stop':
        return this.stopBlock(event);
      default:
        // ping and event types added later carry nothing to forward.
        return '';
    }
  }

  private updateUsage(next: AnthropicUsage | undefined): void {
    this.usage = mergeAnthropicUsage(this.usage, next);
    this.observations.usage = convertAnthropicUsage(this.usage);
    this.observations.usageSource = 'provider';
  }

  private startBlock(event: AnthropicStreamEvent): string {
    const block = event.content_block;
    if (block?.type === 'thinking') {
      this.thinking = { index: event.index ?? 0, thinking: block.thinking ?? '', signature: block.signature ?? '' };
      return '';
    }
    if (block?.type === 'redacted_thinking') return this.delta({ thinking_blocks: [thinkingBlock(block)] });
    if (block?.type !== 'tool_use') return '';
    const index = this.toolIndex.size;
    this.toolIndex.set(event.index ?? 0, index);
    this.tools.add(String(index), block.id, block.name, '');
    this.observations.toolCalls = this.tools.list;
    this.observations.toolCallsCount = this.tools.size;
    this.observations.completionText += block.name ?? '';
    this.generated('', 1);
    return this.delta({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] });
  }

  private blockDelta(event: AnthropicStreamEvent): string {
    const change = event.delta;
    const observations = this.observations;
    if (change?.type === 'text_delta' && change.text) {
      observations.content += change.text;
      observations.completionText += change.text;
      this.generated(change.text);
      return this.delta({ content: change.text });
    }
    if (change?.type === 'signature_delta' && change.signature && this.thinking) {
      this.thinking.signature += change.signature;
      return '';
    }
    if (change?.type === 'thinking_delta' && change.thinking) {
      if (this.thinking) this.thinking.thinking += change.thinking;
      observations.reasoning += change.thinking;
      observations.completionText += change.thinking;
      this.generated(change.thinking);
      return this.delta({ reasoning_content: change.thinking });
    }
    if (change?.type === 'input_json_delta' && change.partial_json) {
      const index = this.toolIndex.get(event.index ?? 0) ?? 0;
      this.tools.add(String(index), null, null, change.partial_json);
      observations.toolCalls = this.tools.list;
      observations.completionText += change.partial_json;
      return this.delta({ tool_calls: [{ index, function: { arguments: change.partial_json } }] });
    }
    return '';
  }

  /** A thinking block ends: the caller gets it whole, signed, to send back with its next turn. */
  private stopBlock(event: AnthropicStreamEvent): string {
    const open = this.thinking;
    if (!open || open.index !== (event.index ?? 0)) return '';
    this.thinking = null;
    return this.delta({ thinking_blocks: [{ type: 'thinking', thinking: open.thinking, signature: open.signature }] });
  }

  private stop(): string {
    const usage = this.observations.usage;
    this.observations.usageComplete = usage !== null;
    this.finish({ kind: 'done' });
    const usageChunk = this.plan.clientWantsUsage && usage ? this.chunk({ choices: [], usage: toOpenAiUsageBody(usage) }) : '';
    return `${usageChunk}data: [DONE]\n\n`;
  }
}

export function createAnthropicStreamTransform(plan: CallPlan): StreamTransform {
  return new AnthropicStreamTransform(plan);
}
