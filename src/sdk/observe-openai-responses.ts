// Records the Responses API calls of an OpenAI client (`client.responses.create`, and the
// `responses.stream()` helper, which calls it): usage and the answer from the response object,
// or for a stream from its response.completed event, with the time to its first delta. The
// accounting is the gateway's (providers/openai-compatible/responses-answer.ts).
import { asChatMessage, completionTextOf, convertResponsesUsage, readOutputItems, responsesConversation, responsesFinishReason } from '../providers/openai-compatible/responses-answer.js';
import { responseObjectSchema, type ResponseObject } from '../providers/openai-compatible/responses-schemas.js';
import { countO200k } from '../pricing/token-count.js';
import type { CallInput, LoupeClient } from './loupe-client.js';
import { failureOf, isObject, observeAnswer, observeStream, unansweredUsage, type Json } from './observed-call.js';

export interface Creatable {
  create(body: Record<string, unknown>, options?: unknown): PromiseLike<unknown>;
}

/** The record's fields for a finished response object. */
function answerFields(response: ResponseObject, conversation: unknown[]): Partial<CallInput> {
  const output = readOutputItems(response.output ?? []);
  const usage = response.usage ? convertResponsesUsage(response.usage) : null;
  const counts: Partial<CallInput> = usage
    ? { prompt_tokens: usage.input.total, cached_tokens: usage.input.cacheRead, completion_tokens: usage.output.total, reasoning_tokens: usage.output.reasoning, usage_source: 'provider' }
    : { prompt_tokens: countO200k(JSON.stringify(conversation)), completion_tokens: countO200k(completionTextOf(output)), usage_source: 'estimated' };
  return {
    response_model: response.model ?? null, finish_reason: responsesFinishReason(response, output.toolCalls.length),
    tool_calls_count: output.toolCalls.length, output: asChatMessage(output), ...counts,
  };
}

/** What a stream showed before it ended: its first delta, its text so far, and how it ended. */
class StreamedResponse {
  firstDeltaAt: number | null = null;
  content = '';
  final: ResponseObject | null = null;
  failedWith: string | null = null;

  take(event: unknown): void {
    if (!isObject(event) || typeof event.type !== 'string') return;
    if (event.type.endsWith('.delta')) this.firstDeltaAt ??= performance.now();
    if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') this.content += event.delta;
    if (event.type === 'response.completed' || event.type === 'response.incomplete' || event.type === 'response.failed') {
      const parsed = responseObjectSchema.safeParse(event.response);
      if (parsed.success) this.final = parsed.data;
      if (event.type === 'response.failed') this.failedWith = parsed.success ? parsed.data.error?.message ?? 'the response failed' : 'the response failed';
    }
  }
}

export function observeResponses(responses: Creatable, loupe: LoupeClient, base: (body: Json, endpoint: string, startedAt: number) => CallInput): void {
  const create = responses.create.bind(responses);
  responses.create = (body: Json, requestOptions?: unknown) => {
    const start = performance.now();
    const streaming = body.stream === true;
    const call = base(body, '/v1/responses', Date.now());
    const conversation = responsesConversation(body);
    const failed = (error: unknown) => loupe.record({ ...call, is_streaming: streaming, latency_ms: performance.now() - start, input: conversation, ...failureOf(error), ...unansweredUsage() });
    return observeAnswer(create(body, requestOptions), (result) => {
      if (!streaming) {
        const parsed = responseObjectSchema.safeParse(result);
        if (parsed.success) loupe.record({ ...call, is_streaming: false, latency_ms: performance.now() - start, status: 'success', http_status: 200, input: conversation, ...answerFields(parsed.data, conversation) });
        return result;
      }
      const seen = new StreamedResponse();
      return observeStream(result as object, (event) => {
        seen.take(event);
        return true;
      }, (failure) => {
        const latency = performance.now() - start;
        const ttft = seen.firstDeltaAt === null ? null : seen.firstDeltaAt - start;
        const fields = seen.final && seen.failedWith === null
          ? answerFields(seen.final, conversation)
          : { output: { role: 'assistant', content: seen.content }, prompt_tokens: countO200k(JSON.stringify(conversation)), completion_tokens: countO200k(seen.content), usage_source: 'estimated' as const };
        const ended = failure !== null ? failureOf(failure)
          : seen.failedWith !== null ? { status: 'error' as const, error_type: 'response_failed', error_message: seen.failedWith }
          : seen.final === null ? { status: 'cancelled' as const } : { status: 'success' as const, http_status: 200 };
        const generationMs = ttft === null ? 0 : latency - ttft;
        const completion = fields.completion_tokens ?? 0;
        loupe.record({
          ...call, is_streaming: true, latency_ms: latency, ttft_ms: ttft, input: conversation, ...fields, ...ended,
          tokens_per_second: generationMs > 0 && completion > 0 && ended.status === 'success' ? completion / (generationMs / 1000) : null,
        });
      });
    }, failed);
  };
}
