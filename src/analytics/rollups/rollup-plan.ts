// When a metrics query may read rollups, and which rollup grain answers each part of its
// range: whole days from day rows, whole hours from hour rows, and the part of an hour at
// either edge from raw calls, so sums and counts stay exact.
import type { CallFilters, SqlReader } from '../../store/ports.js';
import type { DimensionName, MetricName } from '../metrics/definitions.js';
import { GRAIN_MS, ROLLUP_DIMENSIONS, ROLLUP_WATERMARK_TABLE, type RollupGrain } from './rollup-schema.js';
import { SqlParams } from '../sql-params.js';
import { partsSql } from './compile-rollup-query.js';
import { ROLLUP_METRICS } from './rollup-metrics.js';

/** Shorter ranges read raw rows: they are cheap to scan and their answers are exact. */
export const ROLLUP_MIN_RANGE_MS = 6 * 3_600_000;

export interface Segment {
  /** null: raw calls. */
  grain: RollupGrain | null;
  from: number;
  /** Infinity: open-ended (raw segments only). */
  to: number;
}

const ROLLUP_FILTERS = new Set<keyof CallFilters>(['projectId', 'from', 'to', ...ROLLUP_DIMENSIONS]);

/** Only project, time and the rollup dimensions filter, or a rollup cannot answer. */
export function filtersFitRollups(filters: CallFilters): boolean {
  // An empty string is a condition (compileCallFilters matches it), not an absent filter.
  const unset = (value: unknown) => value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
  return Object.entries(filters).every(([key, value]) => unset(value) || ROLLUP_FILTERS.has(key as keyof CallFilters));
}

type RollupMode = 'raw' | 'rollups';
const readerModes = new WeakMap<SqlReader, RollupMode>();

function readerWith(reader: SqlReader, mode: RollupMode): SqlReader {
  const wrapped: SqlReader = { dialect: reader.dialect, query: (sql, params) => reader.query(sql, params) };
  readerModes.set(wrapped, mode);
  return wrapped;
}

/** A reader whose analytics always scan raw calls (the reference rollups are measured against). */
export function rawRowsOnly(reader: SqlReader): SqlReader {
  return readerWith(reader, 'raw');
}

/** A reader whose analytics read rollups for every range they fit, however few its calls. */
export function rollupsWhereverTheyFit(reader: SqlReader): SqlReader {
  return readerWith(reader, 'rollups');
}

/**
 * Below this many calls a range is scanned: exact percentiles cost little there. Counted from
 * the rollup rows of the range, which costs one small indexed read.
 */
export const ROLLUP_MIN_CALLS = 50_000;

/** [from, to) split into the coarsest whole buckets of `grains` (coarsest first), raw at the edges. */
export function splitRange(from: number, to: number, grains: readonly RollupGrain[]): Segment[] {
  if (from >= to) return [];
  const [grain, ...finer] = grains;
  if (grain === undefined) return [{ grain: null, from, to }];
  const size = GRAIN_MS[grain];
  const start = Math.ceil(from / size) * size;
  const end = Math.floor(to / size) * size;
  if (start >= end) return splitRange(from, to, finer);
  return [...splitRange(from, start, finer), { grain, from: start, to: end }, ...splitRange(end, to, finer)];
}

export interface RollupQueryShape {
  metrics: readonly MetricName[];
  dimensions: readonly DimensionName[];
  filters: CallFilters;
  timeBucket?: 'hour' | 'day';
}

/** The segments a query reads, or null when it must scan raw calls. */
export function planRollupRead(query: RollupQueryShape, now = Date.now()): Segment[] | null {
  const { from } = query.filters;
  // An open end is "now" for the rollup buckets; calls after it (clocks ahead) are still read raw.
  const to = query.filters.to ?? now;
  if (from === undefined || to - from < ROLLUP_MIN_RANGE_MS) return null;
  if (!filtersFitRollups(query.filters)) return null;
  if (!query.dimensions.every((dimension) => (ROLLUP_DIMENSIONS as readonly string[]).includes(dimension))) return null;
  const grouped = query.dimensions.length > 0 || query.timeBucket !== undefined;
  // Member rows know only project and day, so they answer distinct counts of unfiltered totals.
  const narrowed = ROLLUP_DIMENSIONS.some((dimension) => (query.filters[dimension]?.length ?? 0) > 0);
  for (const metric of query.metrics) {
    const definition = ROLLUP_METRICS[metric];
    if (!definition || ('members' in definition && (grouped || narrowed))) return null;
  }
  // A day row cannot be split into hours.
  const grains: RollupGrain[] = query.timeBucket === 'hour' ? ['hour'] : ['day', 'hour'];
  const segments = splitRange(from, to, grains);
  if (query.filters.to === undefined) {
    const last = segments[segments.length - 1];
    if (last && last.grain === null) last.to = Infinity;
    else segments.push({ grain: null, from: to, to: Infinity });
  }
  return segments;
}

/** What a query reads from rollups: its segments, and (DuckDB) the watermark seen when planning. */
export interface RollupRead {
  segments: Segment[];
  /**
   * The folder only moves the watermark up, so calls at or below this one are in the rollups
   * whenever the query runs: stated as a constant, it lets zone maps skip them when the raw
   * tail is read (the exact bound is still the watermark in the query's own snapshot).
   */
  watermarkFloor: number;
}

/** The rollup read a query makes on this reader, or null to scan raw calls. */
export async function chooseRollupSegments(reader: SqlReader, query: RollupQueryShape): Promise<RollupRead | null> {
  const mode = readerModes.get(reader);
  if (mode === 'raw') return null;
  const segments = planRollupRead(query);
  if (!segments) return null;
  const params = new SqlParams();
  const rolled = segments.filter((segment) => segment.grain !== null);
  const watermark = reader.dialect === 'duckdb' ? `(SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE})` : '0';
  const counted = mode !== 'rollups' && rolled.length > 0
    ? `(SELECT sum(calls) FROM (${partsSql('calls', { segments: rolled, watermarkFloor: 0 }, query.filters, params, reader.dialect, false)}) parts)`
    : 'NULL';
  const [row] = await reader.query<{ n: number | bigint | null; watermark: number | bigint }>(`SELECT ${counted} AS n, ${watermark} AS watermark`, params.values);
  const read = { segments, watermarkFloor: Number(row?.watermark ?? 0) };
  if (mode === 'rollups') return read;
  return rolled.length > 0 && Number(row?.n ?? 0) >= ROLLUP_MIN_CALLS ? read : null;
}
