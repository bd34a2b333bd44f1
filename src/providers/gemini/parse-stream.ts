// Gemini's streamGenerateContent (`alt=sse`) → OpenAI chat.completion.chunk SSE bytes plus
// observations. Each event is a partial answer: its text, thinking and whole function calls
// become deltas, and its usage (cumulative, repeated on every event) replaces the last. Gemini
// sends no end marker: the event with a finish reason ends the answer, and the client then gets
// the finish chunk, the usage chunk if it asked, and `[DONE]`. An error object, an event that is
// not JSON, or an end of input before a finish reason ends the stream with an error terminal.
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { describeErrorPayload } from '../kit/error-body.js';
import { upstreamError } from '../kit/errors.js';
import { createSseReader, type SseFrame } from '../kit/sse.js';
import { malformedEventError, streamTruncatedError } from '../kit/stream-errors.js';
import { TranslatedChatStream } from '../kit/translated-chat-stream.js';
import { answerParts, blockedPrompt, convertGeminiUsage, geminiFinishReason, toOpenAiUsageBody } from './convert-answer.js';
import { geminiAnswerSchema, type GeminiAnswer } from './gemini-schemas.js';

class GeminiStreamTransform extends TranslatedChatStream {
  protected readonly endMarker = 'an event with a finish reason';
  private readonly reader = createSseReader(geminiAnswerSchema);

  constructor(plan: CallPlan) {
    super(plan, false, toOpenAiUsageBody);
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
    const { text, thinking, calls } = answerParts(event, this.tools.size);
    const out = this.delta(text, thinking, calls);
    const finish = blockedPrompt(event) ? 'content_filter' : geminiFinishReason(event.candidates?.[0]?.finishReason, this.tools.size > 0);
    return finish === null ? out : out + this.closeWith(finish);
  }
}

export function createGeminiStreamTransform(plan: CallPlan): StreamTransform {
  return new GeminiStreamTransform(plan);
}
