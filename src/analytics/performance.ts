// analytics/performance: latency and TTFT percentiles, generation speed, a latency
// histogram, error rates overall and by provider, and the performance score.
import type { CallFilters, SqlReader } from '../store/ports.js';
import { compileCallFilters } from './filters.js';
import type { MetricName } from './metrics/definitions.js';
import { runMetrics, runTotals, type MetricRow } from './metrics/run-query.js';
import { SqlParams } from './sql-params.js';
import { partsSql, unfoldedCallsCte } from './rollups/compile-rollup-query.js';
import { chooseRollupSegments } from './rollups/rollup-plan.js';
import { bandSql, LATENCY_BUCKETS_MS, NULL_BAND } from './rollups/rollup-schema.js';

const PERFORMANCE_METRICS: MetricName[] = [
  'requests', 'avg_latency', 'p50_latency', 'p95_latency', 'p99_latency', 'min_latency', 'max_latency', 'avg_ttft',
  'avg_tokens_per_second', 'min_tokens_per_second', 'max_tokens_per_second', 'error_rate', 'performance_score',
];
/** Asked for in a query of their own: DuckDB finalizes an ungrouped query's quantiles one
 * after another on one thread, two queries use two (1M calls, paired runs: 151 → 128 ms). */
const TTFT_PERCENTILES: MetricName[] = ['p50_ttft', 'p95_ttft'];

export interface Performance {
  summary: MetricRow;
  latency_histogram: { from_ms: number; to_ms: number | null; count: number }[];
  by_provider: MetricRow[];
}

/** Calls per latency band; the bands are a rollup key, so long ranges count them from rollups exactly. */
async function histogram(reader: SqlReader, filters: CallFilters): Promise<Performance['latency_histogram']> {
  const params = new SqlParams();
  const rollups = await chooseRollupSegments(reader, { metrics: ['requests'], dimensions: [], filters });
  const unfolded = rollups ? unfoldedCallsCte(rollups, filters, params, reader.dialect) : null;
  const source = rollups
    ? `${unfolded ? `WITH ${unfolded} ` : ''}SELECT latency_band AS bucket, sum(calls) AS n FROM (${partsSql('calls', rollups, filters, params, reader.dialect)}) parts WHERE latency_band <> ${NULL_BAND} GROUP BY 1`
    : `SELECT ${bandSql('latency_ms')} AS bucket, count(*) AS n FROM calls WHERE ${compileCallFilters(filters, params, reader.dialect)} AND latency_ms IS NOT NULL GROUP BY 1`;
  const rows = await reader.query<{ bucket: number; n: number }>(source, params.values);
  const counts = new Map(rows.map((row) => [Number(row.bucket), Number(row.n)]));
  return [...LATENCY_BUCKETS_MS, null].map((bound, index) => ({
    from_ms: index === 0 ? 0 : LATENCY_BUCKETS_MS[index - 1]!,
    to_ms: bound,
    count: counts.get(index) ?? 0,
  }));
}

export async function performance(reader: SqlReader, filters: CallFilters): Promise<Performance> {
  const [summary, ttft, buckets, byProvider] = await Promise.all([
    runTotals(reader, { metrics: PERFORMANCE_METRICS, filters }),
    runTotals(reader, { metrics: TTFT_PERCENTILES, filters }),
    histogram(reader, filters),
    // No percentiles per provider here (analytics/providers has them): each is another sort of
    // every latency, and this route already sorts latencies and TTFTs once each.
    runMetrics(reader, { metrics: ['requests', 'errors', 'error_rate', 'avg_latency', 'performance_score'], dimensions: ['provider'], filters }),
  ]);
  return { summary: { ...summary, ...ttft }, latency_histogram: buckets, by_provider: byProvider };
}
