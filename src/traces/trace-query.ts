// Traces are calls grouped by trace_id (set by the x-loupe-trace-id header, the SDK, or an
// OpenTelemetry span's trace): the list with the sessions' paging and figures, and one trace
// as a tree of its calls with their offsets from its start, for a waterfall.
import { callGroupRow, listCallGroups, type CallGroupRow, type SessionListQuery } from '../sessions/session-query.js';
import type { SqlReader } from '../store/ports.js';
import { treeOrder } from './trace-tree.js';

/** A trace view shows at most this many calls (the earliest); its totals still cover them all. */
export const MAX_TRACE_CALLS = 1000;

export interface TraceSummary {
  trace_id: string;
  /** The first session, user and agent that its calls name. */
  session_id: string | null;
  user_id: string | null;
  agent: string | null;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  calls: number;
  errors: number;
  total_tokens: number;
  /** Sum of priced calls; null when every call is unpriced (never a false $0). */
  total_cost: number | null;
  unpriced_calls: number;
  tool_calls: number;
  models: string[];
  agents: string[];
}

function toTraceSummary(row: CallGroupRow): TraceSummary {
  return {
    trace_id: row.group_id,
    session_id: row.session_id ?? null,
    user_id: row.user_id,
    agent: row.agent_name,
    started_at: new Date(row.group_start).toISOString(),
    ended_at: new Date(row.group_end).toISOString(),
    duration_ms: row.group_end - row.group_start,
    calls: row.calls,
    errors: row.errors,
    total_tokens: row.total_tokens ?? 0,
    total_cost: row.calls > row.unpriced ? (row.total_cost ?? 0) : null,
    unpriced_calls: row.unpriced,
    tool_calls: row.function_calls ?? 0,
    models: row.models ?? [],
    agents: row.agents ?? [],
  };
}

export async function listTraces(reader: SqlReader, query: SessionListQuery): Promise<{ items: TraceSummary[]; nextCursor: string | null }> {
  const { rows, nextCursor } = await listCallGroups(reader, query, 'trace_id');
  return { items: rows.map(toTraceSummary), nextCursor };
}

interface SpanRow {
  id: string;
  parent_id: string | null;
  request_id: string;
  started_at: number;
  ended_at: number | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  provider: string;
  model: string;
  endpoint: string | null;
  status: string;
  error_type: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number | null;
  price_source: string;
  cache_hit: boolean;
  is_fallback: boolean;
  tool_calls_count: number;
  agent: string | null;
}

const SPAN_COLUMNS = `id, parent_id, request_id, started_at, ended_at, latency_ms, ttft_ms, provider, model, endpoint, status, error_type,
  prompt_tokens, completion_tokens, total_tokens, cost_usd, price_source, cache_hit, is_fallback, tool_calls_count, agent`;

/** One trace: its figures over every call, and its first calls in tree order. Null when the project has none of it. */
export async function traceDetails(reader: SqlReader, projectId: string, traceId: string) {
  const row = await callGroupRow(reader, projectId, 'trace_id', traceId);
  if (!row) return null;
  const summary = toTraceSummary(row);
  const spans = await reader.query<SpanRow>(
    `SELECT ${SPAN_COLUMNS} FROM calls WHERE project_id = $1 AND trace_id = $2 ORDER BY started_at, id LIMIT ${MAX_TRACE_CALLS}`,
    [projectId, traceId],
  );
  const start = row.group_start;
  return {
    ...summary,
    truncated: summary.calls > spans.length,
    spans: treeOrder(spans).map(({ item, depth, shown_under }) => ({
      ...item,
      started_at: new Date(item.started_at).toISOString(),
      ended_at: item.ended_at === null ? null : new Date(item.ended_at).toISOString(),
      depth,
      shown_under,
      offset_ms: item.started_at - start,
      duration_ms: (item.ended_at ?? item.started_at) - item.started_at,
    })),
  };
}
