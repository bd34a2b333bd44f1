// Reads a whole OpenAI-format answer (chat, legacy completions, embeddings): the client gets
// the upstream's bytes as they came; a copy is parsed for usage, finish reason and tools.
// A 200 that is not the expected JSON (an HTML page, an error object) is an invalid response.
import type { CallPlan, UpstreamResult } from '../kit/adapter.js';
import { describeErrorPayload } from '../kit/error-body.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { upstreamError } from '../kit/errors.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { fail, ok, type Result } from '../kit/result.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { chatAnswerToMessage } from './chat-to-messages.js';
import { convertOpenAiUsage } from './convert-usage.js';
import { completionBodySchema, type CompletionBody } from './openai-schemas.js';

/** A chat answer for a client of the Messages API: read as any chat answer, given to the client in Anthropic's format. */
export function chatAsMessagesFromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult> {
  const result = openAiFromUpstream(status, body, plan);
  if (!result.ok) return result;
  const answer = completionBodySchema.parse(parseJsonBytes(body));
  return ok({ ...result.value, openaiBody: encodeUtf8(JSON.stringify(chatAnswerToMessage(answer, plan, result.value.usage))) });
}

export function openAiFromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const json = parseJsonBytes(body);
  const parsed = completionBodySchema.safeParse(json);
  if (json === undefined || !parsed.success) return fail(invalidBody(body, 'a JSON answer'));
  const answer = parsed.data;
  const expected = plan.endpoint === 'embeddings' ? answer.data : answer.choices;
  if (expected === undefined || expected === null) {
    if (answer.error !== undefined) {
      const details = describeErrorPayload(json, status);
      return fail(upstreamError('server_error', { message: details.message, code: details.code ?? details.type, upstreamStatus: status }));
    }
    return fail(invalidBody(body, plan.endpoint === 'embeddings' ? 'embeddings data' : 'choices'));
  }
  return ok(summarise(answer, body));
}

function summarise(answer: CompletionBody, body: Uint8Array): UpstreamResult {
  const choices = answer.choices ?? [];
  let completionText = '';
  let toolCallsCount = 0;
  for (const choice of choices) {
    const message = choice.message;
    completionText += `${message?.content ?? ''}${message?.reasoning_content ?? message?.reasoning ?? ''}${choice.text ?? ''}`;
    for (const call of message?.tool_calls ?? []) {
      toolCallsCount += 1;
      completionText += `${call.function?.name ?? ''}${call.function?.arguments ?? ''}`;
    }
  }
  const usage = answer.usage ? convertOpenAiUsage(answer.usage) : null;
  return {
    openaiBody: body,
    usage,
    usageSource: usage ? 'provider' : 'estimated',
    finishReason: choices.find((choice) => choice.finish_reason)?.finish_reason ?? null,
    responseModel: answer.model ?? null,
    toolCallsCount,
    completionText,
    output: choices[0] === undefined ? null : (choices[0].message ?? choices[0].text ?? null),
    timings: null,
  };
}
