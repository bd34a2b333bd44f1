// Optimization suggestions on DuckDB: a small table, rewritten when suggestions are generated.
import { DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type { Suggestion } from '../../domain/suggestion.js';
import type { SuggestionRepository } from '../ports.js';
import { rowToSuggestion, SUGGESTION_COLUMNS, SUGGESTION_TIMES } from '../suggestion-rows.js';
import type { DuckDbPool } from './connection-pool.js';

const timestamp = (ms: unknown) => (ms === null ? null : new DuckDBTimestampValue(BigInt(Math.round(Number(ms))) * 1000n));

export class DuckDbSuggestionRepository implements SuggestionRepository {
  constructor(private readonly pool: DuckDbPool) {}

  async list(projectId?: string): Promise<Suggestion[]> {
    const rows = projectId === undefined
      ? await this.pool.query('SELECT * FROM suggestions ORDER BY created_at DESC, id DESC')
      : await this.pool.query('SELECT * FROM suggestions WHERE project_id = $1 ORDER BY created_at DESC, id DESC', [projectId]);
    return rows.map(rowToSuggestion);
  }

  async get(projectId: string, id: string): Promise<Suggestion | null> {
    const rows = await this.pool.query('SELECT * FROM suggestions WHERE project_id = $1 AND id = $2', [projectId, id]);
    return rows[0] ? rowToSuggestion(rows[0]) : null;
  }

  async put(suggestion: Suggestion): Promise<void> {
    const values = SUGGESTION_COLUMNS.map((column) => (SUGGESTION_TIMES.has(column) ? timestamp(suggestion[column]) : suggestion[column])) as DuckDBValue[];
    await this.pool.write((connection) => connection.run(`INSERT OR REPLACE INTO suggestions VALUES (${SUGGESTION_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`, values));
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.pool.write((connection) => connection.run('DELETE FROM suggestions WHERE project_id = $1 AND id = $2', [projectId, id]));
    return Number(result.rowsChanged) > 0;
  }
}
