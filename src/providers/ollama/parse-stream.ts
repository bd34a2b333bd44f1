// Ollama's native NDJSON stream → OpenAI chat.completion.chunk SSE bytes plus observations:
// content, thinking and tool calls as deltas; the `done` line gives the finish reason, the
// counts and the timings. An `error` line, a line that is not JSON, or an end of input
// before `done` ends the stream with an error terminal.
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { upstreamError } from '../kit/errors.js';
import { createNdjsonReader, type NdjsonPart } from '../kit/ndjson.js';
import { malformedEventError } from '../kit/stream-errors.js';
import { TranslatedChatStream } from '../kit/translated-chat-stream.js';
import { convertOllamaUsage, ollamaFinishReason, ollamaTimings, openAiToolCalls, toOpenAiUsageBody } from './convert-answer.js';
import { ollamaChatSchema, type OllamaChat } from './ollama-schemas.js';

class OllamaStreamTransform extends TranslatedChatStream {
  protected readonly endMarker = 'the final `done` line';
  private readonly reader = createNdjsonReader(ollamaChatSchema);

  constructor(plan: CallPlan) {
    super(plan, true, toOpenAiUsageBody);
  }

  protected consume(bytes: Uint8Array): Uint8Array {
    return this.translateLines(this.reader.push(bytes));
  }

  protected flush(): Uint8Array {
    return this.translateLines(this.reader.end());
  }

  private translateLines(parts: NdjsonPart<OllamaChat>[]): Uint8Array {
    let out = '';
    for (const part of parts) {
      if (this.ended) break;
      if (part.type === 'value') out += this.translate(part.value);
      else this.fail(malformedEventError(part.message));
    }
    return encodeUtf8(out);
  }

  private translate(line: OllamaChat): string {
    if (line.error) {
      this.fail(upstreamError('server_error', { message: line.error, code: 'ollama_error' }));
      return '';
    }
    if (line.model) this.observations.responseModel = line.model;
    const out = this.delta(line.message?.content ?? '', line.message?.thinking ?? '', openAiToolCalls(line, this.tools.size));
    if (line.done !== true) return out;
    this.observations.usage = convertOllamaUsage(line);
    this.observations.timings = ollamaTimings(line);
    return out + this.closeWith(ollamaFinishReason(line, this.tools.size > 0));
  }
}

export function createOllamaStreamTransform(plan: CallPlan): StreamTransform {
  return new OllamaStreamTransform(plan);
}
