// Outcomes on DuckDB: appender batches for new rows (the demo generator writes many),
// per-row upserts and patches, filtered pages.
import { DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { OutcomeRecord, OutcomeStatus } from '../../domain/outcome.js';
import { SqlParams, sqlTimestamp } from '../../analytics/sql-params.js';
import type { OutcomeListQuery, OutcomePatch, OutcomeRepository } from '../ports.js';
import type { DuckDbPool } from './connection-pool.js';

/** Storage order of the table (target_type was added by migration 4, so it comes last). */
const COLUMNS = 'id, project_id, target, name, status, value, closed_at, lesson, properties, created_at, updated_at, target_type';

function timestampValue(ms: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);
}

function appendOutcome(appender: DuckDBAppender, outcome: OutcomeRecord): void {
  const nullable = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
  appender.appendVarchar(outcome.id);
  appender.appendVarchar(outcome.project_id);
  appender.appendVarchar(outcome.target);
  appender.appendVarchar(outcome.name);
  appender.appendVarchar(outcome.status);
  if (outcome.value === null) appender.appendNull();
  else appender.appendDouble(outcome.value);
  if (outcome.closed_at === null) appender.appendNull();
  else appender.appendTimestamp(timestampValue(outcome.closed_at));
  nullable(outcome.lesson);
  appender.appendVarchar(JSON.stringify(outcome.properties));
  appender.appendTimestamp(timestampValue(outcome.created_at));
  appender.appendTimestamp(timestampValue(outcome.updated_at));
  appender.appendVarchar(outcome.target_type);
  appender.endRow();
}

function rowValues(outcome: OutcomeRecord): DuckDBValue[] {
  return [
    outcome.id, outcome.project_id, outcome.target, outcome.name, outcome.status, outcome.value,
    outcome.closed_at === null ? null : timestampValue(outcome.closed_at), outcome.lesson, JSON.stringify(outcome.properties),
    timestampValue(outcome.created_at), timestampValue(outcome.updated_at), outcome.target_type,
  ];
}

export function rowToOutcome(row: Record<string, unknown>): OutcomeRecord {
  const properties = typeof row.properties === 'string' ? (JSON.parse(row.properties) as Record<string, string>) : {};
  return {
    id: String(row.id),
    project_id: String(row.project_id),
    target: String(row.target),
    target_type: row.target_type === 'session' ? 'session' : 'call',
    name: String(row.name),
    status: row.status as OutcomeStatus,
    value: row.value === null || row.value === undefined ? null : Number(row.value),
    closed_at: row.closed_at === null || row.closed_at === undefined ? null : Number(row.closed_at),
    lesson: row.lesson === null || row.lesson === undefined ? null : String(row.lesson),
    properties,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

async function inTransaction(connection: DuckDBConnection, work: () => Promise<void>): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await work();
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export class DuckDbOutcomeRepository implements OutcomeRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async insertMany(outcomes: OutcomeRecord[], options: { upsert?: boolean } = {}): Promise<void> {
    if (outcomes.length === 0) return;
    await this.pool.write((connection) =>
      inTransaction(connection, async () => {
        if (options.upsert) {
          // Upserts are rare (corrections); the appender cannot replace rows.
          const placeholders = outcomes[0] ? rowValues(outcomes[0]).map((_, i) => `$${i + 1}`).join(', ') : '';
          for (const outcome of outcomes) {
            await connection.run(`INSERT OR REPLACE INTO outcomes (${COLUMNS}) VALUES (${placeholders})`, rowValues(outcome));
          }
          return;
        }
        const appender = await connection.createAppender('outcomes');
        try {
          for (const outcome of outcomes) appendOutcome(appender, outcome);
          appender.flushSync();
        } finally {
          try {
            appender.closeSync();
          } catch {
            // a failed flush already reported the cause
          }
        }
      }),
    );
  }

  async get(projectId: string, id: string): Promise<OutcomeRecord | null> {
    const rows = await this.pool.query(`SELECT ${COLUMNS} FROM outcomes WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ? rowToOutcome(rows[0]) : null;
  }

  async existingIds(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const params = new SqlParams();
    const list = ids.map((id) => params.add(id)).join(', ');
    const rows = await this.pool.query<{ id: string }>(`SELECT id FROM outcomes WHERE id IN (${list})`, params.values);
    return rows.map((row) => row.id);
  }

  async update(projectId: string, id: string, patch: OutcomePatch): Promise<OutcomeRecord | null> {
    const params = new SqlParams();
    const sets: string[] = [];
    if (patch.status !== undefined) sets.push(`status = ${params.add(patch.status)}`);
    if (patch.value !== undefined) sets.push(`value = ${params.add(patch.value)}`);
    if (patch.closed_at !== undefined) {
      sets.push(patch.closed_at === null ? 'closed_at = NULL' : `closed_at = ${params.add(sqlTimestamp(patch.closed_at))}::TIMESTAMP`);
    }
    if (patch.lesson !== undefined) sets.push(`lesson = ${params.add(patch.lesson)}`);
    if (patch.properties !== undefined) sets.push(`properties = ${params.add(JSON.stringify(patch.properties))}`);
    sets.push(`updated_at = ${params.add(sqlTimestamp(Date.now()))}::TIMESTAMP`);
    const sql = `UPDATE outcomes SET ${sets.join(', ')} WHERE project_id = ${params.add(projectId)} AND id = ${params.add(id)}`;
    const changed = await this.pool.write(async (connection) => Number((await connection.run(sql, params.values as DuckDBValue[])).rowsChanged));
    return changed > 0 ? this.get(projectId, id) : null;
  }

  async list(query: OutcomeListQuery): Promise<{ items: OutcomeRecord[]; total: number }> {
    const params = new SqlParams();
    const conditions = [`project_id = ${params.add(query.projectId)}`];
    if (query.target !== undefined) conditions.push(`target = ${params.add(query.target)}`);
    if (query.targetType !== undefined) conditions.push(`target_type = ${params.add(query.targetType)}`);
    if (query.name !== undefined) conditions.push(`name = ${params.add(query.name)}`);
    if (query.status && query.status.length > 0) conditions.push(`status IN (${query.status.map((s) => params.add(s)).join(', ')})`);
    if (query.from !== undefined) conditions.push(`created_at >= ${params.add(sqlTimestamp(query.from))}::TIMESTAMP`);
    if (query.to !== undefined) conditions.push(`created_at < ${params.add(sqlTimestamp(query.to))}::TIMESTAMP`);
    const where = conditions.join(' AND ');
    const limit = Math.max(1, Math.trunc(query.limit));
    const offset = Math.max(0, Math.trunc(query.offset));
    const [rows, counted] = await Promise.all([
      this.pool.query(
        `SELECT ${COLUMNS} FROM outcomes WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
        params.values,
      ),
      this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM outcomes WHERE ${where}`, params.values),
    ]);
    return { items: rows.map(rowToOutcome), total: counted[0]?.n ?? 0 };
  }
}
