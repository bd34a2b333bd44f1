// Alert rules and events on PostgreSQL. Every instance evaluates the rules; a partial unique
// index keeps one open event per rule, so only the instance whose insert or resolve took
// effect tells of it.
import type pg from 'pg';
import type { AlertEvent, AlertRule, WebhookStatus } from '../../domain/alert.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { ALERT_EVENT_COLUMNS, ALERT_RULE_COLUMNS, alertEventsSql, rowToAlertEvent, rowToAlertRule } from '../alert-rows.js';
import type { AlertEventQuery, AlertRepository } from '../ports.js';
import { queryRows } from './pg-pool.js';
import { PgProjectTable, placeholders, upsertSql } from './project-table.js';

const timestamp = (ms: number | null) => (ms === null ? null : sqlTimestamp(ms));
const UPSERT_RULE = upsertSql('alert_rules', ALERT_RULE_COLUMNS);
const UPSERT_EVENT = upsertSql('alert_events', ALERT_EVENT_COLUMNS);

function ruleValues(rule: AlertRule): unknown[] {
  return ALERT_RULE_COLUMNS.map((column) => (column === 'created_at' || column === 'updated_at' ? timestamp(rule[column]) : rule[column]));
}

function eventValues(event: AlertEvent): unknown[] {
  return ALERT_EVENT_COLUMNS.map((column) => (column === 'triggered_at' || column === 'resolved_at' ? timestamp(event[column]) : event[column]));
}

export class PgAlertRepository implements AlertRepository {
  private readonly rules: PgProjectTable<AlertRule>;

  constructor(private readonly pool: pg.Pool) {
    this.rules = new PgProjectTable(pool, 'alert_rules', 'created_at, id', rowToAlertRule);
  }

  listRules(projectId?: string): Promise<AlertRule[]> {
    return this.rules.list(projectId);
  }

  getRule(projectId: string, id: string): Promise<AlertRule | null> {
    return this.rules.get(projectId, id);
  }

  async putRule(rule: AlertRule): Promise<void> {
    await this.pool.query(UPSERT_RULE, ruleValues(rule));
  }

  deleteRule(projectId: string, id: string): Promise<boolean> {
    return this.rules.delete(projectId, id);
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
    await this.pool.query(UPSERT_EVENT, eventValues(event));
  }
}
