// What a Responses API answer says for the call record, whole or at the end of its stream:
// usage (input_tokens already include the cached ones, output_tokens the reasoning ones), the
// finish reason in chat terms, and the answer as an OpenAI chat message (text, reasoning
// summary, function calls) so that calls read the same whatever API they came through.
import type { CanonicalUsage } from '../../domain/usage.js';
import type { CallPlan, UpstreamResult } from '../kit/adapter.js';
import { upstreamError } from '../kit/errors.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { fail, ok, type Result } from '../kit/result.js';
import { canonicalUsage } from '../kit/usage.js';
import { responseObjectSchema, type OutputItem, type ResponseObject, type ResponsesUsage } from './responses-schemas.js';

/** What a Responses API call was asked, as chat messages: `instructions` as the system message, then `input` (a string is one user message). */
export function responsesConversation(body: Readonly<Record<string, unknown>>): unknown[] {
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? (body.input as unknown[]) : [];
  return typeof body.instructions === 'string' ? [{ role: 'system', content: body.instructions }, ...input] : input;
}

export function convertResponsesUsage(usage: ResponsesUsage): CanonicalUsage {
  return canonicalUsage({
    input: usage.input_tokens ?? 0,
    cacheRead: usage.input_tokens_details?.cached_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    reasoning: usage.output_tokens_details?.reasoning_tokens ?? 0,
    raw: usage,
  });
}

/** `completed` is a stop (or tool calls); `incomplete` names its reason (`max_output_tokens` is a length stop). */
export function responsesFinishReason(response: ResponseObject, toolCalls: number): string | null {
  if (response.status === 'completed') return toolCalls > 0 ? 'tool_calls' : 'stop';
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason ?? null;
    return reason === 'max_output_tokens' ? 'length' : reason;
  }
  return null;
}

export interface ResponsesOutput {
  content: string;
  reasoning: string;
  toolCalls: { id: string | null; name: string; arguments: string }[];
}

export function readOutputItems(items: readonly OutputItem[]): ResponsesOutput {
  const output: ResponsesOutput = { content: '', reasoning: '', toolCalls: [] };
  for (const item of items) {
    if (item.type === 'message') output.content += (item.content ?? []).map((part) => part.text ?? part.refusal ?? '').join('');
    else if (item.type === 'reasoning') output.reasoning += (item.summary ?? []).map((part) => part.text ?? '').join('');
    else if (item.type === 'function_call') output.toolCalls.push({ id: item.call_id ?? item.id ?? null, name: item.name ?? '', arguments: item.arguments ?? '' });
  }
  return output;
}

/** The answer as an OpenAI chat message, for the call record. */
export function asChatMessage(output: ResponsesOutput): Record<string, unknown> {
  return {
    role: 'assistant',
    content: output.content,
    ...(output.reasoning ? { reasoning_content: output.reasoning } : {}),
    ...(output.toolCalls.length > 0 ? { tool_calls: output.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) } : {}),
  };
}

export function completionTextOf(output: ResponsesOutput): string {
  return output.content + output.reasoning + output.toolCalls.map((call) => call.name + call.arguments).join('');
}

/** A whole Responses API answer: the client gets the upstream's bytes; a copy is read for the record. */
export function responsesFromUpstream(status: number, body: Uint8Array, _plan: CallPlan): Result<UpstreamResult> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = responseObjectSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success || parsed.data.object !== 'response' || !Array.isArray(parsed.data.output)) return fail(invalidBody(body, 'a Responses API answer'));
  const answer = parsed.data;
  if (answer.status === 'failed') {
    return fail(upstreamError('server_error', { message: answer.error?.message ?? 'the response failed', code: answer.error?.code ?? 'response_failed', upstreamStatus: status }));
  }
  const output = readOutputItems(answer.output ?? []);
  const usage = answer.usage ? convertResponsesUsage(answer.usage) : null;
  return ok({
    openaiBody: body,
    usage,
    usageSource: usage ? 'provider' : 'estimated',
    finishReason: responsesFinishReason(answer, output.toolCalls.length),
    responseModel: answer.model ?? null,
    toolCallsCount: output.toolCalls.length,
    completionText: completionTextOf(output),
    output: asChatMessage(output),
    timings: null,
  });
}
