// analytics/heatmap: one metric over two dimensions (seed 000's symbol × model). win_rate
// joins each call to its outcomes.
import type { CallFilters, SqlReader } from '../store/ports.js';
import { compileCallFilters } from './filters.js';
import { dimensionColumn } from './metrics/compile-query.js';
import { DIMENSIONS, type DimensionName } from './metrics/definitions.js';
import { runMetrics } from './metrics/run-query.js';
import { SqlParams } from './sql-params.js';

export const HEATMAP_METRICS = ['success_rate', 'avg_latency', 'cost', 'requests', 'win_rate'] as const;
export type HeatmapMetric = (typeof HEATMAP_METRICS)[number];

export interface Heatmap {
  rows: string[];
  cols: string[];
  /** data[i][j] is the metric for rows[i] × cols[j]; null where there were no calls. */
  data: (number | null)[][];
  counts: number[][];
  metric: HeatmapMetric;
}

function dimensionExpression(name: DimensionName, params: SqlParams, alias: string): string {
  if (name.startsWith('property.')) return `(${alias}.properties->>${params.add(name.slice('property.'.length))})`;
  return `${alias}.${DIMENSIONS[name as keyof typeof DIMENSIONS]}`;
}

async function winRateCells(reader: SqlReader, filters: CallFilters, rows: DimensionName, cols: DimensionName) {
  const params = new SqlParams();
  const where = compileCallFilters(filters, params, reader.dialect);
  const rowSql = dimensionExpression(rows, params, 'c');
  const colSql = dimensionExpression(cols, params, 'c');
  return reader.query<{ r: string | null; c: string | null; value: number | null; n: number }>(
    `SELECT ${rowSql} AS r, ${colSql} AS c,
            CAST(count(*) FILTER (WHERE o.status = 'win') AS DOUBLE) / NULLIF(count(*) FILTER (WHERE o.status IN ('win', 'loss')), 0) AS value,
            count(*) FILTER (WHERE o.status IN ('win', 'loss')) AS n
     FROM (SELECT * FROM calls WHERE ${where}) c JOIN outcomes o ON o.project_id = c.project_id AND o.target = c.id
     GROUP BY 1, 2`,
    params.values,
  );
}

export async function heatmap(reader: SqlReader, filters: CallFilters, rows: DimensionName, cols: DimensionName, metric: HeatmapMetric): Promise<Heatmap> {
  let cells: { r: string | null; c: string | null; value: number | null; n: number }[];
  if (metric === 'win_rate') cells = await winRateCells(reader, filters, rows, cols);
  else {
    const result = await runMetrics(reader, { metrics: metric === 'requests' ? ['requests'] : [metric, 'requests'], dimensions: [rows, cols], filters, limit: 10_000 });
    cells = result.map((row) => ({ r: row[dimensionColumn(rows)] as string | null, c: row[dimensionColumn(cols)] as string | null, value: row[metric] as number | null, n: Number(row.requests) }));
  }
  const label = (value: string | null) => value ?? '(none)';
  const rowLabels = [...new Set(cells.map((cell) => label(cell.r)))].sort();
  const colLabels = [...new Set(cells.map((cell) => label(cell.c)))].sort();
  const data = rowLabels.map(() => colLabels.map((): number | null => null));
  const counts = rowLabels.map(() => colLabels.map(() => 0));
  for (const cell of cells) {
    const i = rowLabels.indexOf(label(cell.r));
    const j = colLabels.indexOf(label(cell.c));
    data[i]![j] = cell.value === null ? null : Number(cell.value);
    counts[i]![j] = Number(cell.n);
  }
  return { rows: rowLabels, cols: colLabels, data, counts, metric };
}
