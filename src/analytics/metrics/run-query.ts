// Runs a compiled metrics query and returns plain rows: numbers as numbers, time buckets as
// ISO-8601 strings.
import type { SqlReader } from '../../store/ports.js';
import { chooseRollupSegments } from '../rollups/rollup-plan.js';
import { compileMetricsQuery, type MetricsQuery } from './compile-query.js';

export type MetricRow = Record<string, number | string | null>;

export async function runMetrics(reader: SqlReader, query: MetricsQuery): Promise<MetricRow[]> {
  const rollups = await chooseRollupSegments(reader, {
    metrics: query.metrics, dimensions: [...new Set(query.dimensions ?? [])], filters: query.filters, ...(query.timeBucket ? { timeBucket: query.timeBucket } : {}),
  });
  const compiled = compileMetricsQuery(query, reader.dialect, rollups);
  const rows = await reader.query(compiled.sql, compiled.params);
  return rows.map(plainRow);
}

/** A result row as plain values. */
export function plainRow(row: Record<string, unknown>): MetricRow {
  const out: MetricRow = {};
  for (const [key, value] of Object.entries(row)) {
    // DuckDB's reader gives timestamps as epoch ms, a PostgreSQL driver as Date; counts may be bigint.
    if (key === 'bucket' && typeof value === 'number') out[key] = new Date(value).toISOString();
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === 'bigint') out[key] = Number(value);
    else out[key] = value === null || value === undefined ? null : typeof value === 'number' || typeof value === 'string' ? value : String(value);
  }
  return out;
}

/** The single row of an ungrouped query. */
export async function runTotals(reader: SqlReader, query: MetricsQuery): Promise<MetricRow> {
  const [row] = await runMetrics(reader, query);
  return row ?? {};
}
