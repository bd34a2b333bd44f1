// Compiles a metrics query (metrics × dimensions × filters × optional time bucket) to one
// SQL statement with positional parameters. Names come from the definitions only; values
// (filters, property names) always travel as parameters.
import type { CallFilters } from '../../store/ports.js';
import { compileCallFilters, type Dialect } from '../filters.js';
import { SqlParams } from '../sql-params.js';
import { DIMENSIONS, METRICS, type DimensionName, type MetricDefinition, type MetricName } from './definitions.js';

export type TimeBucket = 'hour' | 'day';

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

export function compileMetricsQuery(query: MetricsQuery, dialect: Dialect): CompiledQuery {
  const params = new SqlParams();
  const inner: string[] = [];
  const outer: string[] = [];
  const group: string[] = [];
  if (query.timeBucket) {
    inner.push(`date_trunc('${query.timeBucket}', started_at) AS bucket`);
    group.push('bucket');
  }
  for (const dimension of query.dimensions ?? []) {
    const column = dimensionColumn(dimension);
    inner.push(`${dimensionSql(dimension, params)} AS ${column}`);
    group.push(column);
  }
  const quantiles = new Map<string, number[]>();
  for (const metric of query.metrics) {
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
  const known = new Set<string>([...query.metrics, ...(query.dimensions ?? []).map(dimensionColumn), ...(query.timeBucket ? ['bucket'] : [])]);
  const order = query.orderBy && known.has(query.orderBy.field) ? query.orderBy : query.timeBucket ? { field: 'bucket', direction: 'asc' as const } : group.length > 0 ? { field: query.metrics[0]!, direction: 'desc' as const } : null;
  if (order) sql += ` ORDER BY ${order.field} ${order.direction === 'asc' ? 'ASC' : 'DESC'} NULLS LAST${group.length > 0 ? `, ${group.join(', ')}` : ''}`;
  if (query.limit !== undefined) sql += ` LIMIT ${Math.max(1, Math.min(10_000, Math.floor(query.limit)))}`;
  return { sql, params: params.values };
}
