// Alert rules and events as both engines store them, mapped back to the domain records.
import type { AlertEvent, AlertMetric, AlertOperator, AlertRule, WebhookStatus } from '../domain/alert.js';
import type { AlertEventQuery } from './ports.js';

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export function rowToAlertRule(row: Record<string, unknown>): AlertRule {
  return {
    id: String(row.id), project_id: String(row.project_id), name: String(row.name), metric: row.metric as AlertMetric, operator: row.operator as AlertOperator,
    threshold: Number(row.threshold), window_minutes: Number(row.window_minutes), provider: text(row.provider), model: text(row.model),
    is_active: Boolean(row.is_active), webhook_url: text(row.webhook_url), webhook_secret_sealed: text(row.webhook_secret_sealed),
    created_at: Number(row.created_at), updated_at: Number(row.updated_at),
  };
}

export function rowToAlertEvent(row: Record<string, unknown>): AlertEvent {
  return {
    id: String(row.id), project_id: String(row.project_id), rule_id: String(row.rule_id), rule_name: String(row.rule_name),
    metric: row.metric as AlertMetric, operator: row.operator as AlertOperator, threshold: Number(row.threshold), metric_value: Number(row.metric_value),
    message: String(row.message), triggered_at: Number(row.triggered_at), resolved_at: number(row.resolved_at), resolved_value: number(row.resolved_value),
    webhook_status: text(row.webhook_status) as WebhookStatus | null,
  };
}

/** The columns of a rule and of an event, in table order, for inserts on either engine. */
export const ALERT_RULE_COLUMNS = ['id', 'project_id', 'name', 'metric', 'operator', 'threshold', 'window_minutes', 'provider', 'model', 'is_active', 'webhook_url', 'webhook_secret_sealed', 'created_at', 'updated_at'] as const;
export const ALERT_EVENT_COLUMNS = ['id', 'project_id', 'rule_id', 'rule_name', 'metric', 'operator', 'threshold', 'metric_value', 'message', 'triggered_at', 'resolved_at', 'resolved_value', 'webhook_status'] as const;

/** The listing of events as SQL both engines run: newest first, filtered as asked. */
export function alertEventsSql(query: AlertEventQuery): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (query.projectId !== undefined) conditions.push(`project_id = $${params.push(query.projectId)}`);
  if (query.ruleId !== undefined) conditions.push(`rule_id = $${params.push(query.ruleId)}`);
  if (query.open !== undefined) conditions.push(query.open ? 'resolved_at IS NULL' : 'resolved_at IS NOT NULL');
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return { sql: `SELECT * FROM alert_events ${where} ORDER BY triggered_at DESC, id DESC LIMIT ${Math.max(1, Math.floor(query.limit))}`, params };
}
