// analytics/models, /providers, /agents, /users and /cost-breakdown: the same metrics per
// dimension value, with a recommendation for models.
import type { CallFilters, SqlReader } from '../store/ports.js';
import { compileCallFilters } from './filters.js';
import type { DimensionName, MetricName } from './metrics/definitions.js';
import { runMetrics, type MetricRow } from './metrics/run-query.js';
import { figuresFromRollups } from './people-breakdown.js';
import { SqlParams } from './sql-params.js';

export const MODEL_METRICS: MetricName[] = [
  'requests', 'success_rate', 'error_rate', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost', 'avg_cost_per_call',
  'unpriced_calls', 'avg_latency', 'p50_latency', 'p95_latency', 'p99_latency', 'avg_ttft', 'avg_tokens_per_second', 'performance_score',
];
const PROVIDER_METRICS: MetricName[] = ['requests', 'successes', 'errors', 'timeouts', 'fallback_calls', 'prompt_tokens', 'completion_tokens', 'success_rate', 'error_rate', 'avg_latency', 'p50_latency', 'p95_latency', 'cost', 'cost_per_1k_tokens', 'total_tokens', 'unpriced_calls', 'models'];

/** Models need this many calls, and 90% success, before they are compared. */
export const RECOMMENDATION_MIN_CALLS = 20;

interface Recommendation {
  recommended: boolean;
  reason: string;
}

export type ModelRow = Record<string, number | string | null | Recommendation>;

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function relative(better: number, worse: number, more: string, less: string): string {
  if (worse === 0) return better === 0 ? `as ${more.split(' ')[0]}` : `${less}`;
  const change = Math.round((1 - better / worse) * 100);
  return change >= 0 ? `${change}% ${more}` : `${-change}% ${less}`;
}

/**
 * The best latency-cost trade-off: each eligible model scores p50/median_p50 +
 * cost/median_cost over the eligible models (lower is better; a free local model scores on
 * latency alone); the lowest is recommended and the others are told how it compares.
 */
export function recommendModels(rows: MetricRow[]): ModelRow[] {
  const eligible = rows.filter((row) => (num(row.requests) ?? 0) >= RECOMMENDATION_MIN_CALLS && (num(row.success_rate) ?? 0) >= 0.9
    && num(row.p50_latency) !== null && num(row.avg_cost_per_call) !== null);
  const typicalLatency = eligible.length > 0 ? median(eligible.map((row) => num(row.p50_latency)!)) : 1;
  const typicalCost = eligible.length > 0 ? median(eligible.map((row) => num(row.avg_cost_per_call)!)) : 0;
  const score = (row: MetricRow) => num(row.p50_latency)! / Math.max(typicalLatency, 1e-9) + (typicalCost > 0 ? num(row.avg_cost_per_call)! / typicalCost : 0);
  const best = eligible.length > 0 ? eligible.reduce((a, b) => (score(b) < score(a) ? b : a)) : null;
  return rows.map((row) => {
    if (!best) return { ...row, recommendation: null };
    if (row === best) {
      return { ...row, recommendation: { recommended: true, reason: `best latency-cost trade-off among ${eligible.length} models with ≥${RECOMMENDATION_MIN_CALLS} calls and ≥90% success: p50 ${Math.round(num(row.p50_latency)!)} ms, $${num(row.avg_cost_per_call)!.toFixed(6)} per call` } };
    }
    if (!eligible.includes(row)) return { ...row, recommendation: null };
    const cost = relative(num(best.avg_cost_per_call)!, num(row.avg_cost_per_call)!, 'cheaper per call', 'more expensive per call');
    const speed = relative(num(best.p50_latency)!, num(row.p50_latency)!, 'faster at p50', 'slower at p50');
    return { ...row, recommendation: { recommended: false, reason: `${String(best.model)} (recommended) is ${cost} and ${speed}` } };
  });
}

export async function modelBreakdown(reader: SqlReader, filters: CallFilters) {
  const rows = await runMetrics(reader, { metrics: MODEL_METRICS, dimensions: ['model', 'provider'], filters, limit: 500 });
  return recommendModels(rows);
}

export function providerBreakdown(reader: SqlReader, filters: CallFilters): Promise<MetricRow[]> {
  return runMetrics(reader, { metrics: PROVIDER_METRICS, dimensions: ['provider'], filters, limit: 500 });
}

export { peopleBreakdown } from './people-breakdown.js';

export const COST_BREAKDOWN_DIMENSIONS = ['model', 'provider', 'agent', 'user', 'tag', 'api_key', 'reasoning_effort'] as const;
export type CostBreakdownBy = (typeof COST_BREAKDOWN_DIMENSIONS)[number];
const COST_METRICS = ['requests', 'cost', 'priced_calls', 'unpriced_calls', 'unpriced_tokens', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'avg_cost_per_call'] as const satisfies readonly MetricName[];
const COST_ROWS = 1000;

/** A call with several tags counts once under each of them (so tag rows may sum above the
 * total); the day rollups by tag count it the same way. */
async function costByTag(reader: SqlReader, filters: CallFilters): Promise<MetricRow[]> {
  const params = new SqlParams();
  const where = compileCallFilters(filters, params, reader.dialect);
  return reader.query<MetricRow>(
    `SELECT tag, count(*) AS requests, COALESCE(sum(cost_usd), 0) AS cost, count(cost_usd) AS priced_calls,
            count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced_calls, COALESCE(sum(total_tokens) FILTER (WHERE cost_usd IS NULL), 0) AS unpriced_tokens,
            COALESCE(sum(prompt_tokens), 0) AS prompt_tokens, COALESCE(sum(completion_tokens), 0) AS completion_tokens,
            COALESCE(sum(total_tokens), 0) AS total_tokens, avg(cost_usd) AS avg_cost_per_call
     FROM (SELECT unnest(tags) AS tag, cost_usd, total_tokens, prompt_tokens, completion_tokens FROM calls WHERE ${where}) tagged
     GROUP BY tag ORDER BY cost DESC, tag LIMIT 1000`,
    params.values,
  );
}

export async function costBreakdown(reader: SqlReader, filters: CallFilters, by: CostBreakdownBy) {
  const fromRollups = by === 'agent' || by === 'user' || by === 'tag' ? await figuresFromRollups(reader, filters, by, { figures: COST_METRICS, orderBy: 'cost', limit: COST_ROWS }) : null;
  const rows = fromRollups ?? (by === 'tag' ? await costByTag(reader, filters) : await runMetrics(reader, { metrics: [...COST_METRICS], dimensions: [by as DimensionName], filters, orderBy: { field: 'cost', direction: 'desc' }, limit: COST_ROWS }));
  const totalCost = rows.reduce((sum, row) => sum + (num(row.cost) ?? 0), 0);
  return {
    by,
    rows: rows.map((row) => ({ ...row, share_of_cost: totalCost > 0 ? (num(row.cost) ?? 0) / totalCost : null })),
    total_cost: totalCost,
    unpriced_calls: rows.reduce((sum, row) => sum + (num(row.unpriced_calls) ?? 0), 0),
  };
}
