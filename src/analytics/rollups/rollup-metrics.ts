// Each metric that rollups can answer, as an aggregate over rollup parts (rows of
// call_rollups, or raw calls shaped like them): sums and counts add up exactly, percentiles
// come from the histogram bins, distinct users and sessions from the member rows.
import type { MetricName } from '../metrics/definitions.js';

export type RollupMetric =
  | { sql: string }
  /** Read from a histogram: `column` names the histogram (latency or ttft). */
  | { histogram: 'latency' | 'ttft'; q: number }
  /** A distinct count of member rows of this kind (ungrouped queries only). */
  | { members: 'u' | 's' };

const total = (column: string) => ({ sql: `COALESCE(sum(${column}), 0)` });
const ratio = (part: string, whole: string) => ({ sql: `CAST(${part} AS DOUBLE PRECISION) / NULLIF(CAST(${whole} AS DOUBLE PRECISION), 0)` });
const successes = "COALESCE(sum(calls) FILTER (WHERE status = 'success'), 0)";
const failures = "COALESCE(sum(calls) FILTER (WHERE status <> 'success'), 0)";

export const ROLLUP_METRICS: Partial<Record<MetricName, RollupMetric>> = {
  requests: total('calls'),
  successes: { sql: successes },
  errors: { sql: failures },
  timeouts: { sql: "COALESCE(sum(calls) FILTER (WHERE status = 'timeout'), 0)" },
  success_rate: ratio(successes, 'sum(calls)'),
  error_rate: ratio(failures, 'sum(calls)'),
  streaming_share: ratio('sum(streaming_calls)', 'sum(calls)'),
  fallback_calls: total('fallback_calls'),
  prompt_tokens: total('prompt_tokens'),
  completion_tokens: total('completion_tokens'),
  total_tokens: total('total_tokens'),
  cached_tokens: total('cached_tokens'),
  reasoning_tokens: total('reasoning_tokens'),
  cost: total('cost_usd'),
  priced_calls: total('priced_calls'),
  unpriced_calls: { sql: 'COALESCE(sum(calls) - sum(priced_calls), 0)' },
  unpriced_tokens: total('unpriced_tokens'),
  avg_cost_per_call: ratio('sum(cost_usd)', 'sum(priced_calls)'),
  cost_per_1k_tokens: ratio('sum(cost_usd) * 1000', 'sum(total_tokens) - sum(unpriced_tokens)'),
  avg_latency: ratio('sum(latency_sum)', 'sum(latency_calls)'),
  p50_latency: { histogram: 'latency', q: 0.5 },
  p95_latency: { histogram: 'latency', q: 0.95 },
  p99_latency: { histogram: 'latency', q: 0.99 },
  min_latency: { sql: 'min(latency_min)' },
  max_latency: { sql: 'max(latency_max)' },
  avg_ttft: ratio('sum(ttft_sum)', 'sum(ttft_calls)'),
  p50_ttft: { histogram: 'ttft', q: 0.5 },
  p95_ttft: { histogram: 'ttft', q: 0.95 },
  avg_tokens_per_second: ratio('sum(tps_sum)', 'sum(tps_calls)'),
  min_tokens_per_second: { sql: 'min(tps_min)' },
  max_tokens_per_second: { sql: 'max(tps_max)' },
  unique_users: { members: 'u' },
  sessions: { members: 's' },
  models: { sql: 'count(DISTINCT model)' },
  providers: { sql: 'count(DISTINCT provider)' },
  performance_score: ratio('sum(score_sum)', 'sum(calls)'),
  tool_calls: total('tool_calls'),
};
