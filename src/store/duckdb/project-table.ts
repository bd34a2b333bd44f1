// A small table of project-scoped rows keyed by id (budgets, alert rules, suggestions): the
// reads and writes every such repository makes alike. Table and order are the repository's
// own constants, never input.
import type { DuckDBValue } from '@duckdb/node-api';
import type { DuckDbPool } from './connection-pool.js';

export const placeholders = (count: number) => Array.from({ length: count }, (_, index) => `$${index + 1}`).join(', ');

export class DuckDbProjectTable<T> {
  constructor(
    private readonly pool: DuckDbPool,
    private readonly table: string,
    /** ORDER BY of a list. */
    private readonly order: string,
    private readonly fromRow: (row: Record<string, unknown>) => T,
  ) {}

  /** One project's rows, or every project's. */
  async list(projectId?: string): Promise<T[]> {
    const rows = projectId === undefined
      ? await this.pool.query(`SELECT * FROM ${this.table} ORDER BY ${this.order}`)
      : await this.pool.query(`SELECT * FROM ${this.table} WHERE project_id = $1 ORDER BY ${this.order}`, [projectId]);
    return rows.map(this.fromRow);
  }

  async get(projectId: string, id: string): Promise<T | null> {
    const rows = await this.pool.query(`SELECT * FROM ${this.table} WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ? this.fromRow(rows[0]) : null;
  }

  /** Inserts a row, or replaces the row with its id: values in the table's column order. */
  async put(values: DuckDBValue[]): Promise<void> {
    await this.pool.write((connection) => connection.run(`INSERT OR REPLACE INTO ${this.table} VALUES (${placeholders(values.length)})`, values));
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.pool.write((connection) => connection.run(`DELETE FROM ${this.table} WHERE project_id = $1 AND id = $2`, [projectId, id]));
    return Number(result.rowsChanged) > 0;
  }
}
