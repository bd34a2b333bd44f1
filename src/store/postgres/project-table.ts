// A small table of project-scoped rows keyed by id (budgets, alert rules, suggestions): the
// reads and writes every such repository makes alike. Table, order and columns are the
// repository's own constants, never input.
import type pg from 'pg';
import { queryRows } from './pg-pool.js';

export const placeholders = (count: number) => Array.from({ length: count }, (_, index) => `$${index + 1}`).join(', ');

/** `INSERT ... ON CONFLICT (id) DO UPDATE` of every column, as SQL for these columns. */
export function upsertSql(table: string, columns: readonly string[]): string {
  const updates = columns.filter((column) => column !== 'id').map((column) => `${column} = EXCLUDED.${column}`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)}) ON CONFLICT (id) DO UPDATE SET ${updates}`;
}

export class PgProjectTable<T> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    /** ORDER BY of a list. */
    private readonly order: string,
    private readonly fromRow: (row: Record<string, unknown>) => T,
  ) {}

  /** One project's rows, or every project's. */
  async list(projectId?: string): Promise<T[]> {
    const rows = projectId === undefined
      ? await queryRows(this.pool, `SELECT * FROM ${this.table} ORDER BY ${this.order}`)
      : await queryRows(this.pool, `SELECT * FROM ${this.table} WHERE project_id = $1 ORDER BY ${this.order}`, [projectId]);
    return rows.map(this.fromRow);
  }

  async get(projectId: string, id: string): Promise<T | null> {
    const rows = await queryRows(this.pool, `SELECT * FROM ${this.table} WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ? this.fromRow(rows[0]) : null;
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${this.table} WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return (result.rowCount ?? 0) > 0;
  }
}
