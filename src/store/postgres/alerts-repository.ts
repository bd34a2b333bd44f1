// Alert rules and events on PostgreSQL. Every instance evaluates the rules; a partial unique
// index keeps one open event per rule, so only the instance whose insert or resolve took
// effect tells of it.
import type pg from 'pg';
import type { AlertEvent, AlertRule, WebhookStatus } from '../../domain/alert.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { ALERT_EVENT_COLUMNS, ALERT_RULE_COLUMNS, alertEventsSql, rowToAlertEvent, rowToAlertRule } from '../alert-rows.js';
import type { AlertEventQuery, AlertRepository } from '../ports.js';
import { queryRows } from './pg-pool.js';

const timestamp = (ms: number | null) => (ms === null ? null : sqlTimestamp(ms));
const placeholders = (count: number) => Array.from({ length: count }, (_, index) => `$${index + 1}`).join(', ');
const updates = (columns: readonly string[]) => columns.filter((column) => column !== 'id').map((column) => `${column} = EXCLUDED.${column}`).join(', ');

function ruleValues(rule: AlertRule): unknown[] {
  return ALERT_RULE_COLUMNS.map((column) => (column === 'created_at' || column === 'updated_at' ? timestamp(rule[column]) : rule[column]));
}

function eventValues(event: AlertEvent): unknown[] {
  return ALERT_EVENT_COLUMNS.map((column) => (column === 'triggered_at' || column === 'resolved_at' ? timestamp(event[column]) : event[column]));
}

export class PgAlertRepository implements AlertRepository {
  constructor(private readonly pool: pg.Pool) {}

  async listRules(projectId?: string): Promise<AlertRule[]> {
    const rows = projectId === undefined
      ? await queryRows(this.pool, 'SELECT * FROM alert_rules ORDER BY created_at, id')
      : await queryRows(this.pool, 'SELECT * FROM alert_rules WHERE project_id = $1 ORDER BY created_at, id', [projectId]);
    return rows.map(rowToAlertRule);
  }

  async getRule(projectId: string, id: string): Promise<AlertRule | null> {
    const rows = await queryRows(this.pool, 'SELECT * FROM alert_rules WHERE project_id = $1 AND id = $2', [projectId, id]);
    return rows[0] ? rowToAlertRule(rows[0]) : null;
  }

  async putRule(rule: AlertRule): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_rules (${ALERT_RULE_COLUMNS.join(', ')}) VALUES (${placeholders(ALERT_RULE_COLUMNS.length)}) ON CONFLICT (id) DO UPDATE SET ${updates(ALERT_RULE_COLUMNS)}`,
      ruleValues(rule),
    );
  }

  async deleteRule(projectId: string, id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM alert_rules WHERE project_id = $1 AND id = $2', [projectId, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async openEvent(event: AlertEvent): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO alert_events (${ALERT_EVENT_COLUMNS.join(', ')}) VALUES (${placeholders(ALERT_EVENT_COLUMNS.length)})
       ON CONFLICT (rule_id) WHERE resolved_at IS NULL DO NOTHING`,
      eventValues(event),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async resolveOpen(projectId: string, ruleId: string, resolvedAt: number, resolvedValue: number | null): Promise<AlertEvent | null> {
    const rows = await queryRows(this.pool,
      'UPDATE alert_events SET resolved_at = $3, resolved_value = $4 WHERE project_id = $1 AND rule_id = $2 AND resolved_at IS NULL RETURNING *',
      [projectId, ruleId, sqlTimestamp(resolvedAt), resolvedValue]);
    return rows[0] ? rowToAlertEvent(rows[0]) : null;
  }

  async setWebhookStatus(projectId: string, eventId: string, status: WebhookStatus): Promise<void> {
    await this.pool.query('UPDATE alert_events SET webhook_status = $3 WHERE project_id = $1 AND id = $2', [projectId, eventId, status]);
  }

  async listEvents(query: AlertEventQuery): Promise<AlertEvent[]> {
    const { sql, params } = alertEventsSql(query);
    return (await queryRows(this.pool, sql, params)).map(rowToAlertEvent);
  }

  async putEvent(event: AlertEvent): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_events (${ALERT_EVENT_COLUMNS.join(', ')}) VALUES (${placeholders(ALERT_EVENT_COLUMNS.length)}) ON CONFLICT (id) DO UPDATE SET ${updates(ALERT_EVENT_COLUMNS)}`,
      eventValues(event),
    );
  }
}
