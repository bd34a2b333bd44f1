// One request in full (seed 002's request details): every attempt of a fallback chain,
// linked by request_id, with totals across attempts. The id of any of its calls is accepted
// as well.
import type { CallRecord } from '../domain/call-record.js';
import { presentCall } from '../api/present-call.js';
import { rowToCall } from '../store/call-row.js';
import type { SqlReader } from '../store/ports.js';
import { requestCalls } from './request-calls.js';

const FULL_COLUMNS = `id, request_id, project_id, trace_id, parent_id, started_at, ended_at, latency_ms, ttft_ms, tokens_per_second,
  provider, model, response_model, endpoint, is_streaming, finish_reason, CAST(params AS VARCHAR) AS params, status, http_status,
  error_type, error_message, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,
  usage_source, cost_usd, input_cost_usd, output_cost_usd, price_source, is_fallback, original_provider, attempt, cache_hit,
  tool_calls_count, api_key_id, user_id, session_id, agent, conversation_name, account_id, tags, CAST(properties AS VARCHAR) AS properties,
  confidence, signal, CAST(input AS VARCHAR) AS input, CAST(output AS VARCHAR) AS output`;

export async function requestDetails(reader: SqlReader, projectId: string, id: string) {
  const rows = await requestCalls<Record<string, unknown>>(reader, projectId, id, FULL_COLUMNS, 'attempt, started_at, id');
  if (rows.length === 0) return null;
  const attempts: CallRecord[] = rows.map(rowToCall);
  const final = attempts[attempts.length - 1]!;
  const priced = attempts.filter((call) => call.cost_usd !== null);
  const ends = attempts.map((call) => call.ended_at ?? call.started_at);
  return {
    request_id: final.request_id,
    status: final.status,
    provider: final.provider,
    model: final.model,
    session_id: final.session_id,
    user_id: final.user_id,
    agent: final.agent,
    attempts: attempts.length,
    started_at: new Date(attempts[0]!.started_at).toISOString(),
    ended_at: new Date(Math.max(...ends)).toISOString(),
    total_latency_ms: attempts.reduce((sum, call) => sum + (call.latency_ms ?? 0), 0),
    prompt_tokens: attempts.reduce((sum, call) => sum + call.prompt_tokens, 0),
    completion_tokens: attempts.reduce((sum, call) => sum + call.completion_tokens, 0),
    total_tokens: attempts.reduce((sum, call) => sum + call.total_tokens, 0),
    total_cost: priced.length === 0 ? null : priced.reduce((sum, call) => sum + (call.cost_usd ?? 0), 0),
    cache_hit: final.cache_hit,
    calls: attempts.map(presentCall),
  };
}
