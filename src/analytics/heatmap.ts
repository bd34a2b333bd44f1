// analytics/heatmap: one metric over two dimensions (seed 000's symbol × model). win_rate
// counts the decided outcomes of each cell's calls.
import type { CallFilters, SqlReader } from '../store/ports.js';
import { decisionsQuery, type OutcomeScope } from '../outcomes/decisions-sql.js';
import { dimensionColumn } from './metrics/compile-query.js';
import { DIMENSIONS, type DimensionName } from './metrics/definitions.js';
import { runMetrics } from './metrics/run-query.js';
import type { SqlParams } from './sql-params.js';

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

/** The dimension as SQL over the calls table's own columns. */
function dimensionExpression(name: DimensionName, params: SqlParams): string {
  if (name.startsWith('property.')) return `(properties->>${params.add(name.slice('property.'.length))})`;
  return DIMENSIONS[name as keyof typeof DIMENSIONS];
}

/**
 * Win rate per cell, with outcomes resolved to their deciding call by the same rule as the
 * outcome analytics (src/outcomes/decisions-sql.ts): an outcome on a session belongs to the
 * session's last call. Wins / (wins + losses); neutral and open outcomes are undecided.
 */
async function winRateCells(reader: SqlReader, scope: OutcomeScope, rows: DimensionName, cols: DimensionName) {
  // The cell's dimensions come with the deciding call, not from a second join with calls.
  const query = decisionsQuery(scope, reader.dialect, (params) => ({ heat_row: dimensionExpression(rows, params), heat_col: dimensionExpression(cols, params) }));
  return reader.query<{ r: string | null; c: string | null; value: number | null; n: number }>(
    `${query.with}
     SELECT heat_row AS r, heat_col AS c, avg(won) AS value, count(won) AS n
     FROM decisions
     WHERE won IS NOT NULL
     GROUP BY 1, 2`,
    query.params.values,
  );
}

export interface HeatmapOptions {
  rows: DimensionName;
  cols: DimensionName;
  metric: HeatmapMetric;
  /** win_rate only: count outcomes of this name alone. */
  outcomeName?: string;
}

export async function heatmap(reader: SqlReader, filters: CallFilters, options: HeatmapOptions): Promise<Heatmap> {
  const { rows, cols, metric } = options;
  let cells: { r: string | null; c: string | null; value: number | null; n: number }[];
  if (metric === 'win_rate') cells = await winRateCells(reader, { filters, ...(options.outcomeName !== undefined ? { outcomeName: options.outcomeName } : {}) }, rows, cols);
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
