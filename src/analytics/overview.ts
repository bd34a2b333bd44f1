// analytics/overview: the headline figures of a period and of the period just before it,
// with their changes, so every KPI can show its trend.
import type { CallFilters, SqlReader } from '../store/ports.js';
import type { MetricName } from './metrics/definitions.js';
import { runTotals, type MetricRow } from './metrics/run-query.js';

export const OVERVIEW_METRICS: MetricName[] = [
  'requests', 'successes', 'errors', 'success_rate', 'error_rate', 'streaming_share', 'prompt_tokens', 'completion_tokens',
  'total_tokens', 'cost', 'unpriced_calls', 'unpriced_tokens', 'avg_latency', 'p50_latency', 'p95_latency', 'p99_latency',
  'avg_ttft', 'avg_tokens_per_second', 'unique_users', 'sessions', 'models', 'providers',
];

export interface Period {
  from: number;
  to: number;
}

/** The period the filters cover (an open end is "now") and the equally long one before it. */
export function periods(filters: CallFilters, now = Date.now()): { current: Period; previous: Period } {
  const to = filters.to ?? now;
  const from = filters.from ?? to - 7 * 86_400_000;
  const length = to - from;
  return { current: { from, to }, previous: { from: from - length, to: from } };
}

function change(current: number | string | null | undefined, previous: number | string | null | undefined): number | null {
  if (typeof current !== 'number' || typeof previous !== 'number' || previous === 0) return null;
  return (current - previous) / Math.abs(previous);
}

export interface Overview {
  period: { from: string; to: string };
  previous_period: { from: string; to: string };
  current: MetricRow;
  previous: MetricRow;
  /** Relative change per metric ((current − previous) / |previous|), null when undefined. */
  change: Record<string, number | null>;
}

/** The figures of both periods; `metrics` narrows them (insights need only a few). */
export async function overview(reader: SqlReader, filters: CallFilters, now = Date.now(), metrics: readonly MetricName[] = OVERVIEW_METRICS): Promise<Overview> {
  const { current, previous } = periods(filters, now);
  const [currentRow, previousRow] = await Promise.all([
    runTotals(reader, { metrics, filters: { ...filters, from: current.from, to: current.to } }),
    runTotals(reader, { metrics, filters: { ...filters, from: previous.from, to: previous.to } }),
  ]);
  const changes: Record<string, number | null> = {};
  for (const metric of metrics) changes[metric] = change(currentRow[metric], previousRow[metric]);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    period: { from: iso(current.from), to: iso(current.to) },
    previous_period: { from: iso(previous.from), to: iso(previous.to) },
    current: currentRow, previous: previousRow, change: changes,
  };
}
