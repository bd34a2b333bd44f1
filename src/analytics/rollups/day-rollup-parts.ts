// The rows of a day rollup over a range, for the reads keyed by something other than provider,
// model and status (agents, users, tags, errors): the range's whole days from the day rows, its
// partial days at either end and any call not yet folded from raw calls shaped like them, so
// sums and counts are exact.
import type { CallFilters, SqlReader } from '../../store/ports.js';
import type { Dialect } from '../filters.js';
import { sqlTimestamp, type SqlParams } from '../sql-params.js';
import { filtersFitPeopleSessions, projectRange, wholeDaysOf } from './people-sessions.js';
import { chooseRollupSegments, type RollupRead } from './rollup-plan.js';
import { perCallRowsSql, pgUnfoldedCallsCte, rollupTableName, unfoldedCalls, type RollupTable } from './rollup-schema.js';

/** A read from day rollups: the plan, and the range's whole days [from, to) in epoch ms. */
export interface WholeDays {
  read: RollupRead;
  days: [number, number];
}

/** The read and its whole days, when only project and time filter and the range holds a whole day. */
export async function wholeDaysRead(reader: SqlReader, filters: CallFilters): Promise<WholeDays | null> {
  if (!filtersFitPeopleSessions(filters)) return null;
  const read = await chooseRollupSegments(reader, { metrics: ['requests'], dimensions: [], filters });
  const days = read ? wholeDaysOf(read) : null;
  return read && days ? { read, days } : null;
}

export interface DayRollupParts {
  /** CTEs the statement must define before reading parts (PostgreSQL: its queued calls, read once for every table). */
  ctes: string[];
  /** A table's key and value columns over the range, as one UNION ALL. */
  parts(table: RollupTable): string;
}

export function dayRollupParts(filters: CallFilters, { read, days }: WholeDays, params: SqlParams, dialect: Dialect): DayRollupParts {
  const range = projectRange(filters.projectId, params, dialect);
  const ctes = dialect === 'postgres' ? [pgUnfoldedCallsCte(filters.projectId, days[0], days[1], params)] : [];
  const unfolded = unfoldedCalls(dialect, read.watermarkFloor);
  const rawRanges = [
    { from: 'calls', where: range(filters.from, days[0]) },
    { from: 'calls', where: range(days[1], filters.to) },
    { from: unfolded.from, where: `${range(days[0], days[1])} AND ${unfolded.where}` },
  ];
  const dayRows = `project_id = ${params.add(filters.projectId)} AND bucket >= ${params.add(sqlTimestamp(days[0]))}::TIMESTAMP AND bucket < ${params.add(sqlTimestamp(days[1]))}::TIMESTAMP`;
  return {
    ctes,
    parts(table) {
      const columns = [...table.extraKeys, ...table.values];
      const raw = rawRanges.map(({ from, where }) => `SELECT ${columns.map((column) => `${column.perCall} AS ${column.name}`).join(', ')} ${perCallRowsSql(table, from, where)}`);
      return [`SELECT ${columns.map((column) => column.name).join(', ')} FROM ${rollupTableName(table, 'day')} WHERE ${dayRows}`, ...raw].join(' UNION ALL ');
    },
  };
}
