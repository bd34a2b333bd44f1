// Every call metric recomputed in plain TypeScript from the rows a test inserted, with the same
// null rules as the SQL: the independent expectation both store contract suites compare with.
import type { MetricName } from '../../src/analytics/metrics/definitions.js';
import type { CallRecord } from '../../src/domain/call-record.js';

export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low]! + (sorted[Math.ceil(position)]! - sorted[low]!) * (position - low);
}
export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const avg = (values: number[]) => (values.length === 0 ? null : sum(values) / values.length);
export const present = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
const distinct = (values: (string | null)[]) => new Set(values.filter((v) => v !== null)).size;
const ratioOf = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** Every metric recomputed from the rows, with the same null rules as the SQL. */
export const EXPECTED: Record<MetricName, (rows: CallRecord[]) => number | null> = {
  requests: (r) => r.length,
  successes: (r) => r.filter((c) => c.status === 'success').length,
  errors: (r) => r.filter((c) => c.status !== 'success').length,
  timeouts: (r) => r.filter((c) => c.status === 'timeout').length,
  success_rate: (r) => ratioOf(r.filter((c) => c.status === 'success').length, r.length),
  error_rate: (r) => ratioOf(r.filter((c) => c.status !== 'success').length, r.length),
  streaming_share: (r) => ratioOf(r.filter((c) => c.is_streaming).length, r.length),
  fallback_calls: (r) => r.filter((c) => c.is_fallback).length,
  prompt_tokens: (r) => sum(r.map((c) => c.prompt_tokens)),
  completion_tokens: (r) => sum(r.map((c) => c.completion_tokens)),
  total_tokens: (r) => sum(r.map((c) => c.total_tokens)),
  cached_tokens: (r) => sum(r.map((c) => c.cached_tokens)),
  reasoning_tokens: (r) => sum(r.map((c) => c.reasoning_tokens)),
  cost: (r) => sum(present(r.map((c) => c.cost_usd))),
  priced_calls: (r) => present(r.map((c) => c.cost_usd)).length,
  unpriced_calls: (r) => r.filter((c) => c.cost_usd === null).length,
  unpriced_tokens: (r) => sum(r.filter((c) => c.cost_usd === null).map((c) => c.total_tokens)),
  avg_cost_per_call: (r) => avg(present(r.map((c) => c.cost_usd))),
  cost_per_1k_tokens: (r) => {
    const priced = r.filter((c) => c.cost_usd !== null);
    const tokens = sum(priced.map((c) => c.total_tokens));
    return priced.length === 0 || tokens === 0 ? null : (sum(priced.map((c) => c.cost_usd!)) * 1000) / tokens;
  },
  avg_latency: (r) => avg(present(r.map((c) => c.latency_ms))),
  p50_latency: (r) => quantile(present(r.map((c) => c.latency_ms)), 0.5),
  p95_latency: (r) => quantile(present(r.map((c) => c.latency_ms)), 0.95),
  p99_latency: (r) => quantile(present(r.map((c) => c.latency_ms)), 0.99),
  min_latency: (r) => (present(r.map((c) => c.latency_ms)).length ? Math.min(...present(r.map((c) => c.latency_ms))) : null),
  max_latency: (r) => (present(r.map((c) => c.latency_ms)).length ? Math.max(...present(r.map((c) => c.latency_ms))) : null),
  avg_ttft: (r) => avg(present(r.map((c) => c.ttft_ms))),
  p50_ttft: (r) => quantile(present(r.map((c) => c.ttft_ms)), 0.5),
  p95_ttft: (r) => quantile(present(r.map((c) => c.ttft_ms)), 0.95),
  avg_tokens_per_second: (r) => avg(present(r.map((c) => c.tokens_per_second))),
  min_tokens_per_second: (r) => (present(r.map((c) => c.tokens_per_second)).length ? Math.min(...present(r.map((c) => c.tokens_per_second))) : null),
  max_tokens_per_second: (r) => (present(r.map((c) => c.tokens_per_second)).length ? Math.max(...present(r.map((c) => c.tokens_per_second))) : null),
  unique_users: (r) => distinct(r.map((c) => c.user_id)),
  sessions: (r) => distinct(r.map((c) => c.session_id)),
  models: (r) => distinct(r.map((c) => c.model)),
  providers: (r) => distinct(r.map((c) => c.provider)),
  performance_score: (r) => avg(r.map((c) => (c.status === 'success' ? (100 * 1000) / (1000 + (c.latency_ms ?? 0)) : 0))),
  tool_calls: (r) => sum(r.map((c) => c.tool_calls_count)),
};
