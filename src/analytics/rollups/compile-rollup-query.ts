// Compiles a metrics query to SQL over rollups: the range's segments (rollup rows of each
// grain, raw calls at the edges, shaped alike) are unioned into "parts", and every metric is
// an aggregate over the parts. Percentiles walk the cumulative histogram to the bin holding
// the order statistic at rank ⌊q·(n−1)⌋ and report the bin's middle.
import type { CallFilters } from '../../store/ports.js';
import { compileCallFilters, type Dialect } from '../filters.js';
import { dimensionColumn, type CompiledQuery, type MetricsQuery } from '../metrics/compile-query.js';
import type { MetricName } from '../metrics/definitions.js';
import { SqlParams } from '../sql-params.js';
import type { RollupRead, Segment } from './rollup-plan.js';
import { ROLLUP_METRICS } from './rollup-metrics.js';
import { memberBitsCountSql } from './member-bitmaps.js';
import { binValueSql, CALL_ROLLUPS, MEMBER_ROLLUPS, NULL_BIN, perCallRowsSql, ROLLUP_DIMENSIONS, rollupTableName, TTFT_ROLLUPS, unfoldedCalls, pgUnfoldedCallsCte } from './rollup-schema.js';

type Parts = 'calls' | 'ttft';

function segmentWhere(filters: CallFilters, segment: Segment, params: SqlParams, dialect: Dialect): string {
  const scoped: CallFilters = { ...filters, from: segment.from, to: segment.to };
  if (!Number.isFinite(segment.to)) delete scoped.to;
  return compileCallFilters(scoped, params, dialect, segment.grain === null ? 'started_at' : 'bucket');
}

/** Rollup rows and raw calls of every segment, with the same columns (`withTail` false: the
 * rollup rows alone, for a quick count). */
export function partsSql(parts: Parts, read: RollupRead, filters: CallFilters, params: SqlParams, dialect: Dialect, withTail = true): string {
  const { segments } = read;
  const table = parts === 'calls' ? CALL_ROLLUPS : TTFT_ROLLUPS;
  const columns = [...ROLLUP_DIMENSIONS, 'bucket', ...table.extraKeys.map((key) => key.name), ...table.values.map((value) => value.name)];
  const rawColumns = [
    ...ROLLUP_DIMENSIONS, 'started_at AS bucket',
    ...table.extraKeys.map((key) => `${key.perCall} AS ${key.name}`),
    ...table.values.map((value) => `${value.perCall} AS ${value.name}`),
  ];
  const selects = segments.map((segment) => {
    const where = segmentWhere(filters, segment, params, dialect);
    if (segment.grain !== null) return `SELECT ${columns.join(', ')} FROM ${rollupTableName(table, segment.grain)} WHERE ${where}`;
    return `SELECT ${rawColumns.join(', ')} ${perCallRowsSql(table, 'calls', where)}`;
  });
  const tail = withTail ? rolledSpan(segments) : null;
  if (tail) {
    const unfolded = unfoldedCalls(dialect, read.watermarkFloor);
    selects.push(`SELECT ${rawColumns.join(', ')} ${perCallRowsSql(table, unfolded.from, `${segmentWhere(filters, tail, params, dialect)} AND ${unfolded.where}`)}`);
  }
  return selects.join(' UNION ALL ');
}

/**
 * PostgreSQL: the CTE of the statement's queued calls (partsSql and the member counts read it),
 * when its segments read rollups; null otherwise, and on DuckDB, which reads them from calls.
 */
export function unfoldedCallsCte(read: RollupRead, filters: CallFilters, params: SqlParams, dialect: Dialect): string | null {
  const span = rolledSpan(read.segments);
  return dialect === 'postgres' && span ? pgUnfoldedCallsCte(filters.projectId, span.from, span.to, params) : null;
}

/**
 * The time span of the segments rollups answer (they are contiguous): its calls not yet folded
 * into the rollups are read raw. null when no segment reads rollups.
 */
function rolledSpan(segments: readonly Segment[]): Segment | null {
  const covered = segments.filter((segment) => segment.grain !== null);
  if (covered.length === 0) return null;
  return { grain: null, from: Math.min(...covered.map((segment) => segment.from)), to: Math.max(...covered.map((segment) => segment.to)) };
}

/**
 * Distinct users ('u') or sessions ('s') seen in the range from member rows (DuckDB; PostgreSQL
 * reads member-id bitmaps, member-bitmaps.ts), exactly: the members of the whole days, plus the
 * members of the edges (hour member rows, raw calls for the minutes at the ends and above the
 * watermark) that no day row of the range has. One count(DISTINCT …) over the union of day
 * member rows and the raw calls of the partial days sorted every member row of the range and
 * read up to two days of calls.
 */
function membersCountSql(kind: 'u' | 's', read: RollupRead, filters: CallFilters, params: SqlParams, dialect: Dialect): string {
  const { segments } = read;
  const column = kind === 'u' ? 'user_id' : 'session_id';
  const days = rollupTableName(MEMBER_ROLLUPS, 'day');
  const raw = (segment: Segment, extra = '') => `SELECT ${column} AS member FROM calls WHERE ${segmentWhere(filters, segment, params, dialect)} AND ${column} IS NOT NULL${extra}`;
  const rows = (segment: Segment) => (segment.grain === null ? raw(segment)
    : `SELECT member FROM ${rollupTableName(MEMBER_ROLLUPS, segment.grain)} WHERE kind = '${kind}' AND ${segmentWhere(filters, segment, params, dialect)}`);
  const daySegments = segments.filter((segment) => segment.grain === 'day');
  const edges = segments.filter((segment) => segment.grain !== 'day').map(rows);
  const tail = rolledSpan(segments);
  if (tail) edges.push(raw(tail, ` AND ${unfoldedCalls(dialect, read.watermarkFloor).where}`));
  // Day segments are contiguous (whole days in the middle of the range): one span.
  const daySpan: Segment | null = daySegments.length === 0 ? null
    : { grain: 'day', from: Math.min(...daySegments.map((segment) => segment.from)), to: Math.max(...daySegments.map((segment) => segment.to)) };
  const dayWhere = (span: Segment) => `${days}.kind = '${kind}' AND ${segmentWhere(filters, span, params, dialect)}`;
  const counts: string[] = [];
  if (daySpan) counts.push(`(SELECT count(*) FROM (SELECT DISTINCT member FROM ${days} WHERE ${dayWhere(daySpan)}) day_members)`);
  if (edges.length > 0) {
    const unseen = daySpan ? ` WHERE NOT EXISTS (SELECT 1 FROM ${days} WHERE ${days}.member = edge_members.member AND ${dayWhere(daySpan)})` : '';
    counts.push(`(SELECT count(*) FROM (SELECT DISTINCT member FROM (${edges.join(' UNION ALL ')}) edge_rows) edge_members${unseen})`);
  }
  return counts.length === 0 ? '0' : counts.join(' + ');
}

export interface Group {
  /** Select-list expressions over parts. */
  select: string[];
  /** Their output names. */
  names: string[];
}

/** Bin of each requested quantile of one histogram, per group. */
export function quantileBinsSql(parts: string, bin: string, quantiles: number[], group: Group): string {
  const positions = group.select.map((_, i) => i + 1);
  const partition = group.names.length > 0 ? `PARTITION BY ${group.names.join(', ')} ` : '';
  const bins = quantiles.map((q, i) => `min(bin) FILTER (WHERE upto > floor(${q} * (total - 1))) AS b${i}`);
  return `SELECT ${[...group.names, ...bins].join(', ')} FROM (
      SELECT ${[...group.names, 'bin'].join(', ')},
        sum(n) OVER (${partition}ORDER BY bin ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto,
        sum(n) OVER (${partition.trim()}) AS total
      FROM (SELECT ${[...group.select, `${bin} AS bin`, 'sum(calls) AS n'].join(', ')} FROM ${parts} WHERE ${bin} > ${NULL_BIN}
            GROUP BY ${[...positions, positions.length + 1].join(', ')}) binned
    ) cumulative${group.names.length > 0 ? ` GROUP BY ${group.names.join(', ')}` : ''}`;
}

function joinOn(group: Group, alias: string): string {
  return group.names.length === 0 ? 'TRUE' : group.names.map((name) => `aggregated.${name} = ${alias}.${name}`).join(' AND ');
}

/**
 * `orderBy` takes the caller's ORDER BY and LIMIT suffix (the raw compiler's, so both orders
 * are the same).
 */
export function compileRollupQuery(query: MetricsQuery, read: RollupRead, dialect: Dialect, orderBy: (group: string[]) => string): CompiledQuery {
  const params = new SqlParams();
  const group: Group = { select: [], names: [] };
  if (query.timeBucket) {
    group.select.push(`date_trunc('${query.timeBucket}', bucket) AS bucket`);
    group.names.push('bucket');
  }
  for (const dimension of new Set(query.dimensions ?? [])) {
    const column = `"${dimensionColumn(dimension)}"`;
    group.select.push(`${dimension} AS ${column}`);
    group.names.push(column);
  }
  const metrics = [...new Set(query.metrics)];
  const aggregates: string[] = [];
  /** Whether an aggregate reads the parts (distinct members read tables of their own). */
  let overParts = group.select.length > 0;
  const outer: string[] = [];
  const histograms = new Map<'latency' | 'ttft', number[]>();
  for (const metric of metrics) {
    const definition = ROLLUP_METRICS[metric as MetricName];
    if (!definition) throw new Error(`metric ${metric} has no rollup form`);
    if ('sql' in definition) {
      overParts = true;
      aggregates.push(`${definition.sql} AS ${metric}`);
      outer.push(`aggregated.${metric}`);
    } else if ('members' in definition) {
      // PostgreSQL keeps members as bitmaps; DuckDB as member rows.
      const members = dialect === 'postgres' ? memberBitsCountSql(definition.members, read.segments, query.filters, params, rolledSpan(read.segments)) : membersCountSql(definition.members, read, query.filters, params, dialect);
      aggregates.push(`(${members}) AS ${metric}`);
      outer.push(`aggregated.${metric}`);
    } else {
      const list = histograms.get(definition.histogram) ?? [];
      list.push(definition.q);
      histograms.set(definition.histogram, list);
      outer.push(`${binValueSql(`${definition.histogram}_bins.b${list.length - 1}`)} AS ${metric}`);
    }
  }
  const unfolded = unfoldedCallsCte(read, query.filters, params, dialect);
  // PostgreSQL materializes a CTE read twice (the sums and the histogram) into a tuple store:
  // reading the rollup rows twice instead took 25-31 % less time (1M calls: an hourly trend over
  // 30 days 519 -> 357 ms, the overview's figures 50 -> 35 ms, per model 58 -> 43 ms, measured).
  const inlined = dialect === 'postgres' ? 'NOT MATERIALIZED ' : '';
  const ctes = [...(unfolded ? [unfolded] : []), `parts AS ${inlined}(${partsSql('calls', read, query.filters, params, dialect)})`];
  if (histograms.has('ttft')) ctes.push(`ttft_parts AS (${partsSql('ttft', read, query.filters, params, dialect)})`);
  const groupBy = group.select.length > 0 ? ` GROUP BY ${group.select.map((_, i) => i + 1).join(', ')}` : '';
  // A query of percentiles alone still needs a select list (and its one ungrouped row).
  const aggregatedColumns = [...group.select, ...aggregates];
  // Distinct members alone: one row, without reading the parts (a select list of scalar
  // subqueries over them would give one row per part).
  ctes.push(overParts || aggregatedColumns.length === 0
    ? `aggregated AS (SELECT ${aggregatedColumns.length > 0 ? aggregatedColumns.join(', ') : 'count(*) AS parts'} FROM parts${groupBy})`
    : `aggregated AS (SELECT ${aggregatedColumns.join(', ')})`);
  const joins: string[] = [];
  for (const [histogram, quantiles] of histograms) {
    const source = histogram === 'latency' ? 'parts' : 'ttft_parts';
    ctes.push(`${histogram}_bins AS (${quantileBinsSql(source, `${histogram}_bin`, quantiles, group)})`);
    joins.push(` LEFT JOIN ${histogram}_bins ON ${joinOn(group, `${histogram}_bins`)}`);
  }
  const selected = [...group.names.map((name) => `aggregated.${name}`), ...outer];
  const sql = `WITH ${ctes.join(', ')} SELECT * FROM (SELECT ${selected.join(', ')} FROM aggregated${joins.join('')}) answered${orderBy(group.names)}`;
  return { sql, params: params.values };
}
