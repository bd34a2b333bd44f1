// analytics/agents and /users: the same metrics per agent or per user. Over long ranges on
// DuckDB the distinct sessions per member come from day rows (rollups/people-sessions.ts) and
// the rest from one scan of the calls without the (member, session) hash that dominated it.
import type { CallFilters, SqlReader } from '../store/ports.js';
import type { MetricName } from './metrics/definitions.js';
import { runMetrics, type MetricRow } from './metrics/run-query.js';
import { chooseRollupSegments } from './rollups/rollup-plan.js';
import { filtersFitPeopleSessions, peopleSessionsSql, wholeDaysOf, type PeopleDimension } from './rollups/people-sessions.js';

const PEOPLE_METRICS: MetricName[] = ['requests', 'sessions', 'success_rate', 'total_tokens', 'cost', 'unpriced_calls', 'avg_latency', 'p95_latency', 'tool_calls'];
const LIMIT = 1000;

/** Rows and members matched by value; NULL (no agent or user) is a member of its own. */
const memberKey = (value: unknown): string => (value === null || value === undefined ? '\u0000null' : `v${String(value)}`);

async function withDaySessions(reader: SqlReader, filters: CallFilters, by: PeopleDimension): Promise<MetricRow[] | null> {
  if (reader.dialect !== 'duckdb' || !filtersFitPeopleSessions(filters)) return null;
  const read = await chooseRollupSegments(reader, { metrics: ['requests'], dimensions: [], filters });
  const days = read ? wholeDaysOf(read) : null;
  if (!read || !days) return null;
  const rest = PEOPLE_METRICS.filter((metric) => metric !== 'sessions');
  const compiled = peopleSessionsSql(by, filters, read, days);
  // Ordered by requests as the one-query form is, so the same members make the limit.
  const [rows, sessions] = await Promise.all([
    runMetrics(reader, { metrics: rest, dimensions: [by], filters, orderBy: { field: 'requests', direction: 'desc' }, limit: LIMIT }),
    reader.query<{ member: string | null; sessions: number | bigint }>(compiled.sql, compiled.params),
  ]);
  const sessionsOf = new Map(sessions.map((row) => [memberKey(row.member), Number(row.sessions)]));
  return rows.map((row) => {
    const { [by]: member, ...metrics } = row;
    const { requests, ...others } = metrics;
    return { [by]: member ?? null, requests: requests ?? null, sessions: sessionsOf.get(memberKey(member)) ?? 0, ...others };
  });
}

export async function peopleBreakdown(reader: SqlReader, filters: CallFilters, by: PeopleDimension): Promise<MetricRow[]> {
  return (await withDaySessions(reader, filters, by)) ?? runMetrics(reader, { metrics: PEOPLE_METRICS, dimensions: [by], filters, limit: LIMIT });
}
