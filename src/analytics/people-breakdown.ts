// analytics/agents and /users: the same metrics per agent or per user. Over long ranges they
// come from day rows: the sums and latency histogram per member (rollups/keyed-figures-query.ts)
// and the distinct sessions per member (DuckDB: rollups/people-sessions.ts; PostgreSQL:
// rollups/person-session-bitmaps.ts), each with the partial days at the range's ends read raw;
// with other filters, or no whole day in the range, from one scan of the calls. The cost
// breakdown by agent, user and tag reads the same kind of rollups (figuresFromRollups).
import type { CallFilters, SqlReader } from '../store/ports.js';
import type { MetricName } from './metrics/definitions.js';
import { plainRow, runMetrics, type MetricRow } from './metrics/run-query.js';
import type { RollupRead } from './rollups/rollup-plan.js';
import { keyedRollupRead, wholeDaysRead } from './rollups/keyed-rollup-parts.js';
import { keyedFiguresSql, type KeyedDimension, type PeopleFigure, type PeopleFiguresShape } from './rollups/keyed-figures-query.js';
import { personSessionBitsSql } from './rollups/person-session-bitmaps.js';
import { peopleSessionsSql, type PeopleDimension } from './rollups/people-sessions.js';

const PEOPLE_METRICS: MetricName[] = ['requests', 'sessions', 'success_rate', 'total_tokens', 'cost', 'unpriced_calls', 'avg_latency', 'p95_latency', 'tool_calls'];
/** PEOPLE_METRICS after requests, less sessions (counted apart), as the day rollups answer them. */
const PEOPLE_FIGURES: PeopleFigure[] = ['requests', 'success_rate', 'total_tokens', 'cost', 'unpriced_calls', 'avg_latency', 'p95_latency', 'tool_calls'];
const LIMIT = 1000;

/** Rows and members matched by value; NULL (no agent or user) is a member of its own. */
const memberKey = (value: unknown): string => (value === null || value === undefined ? '\u0000null' : `v${String(value)}`);

/** Distinct sessions per member of the range: DuckDB's day counts, PostgreSQL's day bitmaps. */
function sessionsSql(reader: SqlReader, by: PeopleDimension, filters: CallFilters, read: RollupRead, days: [number, number]): { sql: string; params: unknown[] } {
  return reader.dialect === 'duckdb' ? peopleSessionsSql(by, filters, read, days) : personSessionBitsSql(by, filters, days);
}

/**
 * Sums per agent, user or tag from their rollups (no sessions), in the raw breakdown's row
 * shape; null when the filters or the range do not fit them (agents and users, kept per day only:
 * a range without a whole day).
 */
export async function figuresFromRollups(reader: SqlReader, filters: CallFilters, by: KeyedDimension, shape: PeopleFiguresShape): Promise<MetricRow[] | null> {
  const read = by === 'tag' ? await keyedRollupRead(reader, filters) : (await wholeDaysRead(reader, filters))?.read;
  if (!read) return null;
  const figures = keyedFiguresSql(by, filters, read, shape, reader.dialect);
  return (await reader.query(figures.sql, figures.params)).map(plainRow);
}

async function fromDayRows(reader: SqlReader, filters: CallFilters, by: PeopleDimension): Promise<MetricRow[] | null> {
  const fit = await wholeDaysRead(reader, filters);
  if (!fit) return null;
  const figures = keyedFiguresSql(by, filters, fit.read, { figures: PEOPLE_FIGURES, orderBy: 'requests', limit: LIMIT }, reader.dialect);
  const sessions = sessionsSql(reader, by, filters, fit.read, fit.days);
  const [rows, sessionRows] = await Promise.all([
    reader.query(figures.sql, figures.params),
    reader.query<{ member: string | null; sessions: number | bigint }>(sessions.sql, sessions.params),
  ]);
  const sessionsOf = new Map(sessionRows.map((row) => [memberKey(row.member), Number(row.sessions)]));
  return rows.map((row) => {
    const { [by]: member, requests, ...others } = plainRow(row);
    return { [by]: member ?? null, requests: requests ?? null, sessions: sessionsOf.get(memberKey(member)) ?? 0, ...others };
  });
}

export async function peopleBreakdown(reader: SqlReader, filters: CallFilters, by: PeopleDimension): Promise<MetricRow[]> {
  return (await fromDayRows(reader, filters, by)) ?? runMetrics(reader, { metrics: PEOPLE_METRICS, dimensions: [by], filters, limit: LIMIT });
}
