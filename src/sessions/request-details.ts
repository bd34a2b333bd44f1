// One request in full (seed 002's request details): every attempt of a fallback chain,
// linked by request_id, with totals across attempts. The id of any of its calls is accepted
// as well.
import type { CallRecord } from '../domain/call-record.js';
import { presentCall } from '../api/present-call.js';
import { rowToCall } from '../store/call-row.js';
import type { SqlReader } from '../store/ports.js';

const FULL_COLUMNS = `id, request_id, project_id, trace_id, parent_id, started_at, ended_at, latency_ms, ttft_ms, tokens_per_second,
  provider, model, response_model, endpoint, is_streaming, finish_reason, CAST(params AS VARCHAR) AS params, status, http_status,
  error_type, error_message, prompt_tokens, completion_tokens, total_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,
  usage_source, cost_usd, input_cost_usd, output_cost_usd, price_source, is_fallback, original_provider, attempt, cache_hit,
  tool_calls_count, api_key_id, user_id, session_id, agent, conversation_name, account_id, tags, CAST(properties AS VARCHAR) AS properties,
  confidence, signal, CAST(input AS VARCHAR) AS input, CAST(output AS VARCHAR) AS output`;

/**
 * The calls of one request ($1 project, $2 request or call id): those with that request_id other
 * than a call's own id, then the call with that id. Two selections, not one `request_id = $2 OR
 * id = $2`: an OR across two columns is no scan filter for DuckDB, which then read the columns of
 * every call, content included (1M calls: 277 against 17 ms), and PostgreSQL finds the first in
 * its partial index of such calls (migration 13) and the second by primary key.
 */
export function requestCallsSql(columns: string, orderBy: string): string {
  return `SELECT ${columns} FROM calls WHERE project_id = $1 AND request_id = $2 AND request_id <> id
    UNION ALL SELECT ${columns} FROM calls WHERE project_id = $1 AND id = $2
    ORDER BY ${orderBy}`;
}

/** The request of the call with this id; the id itself when no call has it (a request id). */
export async function requestIdOf(reader: SqlReader, projectId: string, id: string): Promise<string> {
  const [row] = await reader.query<{ request_id: string }>('SELECT request_id FROM calls WHERE project_id = $1 AND id = $2', [projectId, id]);
  return row?.request_id ?? id;
}

export async function requestDetails(reader: SqlReader, projectId: string, id: string) {
  const rows = await reader.query(requestCallsSql(FULL_COLUMNS, 'attempt, started_at, id'), [projectId, await requestIdOf(reader, projectId, id)]);
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
