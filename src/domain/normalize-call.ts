// Turns a validated ingestion input into a complete CallRecord: fills ids, derives the
// timestamps and totals that can be derived, and attaches the caller's project and key.
import { uuidv7 } from 'uuidv7';
import type { CallRecord, CallRecordInput } from './call-record.js';

export interface CallContext {
  projectId: string;
  apiKeyId: string | null;
  now?: number;
}

export function normalizeCall(input: CallRecordInput, context: CallContext): CallRecord {
  const now = context.now ?? Date.now();
  const id = input.id ?? uuidv7();
  const latency = input.latency_ms ?? null;
  const startedAt = input.started_at ?? (input.ended_at != null && latency != null ? input.ended_at - latency : now);
  const endedAt = input.ended_at ?? (latency != null ? startedAt + latency : null);
  const prompt = input.prompt_tokens ?? 0;
  const completion = input.completion_tokens ?? 0;
  const hasCost = input.cost_usd != null;
  return {
    id,
    request_id: input.request_id ?? id,
    project_id: context.projectId,
    trace_id: input.trace_id ?? null,
    parent_id: input.parent_id ?? null,
    started_at: startedAt,
    ended_at: endedAt,
    latency_ms: latency ?? (endedAt != null ? endedAt - startedAt : null),
    ttft_ms: input.ttft_ms ?? null,
    tokens_per_second: input.tokens_per_second ?? null,
    provider: input.provider,
    model: input.model,
    response_model: input.response_model ?? null,
    endpoint: input.endpoint ?? null,
    is_streaming: input.is_streaming ?? false,
    finish_reason: input.finish_reason ?? null,
    params: input.params ?? null,
    status: input.status ?? (input.error_message ? 'error' : 'success'),
    http_status: input.http_status ?? null,
    error_type: input.error_type ?? null,
    error_message: input.error_message ?? null,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: input.total_tokens ?? prompt + completion,
    cached_tokens: input.cached_tokens ?? 0,
    cache_write_tokens: input.cache_write_tokens ?? 0,
    reasoning_tokens: input.reasoning_tokens ?? 0,
    usage_source: input.usage_source ?? 'provider',
    cost_usd: input.cost_usd ?? null,
    input_cost_usd: input.input_cost_usd ?? null,
    output_cost_usd: input.output_cost_usd ?? null,
    // A client-supplied cost is kept as given; otherwise the recorder prices the call.
    price_source: hasCost ? 'reported' : 'unpriced',
    is_fallback: input.is_fallback ?? false,
    original_provider: input.original_provider ?? null,
    attempt: input.attempt ?? 1,
    cache_hit: input.cache_hit ?? false,
    tool_calls_count: input.tool_calls_count ?? 0,
    api_key_id: context.apiKeyId,
    user_id: input.user_id ?? null,
    session_id: input.session_id ?? null,
    agent: input.agent ?? null,
    conversation_name: input.conversation_name ?? null,
    account_id: input.account_id ?? null,
    tags: input.tags ?? [],
    properties: input.properties ?? {},
    confidence: input.confidence ?? null,
    signal: input.signal ?? null,
    input: input.input ?? null,
    output: input.output ?? null,
  };
}
