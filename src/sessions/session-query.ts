// Sessions and traces are calls grouped by one column (no table): session_id or trace_id. One
// aggregate definition serves the list, the search and the summary of either (seed 002's
// Session Summary fields; a trace's the same, with the session it belongs to).
import { compileCallFilters } from '../analytics/filters.js';
import { CALL_ROLLUPS, rollupTableName } from '../analytics/rollups/rollup-schema.js';
import { SqlParams } from '../analytics/sql-params.js';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../store/call-row.js';
import type { CallFilters, SqlReader } from '../store/ports.js';

export const SESSION_SORTS = ['start', 'cost', 'duration', 'calls', 'tokens'] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];

/** Seed 002's Session Summary, plus a few counts the list and dashboard need. */
export interface SessionSummary {
  session_id: string;
  user_id: string | null;
  agent_name: string | null;
  conversation_name: string | null;
  total_messages: number;
  session_start: string;
  session_end: string;
  total_duration_seconds: number;
  total_tokens: number;
  /** Sum of priced calls; null when every call is unpriced (never a false $0). */
  total_cost: number | null;
  avg_response_time: number | null;
  function_calls_count: number;
  cache_hit_rate: number;
  models_used: string[];
  total_calls: number;
  agents: string[];
  error_count: number;
  unpriced_calls: number;
}

/** The column that groups calls into sessions or traces. */
export type GroupColumn = 'session_id' | 'trace_id';

export interface CallGroupRow {
  group_id: string;
  /** Traces only: the first session one of its calls names. */
  session_id?: string | null;
  user_id: string | null;
  agent_name: string | null;
  conversation_name: string | null;
  calls: number;
  group_start: number;
  group_end: number;
  total_tokens: number | null;
  total_cost: number | null;
  avg_latency_ms: number | null;
  function_calls: number | null;
  cache_hits: number;
  errors: number;
  unpriced: number;
  models: string[] | null;
  agents: string[] | null;
  sort_key: number;
}

/** The first non-null value of a column in time order (the session's opening call). */
const firstValue = (column: string) => `(array_agg(${column} ORDER BY started_at, id) FILTER (WHERE ${column} IS NOT NULL))[1]`;

const GROUP_END = 'max(COALESCE(ended_at, started_at))';
const SORT_EXPRESSIONS: Record<SessionSort, string> = {
  start: 'EXTRACT(EPOCH FROM min(started_at))',
  cost: 'COALESCE(sum(cost_usd), -1)',
  duration: `EXTRACT(EPOCH FROM (${GROUP_END} - min(started_at)))`,
  calls: 'count(*)',
  tokens: 'sum(total_tokens)',
};

function aggregateSelect(sort: SessionSort, column: GroupColumn): string {
  return `${column} AS group_id,${column === 'trace_id' ? `
    ${firstValue('session_id')} AS session_id,` : ''}
    ${firstValue('user_id')} AS user_id,
    ${firstValue('agent')} AS agent_name,
    ${firstValue('conversation_name')} AS conversation_name,
    count(*) AS calls,
    min(started_at) AS group_start,
    ${GROUP_END} AS group_end,
    sum(total_tokens) AS total_tokens,
    sum(cost_usd) AS total_cost,
    avg(latency_ms) AS avg_latency_ms,
    sum(tool_calls_count) AS function_calls,
    count(*) FILTER (WHERE cache_hit) AS cache_hits,
    count(*) FILTER (WHERE status <> 'success') AS errors,
    count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced,
    array_agg(DISTINCT model ORDER BY model) AS models,
    array_agg(DISTINCT agent ORDER BY agent) FILTER (WHERE agent IS NOT NULL) AS agents,
    ${SORT_EXPRESSIONS[sort]} AS sort_key`;
}

function toSummary(row: CallGroupRow): SessionSummary {
  const priced = row.calls - row.unpriced;
  return {
    session_id: row.group_id,
    user_id: row.user_id,
    agent_name: row.agent_name,
    conversation_name: row.conversation_name,
    total_messages: row.calls,
    session_start: new Date(row.group_start).toISOString(),
    session_end: new Date(row.group_end).toISOString(),
    total_duration_seconds: (row.group_end - row.group_start) / 1000,
    total_tokens: row.total_tokens ?? 0,
    total_cost: priced > 0 ? (row.total_cost ?? 0) : null,
    avg_response_time: row.avg_latency_ms === null ? null : row.avg_latency_ms / 1000,
    function_calls_count: row.function_calls ?? 0,
    cache_hit_rate: row.calls === 0 ? 0 : row.cache_hits / row.calls,
    models_used: row.models ?? [],
    total_calls: row.calls,
    agents: row.agents ?? [],
    error_count: row.errors,
    unpriced_calls: row.unpriced,
  };
}

export interface SessionListQuery {
  filters: CallFilters;
  sort: SessionSort;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
  /** Bounds on the session's total cost (priced calls). */
  minCost?: number;
  maxCost?: number;
  /** How the page's sessions are found (see SessionPick); chosen from the range when absent. */
  pick?: SessionPick;
}

/**
 * `scan`: one pass over every call of the project groups all its sessions and keeps those with a
 * matching call. `candidates`: the sessions with a matching call come first, from the range
 * alone, then only their calls are grouped. The first reads the project's whole history
 * whatever the range; the second reads the range twice over for a long one. Measured at 1M
 * calls over 30 days, that step (DuckDB / PostgreSQL, ms): 24 h 40 / 214 against 15 / 135;
 * 7 days 42 / 209 against 36 / 214; 30 days 51 / 230 against 118 / 668.
 */
export type SessionPick = 'scan' | 'candidates';

/** Ranges under this share of the project's history take the candidates first. */
const CANDIDATES_BELOW_SHARE = 0.15;
const DAY_ROLLUPS = rollupTableName(CALL_ROLLUPS, 'day');

/**
 * The range's share of the project's history, from the first day its rollups hold (one small
 * read); calls are assumed spread evenly, which only decides speed, never the answer.
 */
async function choosePick(reader: SqlReader, filters: CallFilters): Promise<SessionPick> {
  if (filters.from === undefined) return 'scan';
  const [row] = await reader.query<{ first: number | string | null }>(`SELECT EXTRACT(EPOCH FROM min(bucket)) AS first FROM ${DAY_ROLLUPS} WHERE project_id = $1`, [filters.projectId]);
  return pickForRange(row?.first === null || row?.first === undefined ? null : Number(row.first) * 1000, filters, Date.now());
}

/** `firstDay`: the start of the project's first day with calls (epoch ms), null when unknown. */
export function pickForRange(firstDay: number | null, filters: Pick<CallFilters, 'from' | 'to'>, now: number): SessionPick {
  if (filters.from === undefined || firstDay === null) return 'scan';
  const history = now - firstDay;
  const range = Math.min(filters.to ?? now, now) - filters.from;
  return history > 0 && range / history < CANDIDATES_BELOW_SHARE ? 'candidates' : 'scan';
}

/**
 * A page of the groups (sessions or traces) with a call matching the filters, their figures
 * covering each whole group; rows as aggregated.
 */
export async function listCallGroups(reader: SqlReader, query: SessionListQuery, column: GroupColumn): Promise<{ rows: CallGroupRow[]; nextCursor: string | null }> {
  const params = new SqlParams();
  const where = compileCallFilters(query.filters, params, reader.dialect);
  const having: string[] = [];
  if (query.minCost !== undefined) having.push(`COALESCE(sum(cost_usd), 0) >= ${params.add(query.minCost)}`);
  if (query.maxCost !== undefined) having.push(`COALESCE(sum(cost_usd), 0) <= ${params.add(query.maxCost)}`);
  const sortKey = SORT_EXPRESSIONS[query.sort];
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    if (!cursor || typeof cursor.v !== 'number') throw new InvalidCursorError('cursor is not a cursor returned by this API');
    having.push(`(${sortKey}, ${column}) ${direction === 'DESC' ? '<' : '>'} (${params.add(cursor.v)}, ${params.add(cursor.id)})`);
  }
  // Filters pick the groups (any matching call); the figures cover each whole group.
  // The page is chosen on the sort key alone, and only its groups get the full aggregates
  // (ordered array_aggs over every session took 0.5 s at 300k calls, measured).
  const project = params.add(query.filters.projectId);
  const order = `ORDER BY sort_key ${direction}, ${column} ${direction} LIMIT ${query.limit + 1}`;
  const pick = query.pick ?? (await choosePick(reader, query.filters));
  // scan: one pass over the project's calls picks the groups (the filters as an aggregate's
  // condition) and computes their sort key. candidates: the range's groups first, then only
  // their calls. Either way the sort key and the cost bounds cover each whole group.
  const picked = pick === 'scan'
    ? `picked AS (
      SELECT ${column}, ${sortKey} AS sort_key FROM calls
      WHERE project_id = ${project} AND ${column} IS NOT NULL
      GROUP BY ${column} HAVING ${[`count(*) FILTER (WHERE ${where}) > 0`, ...having].join(' AND ')}
      ${order}
    )`
    : `candidates AS (SELECT DISTINCT ${column} FROM calls WHERE ${where} AND ${column} IS NOT NULL),
    picked AS (
      SELECT ${column}, ${sortKey} AS sort_key FROM calls
      WHERE project_id = ${project} AND ${column} IN (SELECT ${column} FROM candidates)
      GROUP BY ${column}${having.length > 0 ? ` HAVING ${having.join(' AND ')}` : ''}
      ${order}
    )`;
  const sql = `WITH ${picked}
    SELECT ${aggregateSelect(query.sort, column)} FROM calls
    WHERE project_id = ${project} AND ${column} IN (SELECT ${column} FROM picked)
    GROUP BY ${column} ORDER BY sort_key ${direction}, ${column} ${direction}`;
  const rows = await reader.query<CallGroupRow>(sql, params.values);
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, nextCursor: hasMore && last ? encodeCursor(Number(last.sort_key), last.group_id) : null };
}

export async function listSessions(reader: SqlReader, query: SessionListQuery): Promise<{ items: SessionSummary[]; nextCursor: string | null }> {
  const { rows, nextCursor } = await listCallGroups(reader, query, 'session_id');
  return { items: rows.map(toSummary), nextCursor };
}

/** The figures of one whole group, or null when no call of the project is in it. */
export async function callGroupRow(reader: SqlReader, projectId: string, column: GroupColumn, id: string): Promise<CallGroupRow | null> {
  const rows = await reader.query<CallGroupRow>(
    `SELECT ${aggregateSelect('start', column)} FROM calls WHERE project_id = $1 AND ${column} = $2 GROUP BY ${column}`,
    [projectId, id],
  );
  return rows[0] ?? null;
}

export async function sessionSummary(reader: SqlReader, projectId: string, sessionId: string): Promise<SessionSummary | null> {
  const row = await callGroupRow(reader, projectId, 'session_id', sessionId);
  return row ? toSummary(row) : null;
}
