// Declarative metrics over calls: each is an aggregate expression per dialect, a type and a
// unit. Every analytics route asks for metrics by name; a new panel costs a definition.
import type { Dialect } from '../filters.js';

export type MetricType = 'count' | 'sum' | 'ratio' | 'average' | 'percentile' | 'distinct';
export type MetricUnit = 'calls' | 'tokens' | 'usd' | 'ms' | 'tokens_per_second' | 'fraction' | 'items';

export interface MetricDefinition {
  sql(dialect: Dialect): string;
  /** Set for percentiles, which the compiler computes in one pass per column. */
  percentile?: { column: string; q: number };
  type: MetricType;
  unit: MetricUnit;
  description: string;
}

const same = (sql: string) => () => sql;
const percentileSql = (column: string, q: number) => (dialect: Dialect) =>
  dialect === 'duckdb' ? `quantile_cont(${column}, ${q})` : `percentile_cont(${q}) WITHIN GROUP (ORDER BY ${column})`;
const percentile = (column: string, q: number) => ({ sql: percentileSql(column, q), percentile: { column, q } });
/** A ratio that is null, not a division error, on an empty group (DOUBLE PRECISION: the
 * spelling both engines know; PostgreSQL has no bare DOUBLE). */
const ratio = (part: string, whole: string) => same(`CAST(${part} AS DOUBLE PRECISION) / NULLIF(${whole}, 0)`);

export const METRICS = {
  requests: { sql: same('count(*)'), type: 'count', unit: 'calls', description: 'calls (attempts) in the range' },
  successes: { sql: same("count(*) FILTER (WHERE status = 'success')"), type: 'count', unit: 'calls', description: 'successful calls' },
  errors: { sql: same("count(*) FILTER (WHERE status <> 'success')"), type: 'count', unit: 'calls', description: 'calls that failed, timed out or were cancelled' },
  timeouts: { sql: same("count(*) FILTER (WHERE status = 'timeout')"), type: 'count', unit: 'calls', description: 'calls that timed out (counted among errors too)' },
  success_rate: { sql: ratio("count(*) FILTER (WHERE status = 'success')", 'count(*)'), type: 'ratio', unit: 'fraction', description: 'successes / requests' },
  error_rate: { sql: ratio("count(*) FILTER (WHERE status <> 'success')", 'count(*)'), type: 'ratio', unit: 'fraction', description: 'errors / requests' },
  streaming_share: { sql: ratio('count(*) FILTER (WHERE is_streaming)', 'count(*)'), type: 'ratio', unit: 'fraction', description: 'share of streamed calls' },
  fallback_calls: { sql: same('count(*) FILTER (WHERE is_fallback)'), type: 'count', unit: 'calls', description: 'attempts made by a fallback' },
  prompt_tokens: { sql: same('COALESCE(sum(prompt_tokens), 0)'), type: 'sum', unit: 'tokens', description: 'input tokens, cached included' },
  completion_tokens: { sql: same('COALESCE(sum(completion_tokens), 0)'), type: 'sum', unit: 'tokens', description: 'output tokens, reasoning included' },
  total_tokens: { sql: same('COALESCE(sum(total_tokens), 0)'), type: 'sum', unit: 'tokens', description: 'input + output tokens' },
  cached_tokens: { sql: same('COALESCE(sum(cached_tokens), 0)'), type: 'sum', unit: 'tokens', description: 'input tokens read from a cache' },
  reasoning_tokens: { sql: same('COALESCE(sum(reasoning_tokens), 0)'), type: 'sum', unit: 'tokens', description: 'output tokens spent reasoning' },
  cost: { sql: same('COALESCE(sum(cost_usd), 0)'), type: 'sum', unit: 'usd', description: 'cost of the priced calls' },
  priced_calls: { sql: same('count(cost_usd)'), type: 'count', unit: 'calls', description: 'calls with a cost' },
  unpriced_calls: { sql: same('count(*) FILTER (WHERE cost_usd IS NULL)'), type: 'count', unit: 'calls', description: 'calls whose model has no known price' },
  unpriced_tokens: { sql: same('COALESCE(sum(total_tokens) FILTER (WHERE cost_usd IS NULL), 0)'), type: 'sum', unit: 'tokens', description: 'tokens of unpriced calls' },
  avg_cost_per_call: { sql: same('avg(cost_usd)'), type: 'average', unit: 'usd', description: 'mean cost of priced calls' },
  cost_per_1k_tokens: { sql: ratio('sum(cost_usd) * 1000', 'sum(total_tokens) FILTER (WHERE cost_usd IS NOT NULL)'), type: 'ratio', unit: 'usd', description: 'cost per 1,000 tokens of priced calls' },
  avg_latency: { sql: same('avg(latency_ms)'), type: 'average', unit: 'ms', description: 'mean latency' },
  p50_latency: { ...percentile('latency_ms', 0.5), type: 'percentile', unit: 'ms', description: 'median latency (linear interpolation)' },
  p95_latency: { ...percentile('latency_ms', 0.95), type: 'percentile', unit: 'ms', description: '95th percentile latency' },
  p99_latency: { ...percentile('latency_ms', 0.99), type: 'percentile', unit: 'ms', description: '99th percentile latency' },
  min_latency: { sql: same('min(latency_ms)'), type: 'average', unit: 'ms', description: 'fastest call' },
  max_latency: { sql: same('max(latency_ms)'), type: 'average', unit: 'ms', description: 'slowest call' },
  avg_ttft: { sql: same('avg(ttft_ms)'), type: 'average', unit: 'ms', description: 'mean time to first token (streamed calls)' },
  p50_ttft: { ...percentile('ttft_ms', 0.5), type: 'percentile', unit: 'ms', description: 'median time to first token' },
  p95_ttft: { ...percentile('ttft_ms', 0.95), type: 'percentile', unit: 'ms', description: '95th percentile time to first token' },
  avg_tokens_per_second: { sql: same('avg(tokens_per_second)'), type: 'average', unit: 'tokens_per_second', description: 'mean generation speed' },
  min_tokens_per_second: { sql: same('min(tokens_per_second)'), type: 'average', unit: 'tokens_per_second', description: 'slowest generation' },
  max_tokens_per_second: { sql: same('max(tokens_per_second)'), type: 'average', unit: 'tokens_per_second', description: 'fastest generation' },
  unique_users: { sql: same('count(DISTINCT user_id)'), type: 'distinct', unit: 'items', description: 'distinct users' },
  sessions: { sql: same('count(DISTINCT session_id)'), type: 'distinct', unit: 'items', description: 'distinct sessions' },
  models: { sql: same('count(DISTINCT model)'), type: 'distinct', unit: 'items', description: 'distinct models' },
  providers: { sql: same('count(DISTINCT provider)'), type: 'distinct', unit: 'items', description: 'distinct providers' },
  // A call's score is 100 × 1000 / (1000 + latency ms) when it succeeded, 0 otherwise:
  // 250 ms scores 80, 1 s 50, 4 s 20 (docs/API.md).
  performance_score: { sql: same("avg(CASE WHEN status = 'success' THEN 100.0 * 1000 / (1000 + COALESCE(latency_ms, 0)) ELSE 0 END)"), type: 'average', unit: 'items', description: 'mean per-call performance score, 0–100' },
  tool_calls: { sql: same('COALESCE(sum(tool_calls_count), 0)'), type: 'sum', unit: 'items', description: 'tool calls requested by models' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

/** Dimensions a query may group by, as SQL over the calls table; `property.<name>` reads a string property. */
export const DIMENSIONS = {
  provider: 'provider',
  model: 'model',
  agent: 'agent',
  user: 'user_id',
  user_id: 'user_id',
  session: 'session_id',
  status: 'status',
  error_type: 'error_type',
  account: 'account_id',
  api_key: 'api_key_id',
  endpoint: 'endpoint',
  signal: 'signal',
  // As the call asked for it: OpenAI's chat field, the Responses API's, or Claude's Messages API's.
  // The text is searched first and only the calls that name an effort are parsed (1M calls, 20%
  // with an effort, DuckDB: 40–60 against 140–230 ms, measured).
  reasoning_effort: "(CASE WHEN strpos(params::text, 'effort') > 0 THEN COALESCE(params->>'reasoning_effort', params->'reasoning'->>'effort', params->'output_config'->>'effort') END)",
} as const satisfies Record<string, string>;

export type DimensionName = keyof typeof DIMENSIONS | `property.${string}`;

export function isDimension(name: string): name is DimensionName {
  // Own keys only: `in` would accept __proto__ and constructor from the prototype.
  return Object.hasOwn(DIMENSIONS, name) || /^property\.[A-Za-z0-9_.-]{1,128}$/.test(name);
}
