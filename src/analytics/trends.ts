// analytics/usage-trends, /cost-trend, /errors and /trends: time series with empty buckets
// filled, error analysis, and plain-language insights between two periods.
import type { CallFilters, SqlReader } from '../store/ports.js';
import { compileCallFilters } from './filters.js';
import type { MetricName } from './metrics/definitions.js';
import { plainRow, runMetrics, type MetricRow } from './metrics/run-query.js';
import { keyedRollupRead } from './rollups/keyed-rollup-parts.js';
import { errorTypesSql, topMessagesSql } from './rollups/error-rollup-query.js';
import { FAILED_STATUSES } from './rollups/error-rollup-schema.js';
import type { TimeBucket } from './metrics/compile-query.js';
import { overview, periods } from './overview.js';
import { SqlParams } from './sql-params.js';

const BUCKET_MS: Record<TimeBucket, number> = { hour: 3_600_000, day: 86_400_000 };
/** A series longer than this many buckets is refused (query cost limit). */
export const MAX_BUCKETS = 2000;

export class TooManyBucketsError extends Error {}

/** Every bucket start from `from` to `to`, so a series has no gaps. */
export function bucketStarts(from: number, to: number, interval: TimeBucket): string[] {
  const size = BUCKET_MS[interval];
  const first = Math.floor(from / size) * size;
  if ((to - first) / size > MAX_BUCKETS) throw new TooManyBucketsError(`the range holds more than ${MAX_BUCKETS} ${interval} buckets; use a larger interval or a shorter range`);
  const starts: string[] = [];
  for (let at = first; at < to; at += size) starts.push(new Date(at).toISOString());
  return starts;
}

function fill(rows: MetricRow[], starts: string[], metrics: readonly MetricName[], group: string | null): MetricRow[] {
  const keyOf = (bucket: unknown, value: unknown) => `${String(bucket)}\u0000${group ? String(value) : ''}`;
  const byKey = new Map(rows.map((row) => [keyOf(row.bucket, group ? row[group] : null), row]));
  const groups = group ? [...new Set(rows.map((row) => row[group] ?? null))] : [null];
  const out: MetricRow[] = [];
  for (const bucket of starts) {
    for (const value of groups) {
      const found = byKey.get(keyOf(bucket, value));
      if (found) out.push(found);
      else {
        const empty: MetricRow = { bucket };
        if (group) empty[group] = value;
        for (const metric of metrics) empty[metric] = ['requests', 'errors', 'cost', 'total_tokens', 'prompt_tokens', 'completion_tokens', 'unpriced_calls'].includes(metric) ? 0 : null;
        out.push(empty);
      }
    }
  }
  return out;
}

const TREND_METRICS: MetricName[] = ['requests', 'errors', 'error_rate', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost', 'unpriced_calls', 'avg_latency', 'p95_latency'];

export async function usageTrends(reader: SqlReader, filters: CallFilters, interval: TimeBucket, groupBy: 'provider' | 'model' | null, now = Date.now()) {
  const { current } = periods(filters, now);
  const starts = bucketStarts(current.from, current.to, interval);
  const rows = await runMetrics(reader, { metrics: TREND_METRICS, dimensions: groupBy ? [groupBy] : [], filters: { ...filters, from: current.from, to: current.to }, timeBucket: interval });
  return { interval, group_by: groupBy, from: new Date(current.from).toISOString(), to: new Date(current.to).toISOString(), series: fill(rows, starts, TREND_METRICS, groupBy) };
}

export async function costTrend(reader: SqlReader, filters: CallFilters, interval: TimeBucket, now = Date.now()) {
  const { current } = periods(filters, now);
  const metrics: MetricName[] = ['cost', 'requests', 'unpriced_calls', 'total_tokens'];
  const rows = await runMetrics(reader, { metrics, filters: { ...filters, from: current.from, to: current.to }, timeBucket: interval });
  let cumulative = 0;
  const series = fill(rows, bucketStarts(current.from, current.to, interval), metrics, null).map((row) => {
    cumulative += typeof row.cost === 'number' ? row.cost : 0;
    return { ...row, cumulative_cost: cumulative };
  });
  return { interval, series, total_cost: cumulative };
}

const ERROR_TYPES = 50;
const TOP_MESSAGES = 10;

interface MessageRow {
  error_message: string;
  count: number | bigint;
  last_seen: unknown;
}

/** Failures by error type and the most frequent messages: from the rollups of failed calls when
 * only project and time filter and the range is long enough for rollups, else from raw calls. */
async function errorTypesAndMessages(reader: SqlReader, scoped: CallFilters): Promise<[MetricRow[], MessageRow[]]> {
  const read = await keyedRollupRead(reader, scoped);
  if (read) {
    const types = errorTypesSql(scoped, read, reader.dialect, ERROR_TYPES);
    const messages = topMessagesSql(scoped, read, reader.dialect, TOP_MESSAGES);
    const [typeRows, messageRows] = await Promise.all([reader.query(types.sql, types.params), reader.query<MessageRow>(messages.sql, messages.params)]);
    return [typeRows.map(plainRow), messageRows];
  }
  const failing: CallFilters = { ...scoped, status: [...FAILED_STATUSES] };
  const params = new SqlParams();
  const where = compileCallFilters(failing, params, reader.dialect);
  return Promise.all([
    runMetrics(reader, { metrics: ['requests'], dimensions: ['error_type'], filters: failing, limit: ERROR_TYPES }),
    reader.query<MessageRow>(
      `SELECT error_message, count(*) AS count, max(started_at) AS last_seen FROM calls WHERE ${where} AND error_message IS NOT NULL GROUP BY error_message ORDER BY count DESC, error_message LIMIT ${TOP_MESSAGES}`,
      params.values,
    ),
  ]);
}

export async function errorAnalysis(reader: SqlReader, filters: CallFilters, now = Date.now()) {
  const { current } = periods(filters, now);
  const scoped = { ...filters, from: current.from, to: current.to };
  const [totals, [byType, messages], byProvider, byModel, trend] = await Promise.all([
    runMetrics(reader, { metrics: ['requests', 'errors', 'error_rate'], filters: scoped }),
    errorTypesAndMessages(reader, scoped),
    runMetrics(reader, { metrics: ['requests', 'errors', 'error_rate'], dimensions: ['provider'], filters: scoped }),
    runMetrics(reader, { metrics: ['requests', 'errors', 'error_rate'], dimensions: ['model'], filters: scoped }),
    usageTrends(reader, scoped, current.to - current.from > 3 * 86_400_000 ? 'day' : 'hour', null, now),
  ]);
  return {
    summary: totals[0] ?? {},
    by_type: byType.map((row) => ({ error_type: row.error_type, count: row.requests })),
    by_provider: byProvider,
    by_model: byModel,
    trend: trend.series.map((row) => ({ bucket: row.bucket, errors: row.errors, error_rate: row.error_rate })),
    top_messages: messages.map((row) => ({ message: row.error_message, count: Number(row.count), last_seen: new Date(Number(row.last_seen)).toISOString() })),
  };
}

/** Changes worth saying out loud: at least this relative move, on at least this many calls. */
const NOTABLE_CHANGE = 0.2;
const MIN_CALLS = 20;

export async function insights(reader: SqlReader, filters: CallFilters, now = Date.now()) {
  const describe: [MetricName, string, (value: number) => string][] = [
    ['requests', 'Requests', (v) => v.toLocaleString('en')],
    ['error_rate', 'Error rate', (v) => `${(v * 100).toFixed(1)}%`],
    ['p95_latency', 'p95 latency', (v) => `${Math.round(v)} ms`],
    ['cost', 'Cost', (v) => `$${v.toFixed(2)}`],
    ['avg_ttft', 'Mean time to first token', (v) => `${Math.round(v)} ms`],
  ];
  const result = await overview(reader, filters, now, describe.map(([metric]) => metric));
  const statements: { metric: string; current: number; previous: number; change: number | null; text: string }[] = [];
  const enough = Number(result.current.requests ?? 0) >= MIN_CALLS && Number(result.previous.requests ?? 0) >= MIN_CALLS;
  for (const [metric, label, format] of describe) {
    const change = result.change[metric] ?? null;
    const current = result.current[metric];
    const previous = result.previous[metric];
    if (!enough || typeof current !== 'number' || typeof previous !== 'number') continue;
    // From zero there is no percentage, but errors appearing is exactly what to say.
    if (previous === 0 && current > 0) statements.push({ metric, current, previous, change: null, text: `${label} rose from ${format(previous)} to ${format(current)}` });
    if (change === null || Math.abs(change) < NOTABLE_CHANGE) continue;
    statements.push({ metric, current, previous, change, text: `${label} ${change > 0 ? 'rose' : 'fell'} ${Math.abs(Math.round(change * 100))}%: ${format(previous)} → ${format(current)}` });
  }
  return { period: result.period, previous_period: result.previous_period, insights: statements, threshold: NOTABLE_CHANGE, min_calls: MIN_CALLS };
}
