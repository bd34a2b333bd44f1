// Outcomes on PostgreSQL: batches as one INSERT from column arrays, upserts by id, patches,
// filtered pages.
import type pg from 'pg';
import type { OutcomeRecord } from '../../domain/outcome.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { OutcomeListQuery, OutcomePatch, OutcomeRepository } from '../ports.js';
import { OUTCOME_COLUMNS, outcomeListSql, outcomePatchSql, rowToOutcome } from '../outcome-rows.js';
import { inTransaction, queryRows } from './pg-pool.js';

const UPDATABLE = ['project_id', 'target', 'name', 'status', 'value', 'closed_at', 'lesson', 'properties', 'created_at', 'updated_at', 'target_type', 'session_id'];

const INSERT_SQL = `INSERT INTO outcomes (${OUTCOME_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::timestamp[], $8::text[], $9::json[],
    $10::timestamp[], $11::timestamp[], $12::text[], $13::text[])`;

function columnArrays(outcomes: OutcomeRecord[]): unknown[][] {
  return [
    outcomes.map((o) => o.id), outcomes.map((o) => o.project_id), outcomes.map((o) => o.target), outcomes.map((o) => o.name),
    outcomes.map((o) => o.status), outcomes.map((o) => o.value), outcomes.map((o) => (o.closed_at === null ? null : sqlTimestamp(o.closed_at))),
    outcomes.map((o) => o.lesson), outcomes.map((o) => JSON.stringify(o.properties)), outcomes.map((o) => sqlTimestamp(o.created_at)),
    outcomes.map((o) => sqlTimestamp(o.updated_at)), outcomes.map((o) => o.target_type), outcomes.map((o) => o.session_id),
  ];
}

export class PgOutcomeRepository implements OutcomeRepository {
  constructor(private readonly pool: pg.Pool) {}

  async insertMany(outcomes: OutcomeRecord[], options: { upsert?: boolean } = {}): Promise<void> {
    if (outcomes.length === 0) return;
    const conflict = options.upsert ? ` ON CONFLICT (id) DO UPDATE SET ${UPDATABLE.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : '';
    // An id repeated within one upsert batch: the last one wins, as with row-by-row replaces.
    const rows = options.upsert ? [...new Map(outcomes.map((o) => [o.id, o])).values()] : outcomes;
    await inTransaction(this.pool, (client) => client.query(INSERT_SQL + conflict, columnArrays(rows)));
  }

  async get(projectId: string, id: string): Promise<OutcomeRecord | null> {
    const rows = await queryRows(this.pool, `SELECT ${OUTCOME_COLUMNS} FROM outcomes WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ? rowToOutcome(rows[0]) : null;
  }

  async existingIds(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<{ id: string }>(this.pool, 'SELECT id FROM outcomes WHERE id = ANY($1::text[])', [ids]);
    return rows.map((row) => row.id);
  }

  async update(projectId: string, id: string, patch: OutcomePatch): Promise<OutcomeRecord | null> {
    const { sql, params } = outcomePatchSql(projectId, id, patch);
    const result = await this.pool.query(sql, params);
    return (result.rowCount ?? 0) > 0 ? this.get(projectId, id) : null;
  }

  async list(query: OutcomeListQuery): Promise<{ items: OutcomeRecord[]; total: number }> {
    const { page, count, params } = outcomeListSql(query, 'postgres');
    const rows = await queryRows(this.pool, page, params);
    if (rows.length > 0) return { items: rows.map(rowToOutcome), total: Number(rows[0]!.total) };
    // Past the end: the page held no row to carry the count.
    const counted = query.offset > 0 ? await queryRows<{ n: number }>(this.pool, count, params) : [];
    return { items: [], total: Number(counted[0]?.n ?? 0) };
  }
}
