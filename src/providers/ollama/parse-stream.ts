// Ollama's native NDJSON stream → OpenAI chat.completion.chunk SSE bytes plus observations:
// content, thinking and tool calls as deltas; the `done` line gives the finish reason, the
// counts and the timings. An `error` line, a line that is not JSON, or an end of input
// before `done` ends the stream with an error terminal.
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { BaseStreamTransform } from '../kit/base-stream-transform.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { upstreamError } from '../kit/errors.js';
import { createNdjsonReader, type NdjsonPart } from '../kit/ndjson.js';
import { ToolCallAssembler } from '../kit/observations.js';
import { malformedEventError } from '../kit/stream-errors.js';
import { convertOllamaUsage, ollamaFinishReason, ollamaTimings, openAiToolCalls, toOpenAiUsageBody } from './convert-answer.js';
import { ollamaChatSchema, type OllamaChat } from './ollama-schemas.js';

type Json = Record<string, unknown>;

class OllamaStreamTransform extends BaseStreamTransform {
  protected readonly endMarker = 'the final `done` line';
  private readonly reader = createNdjsonReader(ollamaChatSchema);
  private readonly tools = new ToolCallAssembler();
  private started = false;

  constructor(private readonly plan: CallPlan) {
    super(true);
    this.observations.responseId = plan.id;
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

  private chunk(fields: Json): string {
    return `data: ${JSON.stringify({ id: this.plan.id, object: 'chat.completion.chunk', created: this.plan.created, model: this.observations.responseModel ?? this.plan.model, ...fields })}\n\n`;
  }

  private choice(delta: Json, finish: string | null): string {
    return this.chunk({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  }

  private translate(line: OllamaChat): string {
    if (line.error) {
      this.fail(upstreamError('server_error', { message: line.error, code: 'ollama_error' }));
      return '';
    }
    if (line.model) this.observations.responseModel = line.model;
    const delta = this.observeDelta(line);
    const out = Object.keys(delta).length > 0 ? this.choice(delta, null) : '';
    return line.done === true ? out + this.done(line) : out;
  }

  private observeDelta(line: OllamaChat): Json {
    const observations = this.observations;
    const delta: Json = this.started ? {} : { role: 'assistant' };
    this.started = true;
    const content = line.message?.content ?? '';
    const thinking = line.message?.thinking ?? '';
    const calls = openAiToolCalls(line, this.tools.size);
    if (content !== '') delta.content = content;
    if (thinking !== '') delta.reasoning_content = thinking;
    if (calls.length > 0) delta.tool_calls = calls;
    for (const call of calls) {
      this.tools.add(String(call.index), call.id, call.function.name, call.function.arguments);
      observations.completionText += call.function.name + call.function.arguments;
    }
    observations.toolCalls = this.tools.list;
    observations.toolCallsCount = this.tools.size;
    observations.content += content;
    observations.reasoning += thinking;
    observations.completionText += content + thinking;
    this.generated(content + thinking, calls.length);
    return delta;
  }

  private done(line: OllamaChat): string {
    const observations = this.observations;
    observations.finishReason = ollamaFinishReason(line, this.tools.size > 0);
    observations.usage = convertOllamaUsage(line);
    observations.usageComplete = observations.usage !== null;
    observations.usageSource = observations.usage !== null ? 'provider' : 'estimated';
    observations.timings = ollamaTimings(line);
    this.finish({ kind: 'done' });
    const usage = this.plan.clientWantsUsage && observations.usage ? this.chunk({ choices: [], usage: toOpenAiUsageBody(observations.usage) }) : '';
    return `${this.choice({}, observations.finishReason)}${usage}data: [DONE]\n\n`;
  }
}

export function createOllamaStreamTransform(plan: CallPlan): StreamTransform {
  return new OllamaStreamTransform(plan);
}
