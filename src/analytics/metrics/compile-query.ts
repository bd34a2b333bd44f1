// Compiles a metrics query (metrics × dimensions × filters × optional time bucket) to one
// SQL statement with positional parameters. Names come from the definitions only; values
// (filters, property names) always travel as parameters.
import type { CallFilters } from '../../store/ports.js';
import { compileCallFilters, type Dialect } from '../filters.js';
import { SqlParams } from '../sql-params.js';
import { compileRollupQuery } from '../rollups/compile-rollup-query.js';
import type { RollupRead } from '../rollups/rollup-plan.js';
import { DIMENSIONS, METRICS, type DimensionName, type MetricDefinition, type MetricName } from './definitions.js';

export const TIME_BUCKETS = ['hour', 'day'] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];

export interface MetricsQuery {
  metrics: readonly MetricName[];
  dimensions?: readonly DimensionName[];
  filters: CallFilters;
  timeBucket?: TimeBucket;
  /** A metric or dimension name; default: the bucket, else the first metric descending. */
  orderBy?: { field: string; direction: 'asc' | 'desc' };
  limit?: number;
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
}

function dimensionSql(name: DimensionName, params: SqlParams): string {
  if (name.startsWith('property.')) return `(properties->>${params.add(name.slice('property.'.length))})`;
  return DIMENSIONS[name as keyof typeof DIMENSIONS];
}

/** Output column name of a dimension (`property.symbol` → `property_symbol`). */
export function dimensionColumn(name: DimensionName): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** All requested quantiles of one column, computed by one aggregate (one sort, not one per quantile). */
function percentileList(column: string, quantiles: number[], dialect: Dialect): string {
  return dialect === 'duckdb' ? `quantile_cont(${column}, [${quantiles.join(', ')}])` : `percentile_cont(ARRAY[${quantiles.join(', ')}]::double precision[]) WITHIN GROUP (ORDER BY ${column})`;
}

/** ORDER BY a requested metric or dimension only (else the bucket, else the first metric
 * descending), then the groups, so equal values come back in a stable order. */
function orderClause(query: MetricsQuery, metrics: readonly MetricName[], dimensions: readonly DimensionName[], group: string[]): string {
  const field = query.orderBy?.field;
  const asMetric = field !== undefined && ((metrics as readonly string[]).includes(field) || (field === 'bucket' && query.timeBucket !== undefined));
  const asDimension = field !== undefined && dimensions.map(dimensionColumn).includes(field);
  const order = query.orderBy && (asMetric || asDimension) ? { field: asMetric ? field! : `"${field!}"`, direction: query.orderBy.direction }
    : query.timeBucket ? { field: 'bucket', direction: 'asc' as const }
    : group.length > 0 ? { field: metrics[0]!, direction: 'desc' as const } : null;
  if (!order) return '';
  return ` ORDER BY ${order.field} ${order.direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST${group.length > 0 ? `, ${group.join(', ')}` : ''}`;
}

function limitClause(query: MetricsQuery): string {
  return query.limit === undefined ? '' : ` LIMIT ${Math.max(1, Math.min(10_000, Math.floor(query.limit)))}`;
}

/**
 * Scans raw calls, or reads the given rollup segments (src/analytics/rollups/rollup-plan.ts
 * decides when a query may).
 */
export function compileMetricsQuery(query: MetricsQuery, dialect: Dialect, rollups: RollupRead | null = null): CompiledQuery {
  if (query.timeBucket && !TIME_BUCKETS.includes(query.timeBucket)) throw new Error(`unknown time bucket ${String(query.timeBucket)}`);
  const metrics = [...new Set(query.metrics)];
  const dimensions = [...new Set(query.dimensions ?? [])];
  if (rollups) return compileRollupQuery(query, rollups, dialect, (group) => orderClause(query, metrics, dimensions, group) + limitClause(query));
  return compileRawQuery(query, dialect);
}

function compileRawQuery(query: MetricsQuery, dialect: Dialect): CompiledQuery {
  const params = new SqlParams();
  const inner: string[] = [];
  const outer: string[] = [];
  const group: string[] = [];
  if (query.timeBucket) {
    // Spliced into the SQL text, so checked here too, not only by the caller's types.
    if (!TIME_BUCKETS.includes(query.timeBucket)) throw new Error(`unknown time bucket ${String(query.timeBucket)}`);
    inner.push(`date_trunc('${query.timeBucket}', started_at) AS bucket`);
    group.push('bucket');
  }
  // A dimension asked for twice (a heatmap of model × model) is one column, not a clash.
  const dimensions = [...new Set(query.dimensions ?? [])];
  for (const dimension of dimensions) {
    // Quoted: `user` unquoted is CURRENT_USER on PostgreSQL, even in GROUP BY.
    const column = `"${dimensionColumn(dimension)}"`;
    inner.push(`${dimensionSql(dimension, params)} AS ${column}`);
    group.push(column);
  }
  const quantiles = new Map<string, number[]>();
  const metrics = [...new Set(query.metrics)];
  for (const metric of metrics) {
    const definition: MetricDefinition = METRICS[metric];
    if (definition.percentile) {
      const list = quantiles.get(definition.percentile.column) ?? [];
      list.push(definition.percentile.q);
      quantiles.set(definition.percentile.column, list);
      outer.push(`pct_${definition.percentile.column}[${list.length}] AS ${metric}`);
    } else {
      inner.push(`${definition.sql(dialect)} AS ${metric}`);
      outer.push(metric);
    }
  }
  for (const [column, list] of quantiles) inner.push(`${percentileList(column, list, dialect)} AS pct_${column}`);
  const where = compileCallFilters(query.filters, params, dialect);
  let sql = `SELECT ${inner.join(', ')} FROM calls WHERE ${where}`;
  if (group.length > 0) sql += ` GROUP BY ${group.join(', ')}`;
  if (quantiles.size > 0) sql = `SELECT ${[...group, ...outer].join(', ')} FROM (${sql}) grouped`;
  sql += orderClause(query, metrics, dimensions, group) + limitClause(query);
  return { sql, params: params.values };
}
