// The rows of a rollup keyed by something other than provider, model and status (agents, users,
// tags, errors) over a range, segment by segment as the rollup planner splits it: each whole
// day or hour from the table's rows of that grain when it keeps that grain, every other part of
// the range and any call not yet folded from raw calls shaped like them, so sums and counts
// are exact.
import type { CallFilters, SqlReader } from '../../store/ports.js';
import type { Dialect } from '../filters.js';
import { sqlTimestamp, type SqlParams } from '../sql-params.js';
import { filtersFitPeopleSessions, projectRange, wholeDaysOf } from './people-sessions.js';
import { chooseRollupSegments, type RollupRead, type Segment } from './rollup-plan.js';
import { perCallRowsSql, pgUnfoldedCallsCte, rollupTableName, unfoldedCalls, type RollupGrain, type RollupTable } from './rollup-schema.js';

/** The rollup read of a range, when only project and time filter it and the planner would read rollups for it. */
export async function keyedRollupRead(reader: SqlReader, filters: CallFilters): Promise<RollupRead | null> {
  if (!filtersFitPeopleSessions(filters)) return null;
  return chooseRollupSegments(reader, { metrics: ['requests'], dimensions: [], filters });
}

/** A rollup read with its whole days [from, to) in epoch ms (what day-only tables need). */
export interface WholeDays {
  read: RollupRead;
  days: [number, number];
}

/** The read and its whole days, when only project and time filter and the range holds a whole day. */
export async function wholeDaysRead(reader: SqlReader, filters: CallFilters): Promise<WholeDays | null> {
  const read = await keyedRollupRead(reader, filters);
  const days = read ? wholeDaysOf(read) : null;
  return read && days ? { read, days } : null;
}

export interface RollupParts {
  /** CTEs the statement must define before reading parts (PostgreSQL: its queued calls, read once for every table). */
  ctes: string[];
  /** A table's key and value columns over the range, as one UNION ALL. */
  parts(table: RollupTable): string;
}

/** Consecutive segments joined into spans. */
function spans(segments: readonly Segment[]): Segment[] {
  const joined: Segment[] = [];
  for (const segment of segments) {
    const last = joined[joined.length - 1];
    if (last && last.to === segment.from) last.to = segment.to;
    else joined.push({ grain: null, from: segment.from, to: segment.to });
  }
  return joined;
}

export function rollupParts(filters: CallFilters, read: RollupRead, params: SqlParams, dialect: Dialect): RollupParts {
  const range = projectRange(filters.projectId, params, dialect);
  const bound = (at: number) => (Number.isFinite(at) ? at : undefined);
  const rolled = read.segments.filter((segment) => segment.grain !== null);
  const ctes = dialect === 'postgres' && rolled.length > 0
    ? [pgUnfoldedCallsCte(filters.projectId, Math.min(...rolled.map((s) => s.from)), Math.max(...rolled.map((s) => s.to)), params)]
    : [];
  const unfolded = unfoldedCalls(dialect, read.watermarkFloor);
  return {
    ctes,
    parts(table) {
      const columns = [...table.extraKeys, ...table.values];
      const raw = (from: string, where: string) => `SELECT ${columns.map((column) => `${column.perCall} AS ${column.name}`).join(', ')} ${perCallRowsSql(table, from, where)}`;
      // A segment of a grain the table does not keep is read raw, with its raw neighbours.
      const grainOf = (segment: Segment): RollupGrain | null => (segment.grain !== null && table.grains.includes(segment.grain) ? segment.grain : null);
      const selects: string[] = [];
      for (const segment of read.segments) {
        const grain = grainOf(segment);
        if (grain === null) continue;
        const where = `project_id = ${params.add(filters.projectId)} AND bucket >= ${params.add(sqlTimestamp(segment.from))}::TIMESTAMP AND bucket < ${params.add(sqlTimestamp(segment.to))}::TIMESTAMP`;
        selects.push(`SELECT ${columns.map((column) => column.name).join(', ')} FROM ${rollupTableName(table, grain)} WHERE ${where}`);
      }
      for (const span of spans(read.segments.filter((segment) => grainOf(segment) === null))) selects.push(raw('calls', range(span.from, bound(span.to))));
      // The calls the rows read above do not hold yet.
      for (const span of spans(read.segments.filter((segment) => grainOf(segment) !== null))) selects.push(raw(unfolded.from, `${range(span.from, span.to)} AND ${unfolded.where}`));
      return selects.join(' UNION ALL ');
    },
  };
}
