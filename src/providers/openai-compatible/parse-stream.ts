// Watches an OpenAI-format SSE stream on its way to the client. Events are forwarded as the
// exact bytes received (parsing works on a copy); the only event removed is the usage-only
// chunk that Loupe itself asked for (a client of the Messages API gets Anthropic's events written
// from the chunks instead). Malformed events and in-stream errors end the stream
// with an error terminal; so does an end of input without finish_reason or [DONE].
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { BaseStreamTransform } from '../kit/base-stream-transform.js';
import { concatBytes, encodeUtf8 } from '../kit/bytes.js';
import { describeErrorPayload } from '../kit/error-body.js';
import { upstreamError, type UpstreamError } from '../kit/errors.js';
import { ToolCallAssembler } from '../kit/observations.js';
import { createSseReader, type SseFrame } from '../kit/sse.js';
import { malformedEventError, streamTruncatedError } from '../kit/stream-errors.js';
import { AnthropicEventWriter } from './chat-to-messages.js';
import { convertOpenAiUsage } from './convert-usage.js';
import { chatChunkSchema, type ChatChunk } from './openai-schemas.js';

type Choice = NonNullable<ChatChunk['choices']>[number];

/** An error object the upstream put inside the stream (OpenRouter does on mid-stream failures). */
export function inStreamError(payload: unknown): UpstreamError {
  const details = describeErrorPayload(payload, 200);
  const code = details.code ?? details.type;
  const kind = code !== null && /rate.?limit|429/i.test(code) ? 'rate_limited' : 'server_error';
  return upstreamError(kind, { message: details.message, code });
}

class OpenAiStreamTransform extends BaseStreamTransform {
  protected readonly endMarker = 'a finish_reason or [DONE]';
  private readonly reader = createSseReader(chatChunkSchema);
  private readonly tools = new ToolCallAssembler();
  /** A client of the Messages API gets Anthropic's events, written from the chunks. */
  private readonly writer: AnthropicEventWriter | null;
  private written = '';

  constructor(private readonly plan: CallPlan) {
    super(false);
    this.writer = plan.endpoint === 'messages' ? new AnthropicEventWriter(plan) : null;
  }

  protected consume(bytes: Uint8Array): Uint8Array {
    return this.forwardFrames(this.reader.push(bytes));
  }

  protected flush(): Uint8Array {
    const forward = this.forwardFrames(this.reader.end());
    // Finished without [DONE] (endedWithoutMarkerIsComplete): the events still close.
    if (!this.writer || this.ended || this.observations.finishReason === null) return forward;
    return concatBytes([forward, encodeUtf8(this.closeMessage())]);
  }

  private closeMessage(): string {
    return this.writer!.end(this.observations.finishReason, this.observations.usage, this.observations.responseModel);
  }

  /** Some servers (older LocalAI, llama.cpp) finish without [DONE]: a finish_reason suffices. */
  protected override endedWithoutMarkerIsComplete(): boolean {
    return this.observations.finishReason !== null;
  }

  private forwardFrames(frames: SseFrame<ChatChunk>[]): Uint8Array {
    const forward: Uint8Array[] = [];
    for (const frame of frames) {
      if (this.ended) break;
      if (this.readFrame(frame) && !this.writer) forward.push(frame.bytes);
    }
    if (!this.writer) return concatBytes(forward);
    const written = this.written;
    this.written = '';
    return encodeUtf8(written);
  }

  /** Reads one event; returns whether its bytes go to the client. */
  private readFrame(frame: SseFrame<ChatChunk>): boolean {
    let forward = true;
    for (const part of frame.parts) {
      if (part.type === 'done') {
        if (this.observations.usage !== null) this.observations.usageComplete = true;
        if (this.writer) this.written += this.closeMessage();
        this.finish({ kind: 'done' });
      } else if (part.type === 'error') {
        // Unknown field lines are ignored by the SSE spec (and by clients); anything else is broken.
        if (part.reason !== 'field') this.fail(frame.complete ? malformedEventError(part.message) : streamTruncatedError('the end of an event'));
      } else if (part.value.error !== undefined && part.value.error !== null) {
        // Not forwarded: the gateway writes one terminal error event for every kind of failure.
        this.fail(inStreamError(part.value));
      } else {
        forward = this.observeChunk(part.value) && forward;
        if (this.writer) this.written += this.writer.chunk(part.value);
      }
      if (this.observations.terminal?.kind === 'error') return false;
    }
    return forward;
  }

  /** Returns false for the usage-only chunk that Loupe asked for and the client did not. */
  private observeChunk(chunk: ChatChunk): boolean {
    const observations = this.observations;
    if (chunk.id && observations.responseId === null) observations.responseId = chunk.id;
    if (chunk.model) observations.responseModel = chunk.model;
    const choices = chunk.choices ?? [];
    let finished = false;
    for (const [position, choice] of choices.entries()) finished = this.observeChoice(choice, choice.index ?? position) || finished;
    if (chunk.usage) {
      // Cumulative usage repeated on every chunk: the last report is the total, never a sum.
      observations.usage = convertOpenAiUsage(chunk.usage);
      observations.usageSource = 'provider';
      observations.usageComplete = choices.length === 0 || finished;
    }
    return !(choices.length === 0 && Boolean(chunk.usage) && this.plan.stripUsageChunk);
  }

  /** Returns whether this choice finished. */
  private observeChoice(choice: Choice, index: number): boolean {
    const observations = this.observations;
    const delta = choice.delta;
    const text = `${delta?.content ?? ''}${choice.text ?? ''}`;
    const reasoning = delta?.reasoning_content ?? delta?.reasoning ?? '';
    const calls = delta?.tool_calls ?? [];
    observations.content += text;
    observations.reasoning += reasoning;
    observations.completionText += text + reasoning;
    for (const call of calls) {
      this.tools.add(`${index}:${call.index ?? 0}`, call.id, call.function?.name, call.function?.arguments);
      observations.completionText += `${call.function?.name ?? ''}${call.function?.arguments ?? ''}`;
    }
    if (calls.length > 0) {
      observations.toolCalls = this.tools.list;
      observations.toolCallsCount = this.tools.size;
    }
    this.generated(text + reasoning, calls.length);
    if (choice.finish_reason) observations.finishReason = choice.finish_reason;
    return Boolean(choice.finish_reason);
  }
}

export function createOpenAiStreamTransform(plan: CallPlan): StreamTransform {
  return new OpenAiStreamTransform(plan);
}
