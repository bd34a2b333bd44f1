// Alerts (seed 001): a rule compares one analytics metric over a trailing window with a
// threshold; while it holds, one event is open for the rule, resolved once it no longer does.
import { z } from 'zod';
import type { MetricName } from '../analytics/metrics/definitions.js';

/** A rule's metric and the analytics metric that measures it (the dashboard's own figures). */
export const ALERT_METRICS = {
  latency: 'avg_latency',
  p95_latency: 'p95_latency',
  p99_latency: 'p99_latency',
  ttft: 'avg_ttft',
  tokens_per_second: 'avg_tokens_per_second',
  error_rate: 'error_rate',
  requests: 'requests',
  cost: 'cost',
  total_tokens: 'total_tokens',
} as const satisfies Record<string, MetricName>;
export type AlertMetric = keyof typeof ALERT_METRICS;
export const ALERT_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
export type AlertOperator = (typeof ALERT_OPERATORS)[number];

const fields = {
  name: z.string().trim().min(1).max(128),
  metric: z.enum(Object.keys(ALERT_METRICS) as [AlertMetric, ...AlertMetric[]]),
  operator: z.enum(ALERT_OPERATORS),
  threshold: z.number({ error: 'must be a number' }).min(-1e12).max(1e12),
  /** The trailing window the metric is measured over. */
  window_minutes: z.number().int().min(1).max(10_080).default(5),
  provider: z.string().min(1).max(128).nullish(),
  model: z.string().min(1).max(256).nullish(),
  is_active: z.boolean().default(true),
  /** Where events are posted (signed); checked like a provider's URL. */
  webhook_url: z.string().min(1).max(2048).nullish(),
};

function checkThreshold(value: { metric?: AlertMetric | undefined; threshold?: number | undefined }, ctx: z.RefinementCtx): void {
  // The error rate is a fraction everywhere in Loupe's analytics: 5% is 0.05.
  if (value.metric === 'error_rate' && value.threshold !== undefined && (value.threshold < 0 || value.threshold > 1)) {
    ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'error_rate is a fraction between 0 and 1 (0.05 for 5%)' });
  }
}

export const alertRuleInputSchema = z.strictObject(fields).superRefine(checkThreshold);
export const alertRulePatchSchema = z.strictObject({
  name: fields.name.optional(), metric: fields.metric.optional(), operator: fields.operator.optional(), threshold: fields.threshold.optional(),
  window_minutes: z.number().int().min(1).max(10_080).optional(), provider: fields.provider, model: fields.model, is_active: z.boolean().optional(),
  webhook_url: fields.webhook_url,
}).superRefine(checkThreshold);
export type AlertRuleInput = z.infer<typeof alertRuleInputSchema>;
export type AlertRulePatch = z.infer<typeof alertRulePatchSchema>;

export interface AlertRule {
  id: string;
  project_id: string;
  name: string;
  metric: AlertMetric;
  operator: AlertOperator;
  threshold: number;
  window_minutes: number;
  provider: string | null;
  model: string | null;
  is_active: boolean;
  webhook_url: string | null;
  /** The webhook's signing secret, sealed with the data directory's key; shown once at creation. */
  webhook_secret_sealed: string | null;
  created_at: number;
  updated_at: number;
}

export type WebhookStatus = 'pending' | 'delivered' | 'failed';

export interface AlertEvent {
  id: string;
  project_id: string;
  rule_id: string;
  rule_name: string;
  metric: AlertMetric;
  operator: AlertOperator;
  threshold: number;
  /** The metric's value when the event opened. */
  metric_value: number;
  message: string;
  triggered_at: number;
  resolved_at: number | null;
  /** The metric's value when it stopped holding (null while open, or when no call was left to measure). */
  resolved_value: number | null;
  webhook_status: WebhookStatus | null;
}

export function holds(value: number, operator: AlertOperator, threshold: number): boolean {
  switch (operator) {
    case 'gt': return value > threshold;
    case 'gte': return value >= threshold;
    case 'lt': return value < threshold;
    case 'lte': return value <= threshold;
    case 'eq': return value === threshold;
  }
}

/** Seed 001's wording: "High Latency Alert: latency (6500.0) gt 5000.0". */
export function alertMessage(rule: Pick<AlertRule, 'name' | 'metric' | 'operator' | 'threshold'>, value: number): string {
  const figure = (number: number) => (Number.isInteger(number) ? number.toFixed(1) : String(Number(number.toPrecision(6))));
  return `${rule.name}: ${rule.metric} (${figure(value)}) ${rule.operator} ${figure(rule.threshold)}`;
}
