// Gemini's streamGenerateContent (`alt=sse`) → OpenAI chat.completion.chunk SSE bytes plus
// observations. Each event is a partial answer: its text, thinking and whole function calls
// become deltas, and its usage (cumulative, repeated on every event) replaces the last. Gemini
// sends no end marker: the event with a finish reason ends the answer, and the client then gets
// the finish chunk, the usage chunk if it asked, and `[DONE]`. An error object, an event that is
// not JSON, or an end of input before a finish reason ends the stream with an error terminal.
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { BaseStreamTransform } from '../kit/base-stream-transform.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { describeErrorPayload } from '../kit/error-body.js';
import { upstreamError } from '../kit/errors.js';
import { ToolCallAssembler } from '../kit/observations.js';
import { createSseReader, type SseFrame } from '../kit/sse.js';
import { malformedEventError, streamTruncatedError } from '../kit/stream-errors.js';
import { answerParts, blockedPrompt, convertGeminiUsage, geminiFinishReason, toOpenAiUsageBody } from './convert-answer.js';
import { geminiAnswerSchema, type GeminiAnswer } from './gemini-schemas.js';

type Json = Record<string, unknown>;

class GeminiStreamTransform extends BaseStreamTransform {
  protected readonly endMarker = 'an event with a finish reason';
  private readonly reader = createSseReader(geminiAnswerSchema);
  private readonly tools = new ToolCallAssembler();
  private started = false;

  constructor(private readonly plan: CallPlan) {
    super(true);
    this.observations.responseId = plan.id;
  }

  protected consume(bytes: Uint8Array): Uint8Array {
    return this.translateFrames(this.reader.push(bytes));
  }

  protected flush(): Uint8Array {
    return this.translateFrames(this.reader.end());
  }

  private translateFrames(frames: SseFrame<GeminiAnswer>[]): Uint8Array {
    let out = '';
    for (const frame of frames) {
      for (const part of frame.parts) {
        if (this.ended) break;
        if (part.type === 'value') out += this.translate(part.value);
        else if (part.type === 'error' && part.reason !== 'field') this.fail(frame.complete ? malformedEventError(part.message) : streamTruncatedError('the end of an event'));
      }
    }
    return encodeUtf8(out);
  }

  private chunk(fields: Json): string {
    return `data: ${JSON.stringify({ id: this.plan.id, object: 'chat.completion.chunk', created: this.plan.created, model: this.observations.responseModel ?? this.plan.model, ...fields })}\n\n`;
  }

  private choice(delta: Json, finish: string | null): string {
    return this.chunk({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  }

  private translate(event: GeminiAnswer): string {
    if (event.error !== undefined && event.error !== null) {
      const details = describeErrorPayload(event, 200);
      this.fail(upstreamError(/RESOURCE_EXHAUSTED|429/.test(`${details.code} ${details.message}`) ? 'rate_limited' : 'server_error', { message: details.message, code: details.code }));
      return '';
    }
    if (event.modelVersion) this.observations.responseModel = event.modelVersion;
    const usage = convertGeminiUsage(event.usageMetadata);
    if (usage) {
      this.observations.usage = usage;
      this.observations.usageSource = 'provider';
    }
    const delta = this.observeDelta(event);
    const out = Object.keys(delta).length > 0 ? this.choice(delta, null) : '';
    const blocked = blockedPrompt(event);
    const finish = blocked ? 'content_filter' : geminiFinishReason(event.candidates?.[0]?.finishReason, this.tools.size > 0);
    return finish === null ? out : out + this.done(finish);
  }

  private observeDelta(event: GeminiAnswer): Json {
    const observations = this.observations;
    const { text, thinking, calls } = answerParts(event, this.tools.size);
    const delta: Json = this.started ? {} : { role: 'assistant' };
    this.started = true;
    if (text !== '') delta.content = text;
    if (thinking !== '') delta.reasoning_content = thinking;
    if (calls.length > 0) delta.tool_calls = calls;
    for (const call of calls) {
      this.tools.add(String(call.index), call.id, call.function.name, call.function.arguments);
      observations.completionText += call.function.name + call.function.arguments;
    }
    observations.toolCalls = this.tools.list;
    observations.toolCallsCount = this.tools.size;
    observations.content += text;
    observations.reasoning += thinking;
    observations.completionText += text + thinking;
    this.generated(text + thinking, calls.length);
    return delta;
  }

  private done(finish: string): string {
    const observations = this.observations;
    observations.finishReason = finish;
    observations.usageComplete = observations.usage !== null;
    this.finish({ kind: 'done' });
    const usage = this.plan.clientWantsUsage && observations.usage ? this.chunk({ choices: [], usage: toOpenAiUsageBody(observations.usage) }) : '';
    return `${this.choice({}, finish)}${usage}data: [DONE]\n\n`;
  }
}

export function createGeminiStreamTransform(plan: CallPlan): StreamTransform {
  return new GeminiStreamTransform(plan);
}
