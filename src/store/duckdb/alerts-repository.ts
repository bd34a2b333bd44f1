// Alert rules and events on DuckDB: small tables, written at most once per rule per evaluation.
// One process holds the store and writes one statement at a time, so "open unless one is
// open" is one conditional insert.
import type { DuckDBValue } from '@duckdb/node-api';
import type { AlertEvent, AlertRule, WebhookStatus } from '../../domain/alert.js';
import { ALERT_EVENT_COLUMNS, ALERT_RULE_COLUMNS, alertEventsSql, rowToAlertEvent, rowToAlertRule } from '../alert-rows.js';
import type { AlertEventQuery, AlertRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';
import { duckTimestamp as timestamp } from './duck-timestamp.js';
import { DuckDbProjectTable, placeholders } from './project-table.js';

function ruleValues(rule: AlertRule): DuckDBValue[] {
  return ALERT_RULE_COLUMNS.map((column) => (column === 'created_at' || column === 'updated_at' ? timestamp(rule[column]) : rule[column])) as DuckDBValue[];
}

function eventValues(event: AlertEvent): DuckDBValue[] {
  return ALERT_EVENT_COLUMNS.map((column) => (column === 'triggered_at' || column === 'resolved_at' ? timestamp(event[column]) : event[column])) as DuckDBValue[];
}

export class DuckDbAlertRepository implements AlertRepository {
  private readonly rules: DuckDbProjectTable<AlertRule>;
  private readonly events: DuckDbProjectTable<AlertEvent>;

  constructor(private readonly pool: DuckDbPool) {
    this.rules = new DuckDbProjectTable(pool, 'alert_rules', 'created_at, id', rowToAlertRule);
    this.events = new DuckDbProjectTable(pool, 'alert_events', 'triggered_at, id', rowToAlertEvent);
  }

  listRules(projectId?: string): Promise<AlertRule[]> {
    return this.rules.list(projectId);
  }

  getRule(projectId: string, id: string): Promise<AlertRule | null> {
    return this.rules.get(projectId, id);
  }

  putRule(rule: AlertRule): Promise<void> {
    return this.rules.put(ruleValues(rule));
  }

  deleteRule(projectId: string, id: string): Promise<boolean> {
    return this.rules.delete(projectId, id);
  }

  async openEvent(event: AlertEvent): Promise<boolean> {
    const count = ALERT_EVENT_COLUMNS.length;
    const result = await this.pool.write((connection) => connection.run(
      `INSERT INTO alert_events SELECT ${placeholders(count)} WHERE NOT EXISTS (SELECT 1 FROM alert_events WHERE rule_id = $${count + 1} AND resolved_at IS NULL)`,
      [...eventValues(event), event.rule_id],
    ));
    return Number(result.rowsChanged) > 0;
  }

  async resolveOpen(projectId: string, ruleId: string, resolvedAt: number, resolvedValue: number | null): Promise<AlertEvent | null> {
    const open = await this.pool.query('SELECT * FROM alert_events WHERE project_id = $1 AND rule_id = $2 AND resolved_at IS NULL', [projectId, ruleId]);
    if (!open[0]) return null;
    const event = rowToAlertEvent(open[0]);
    const result = await this.pool.write((connection) => connection.run(
      'UPDATE alert_events SET resolved_at = $2, resolved_value = $3 WHERE id = $1 AND resolved_at IS NULL',
      [event.id, timestamp(resolvedAt), resolvedValue] as DuckDBValue[],
    ));
    return Number(result.rowsChanged) > 0 ? { ...event, resolved_at: resolvedAt, resolved_value: resolvedValue } : null;
  }

  async setWebhookStatus(projectId: string, eventId: string, status: WebhookStatus): Promise<void> {
    await this.pool.write((connection) => connection.run('UPDATE alert_events SET webhook_status = $3 WHERE project_id = $1 AND id = $2', [projectId, eventId, status]));
  }

  async listEvents(query: AlertEventQuery): Promise<AlertEvent[]> {
    const { sql, params } = alertEventsSql(query);
    return (await this.pool.query(sql, params)).map(rowToAlertEvent);
  }

  putEvent(event: AlertEvent): Promise<void> {
    return this.events.put(eventValues(event));
  }
}
