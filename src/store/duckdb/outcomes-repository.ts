// Outcomes on DuckDB: appender batches for new rows (the demo generator writes many),
// per-row upserts and patches, filtered pages.
import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { duckTimestamp as timestampValue } from './duck-timestamp.js';
import type { OutcomeRecord } from '../../domain/outcome.js';
import { SqlParams } from '../../analytics/sql-params.js';
import type { OutcomeListQuery, OutcomePatch, OutcomeRepository } from '../ports.js';
import { OUTCOME_COLUMNS, outcomeListSql, outcomePatchSql, rowToOutcome } from '../outcome-rows.js';
import type { DuckDbPool } from './connection-pool.js';



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
  nullable(outcome.session_id);
  appender.endRow();
}

function rowValues(outcome: OutcomeRecord): DuckDBValue[] {
  return [
    outcome.id, outcome.project_id, outcome.target, outcome.name, outcome.status, outcome.value,
    outcome.closed_at === null ? null : timestampValue(outcome.closed_at), outcome.lesson, JSON.stringify(outcome.properties),
    timestampValue(outcome.created_at), timestampValue(outcome.updated_at), outcome.target_type, outcome.session_id,
  ];
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
            await connection.run(`INSERT OR REPLACE INTO outcomes (${OUTCOME_COLUMNS}) VALUES (${placeholders})`, rowValues(outcome));
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
    const rows = await this.pool.query(`SELECT ${OUTCOME_COLUMNS} FROM outcomes WHERE project_id = $1 AND id = $2`, [projectId, id]);
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
    const { sql, params } = outcomePatchSql(projectId, id, patch);
    const changed = await this.pool.write(async (connection) => Number((await connection.run(sql, params as DuckDBValue[])).rowsChanged));
    return changed > 0 ? this.get(projectId, id) : null;
  }

  async list(query: OutcomeListQuery): Promise<{ items: OutcomeRecord[]; total: number }> {
    const { page, count, params } = outcomeListSql(query, 'duckdb');
    const rows = await this.pool.query(page, params);
    if (rows.length > 0) return { items: rows.map(rowToOutcome), total: Number(rows[0]!.total) };
    // Past the end: the page held no row to carry the count.
    const counted = query.offset > 0 ? await this.pool.query<{ n: number }>(count, params) : [];
    return { items: [], total: Number(counted[0]?.n ?? 0) };
  }
}
