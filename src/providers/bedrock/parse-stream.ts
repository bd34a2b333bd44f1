// Bedrock's ConverseStream (AWS's binary event stream) → OpenAI chat.completion.chunk SSE bytes
// plus observations. Text, reasoning and tool-call input arrive as block deltas; a reasoning
// block's signature closes it, and the block goes to the caller whole, signed, when it stops.
// messageStop gives the stop reason and the metadata event after it the usage, which ends the
// answer: then the finish chunk, the usage chunk if the client asked, and `[DONE]`. An exception
// message, a message that fails its checks, or an end of input before the metadata ends the
// stream with an error terminal.
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { upstreamError, type UpstreamErrorKind } from '../kit/errors.js';
import { parseJsonBytes } from '../kit/json-body.js';
import { malformedEventError } from '../kit/stream-errors.js';
import { TranslatedChatStream } from '../kit/translated-chat-stream.js';
import { streamEventSchema, type BedrockStreamEvent } from './bedrock-schemas.js';
import { bedrockFinishReason, convertBedrockUsage, toOpenAiUsageBody } from './convert-answer.js';
import { EventStreamReader, type EventMessage } from './event-stream.js';

/** Bedrock's stream exceptions, as the gateway classes failures. */
const EXCEPTIONS: Readonly<Record<string, UpstreamErrorKind>> = {
  throttlingException: 'rate_limited',
  serviceUnavailableException: 'server_error',
  internalServerException: 'server_error',
  modelStreamErrorException: 'server_error',
  validationException: 'bad_request',
};

class BedrockStreamTransform extends TranslatedChatStream {
  protected readonly endMarker = 'the metadata event';
  private readonly reader = new EventStreamReader();
  /** Bedrock content block index → OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  private reasoning: { text: string; signature: string } | null = null;
  private stopReason: string | null = null;

  constructor(plan: CallPlan) {
    super(plan, false, toOpenAiUsageBody);
  }

  protected consume(bytes: Uint8Array): Uint8Array {
    let out = '';
    for (const read of this.reader.push(bytes)) {
      if (this.ended) break;
      if (read.type === 'error') this.fail(malformedEventError(read.message));
      else out += this.translate(read.message);
    }
    return encodeUtf8(out);
  }

  protected flush(): Uint8Array {
    // An unfinished message at the end is a cut stream: the base class reports it as truncated.
    return new Uint8Array(0);
  }

  private translate(message: EventMessage): string {
    const body = parseJsonBytes(message.body);
    if (message.headers[':message-type'] === 'exception' || message.headers[':message-type'] === 'error') {
      const type = message.headers[':exception-type'] ?? message.headers[':error-code'] ?? 'exception';
      const text = typeof (body as { message?: unknown } | null)?.message === 'string' ? (body as { message: string }).message : `Bedrock stopped the stream with ${type}`;
      this.fail(upstreamError(EXCEPTIONS[type] ?? 'server_error', { message: text, code: type }));
      return '';
    }
    const parsed = streamEventSchema.safeParse(body);
    if (!parsed.success) {
      this.fail(malformedEventError(`a ${message.headers[':event-type'] ?? 'stream'} event that is not the JSON Bedrock sends`));
      return '';
    }
    return this.event(message.headers[':event-type'] ?? '', parsed.data);
  }

  private event(type: string, event: BedrockStreamEvent): string {
    const block = event.contentBlockIndex ?? 0;
    switch (type) {
      case 'contentBlockStart': {
        const tool = event.start?.toolUse;
        if (!tool) return '';
        const index = this.toolIndex.size;
        this.toolIndex.set(block, index);
        return this.delta('', '', [{ index, id: tool.toolUseId ?? `call_${index}`, type: 'function', function: { name: tool.name ?? '', arguments: '' } }]);
      }
      case 'contentBlockDelta':
        return this.blockDelta(block, event);
      case 'contentBlockStop':
        return this.closeReasoning();
      case 'messageStop':
        this.stopReason = event.stopReason ?? null;
        return this.closeReasoning();
      case 'metadata': {
        const usage = convertBedrockUsage(event.usage);
        if (usage) this.observations.usage = usage;
        const finish = bedrockFinishReason(this.stopReason);
        return this.closeReasoning() + this.closeWith(this.toolIndex.size > 0 && finish === 'stop' ? 'tool_calls' : finish);
      }
      default:
        // messageStart and event types added later carry nothing to forward.
        return '';
    }
  }

  private blockDelta(block: number, event: BedrockStreamEvent): string {
    const delta = event.delta;
    if (typeof delta?.text === 'string') return this.delta(delta.text, '', []);
    const input = delta?.toolUse?.input;
    if (typeof input === 'string') return this.toolArguments(this.toolIndex.get(block) ?? 0, input);
    const reasoning = delta?.reasoningContent;
    if (!reasoning) return '';
    if (typeof reasoning.redactedContent === 'string') return this.thinkingBlocks([{ type: 'redacted_thinking', data: reasoning.redactedContent }]);
    this.reasoning ??= { text: '', signature: '' };
    this.reasoning.signature += reasoning.signature ?? '';
    this.reasoning.text += reasoning.text ?? '';
    return this.delta('', reasoning.text ?? '', []);
  }

  /** A reasoning block that ended goes to the caller whole, with its signature. */
  private closeReasoning(): string {
    const open = this.reasoning;
    if (!open) return '';
    this.reasoning = null;
    return this.thinkingBlocks([{ type: 'thinking', thinking: open.text, signature: open.signature }]);
  }
}

export function createBedrockStreamTransform(plan: CallPlan): StreamTransform {
  return new BedrockStreamTransform(plan);
}
