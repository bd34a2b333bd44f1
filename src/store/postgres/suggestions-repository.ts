// Optimization suggestions on PostgreSQL: a small table, rewritten when suggestions are generated.
import type pg from 'pg';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { Suggestion } from '../../domain/suggestion.js';
import type { SuggestionRepository } from '../ports.js';
import { rowToSuggestion, SUGGESTION_COLUMNS, SUGGESTION_TIMES } from '../suggestion-rows.js';
import { queryRows } from './pg-pool.js';

export class PgSuggestionRepository implements SuggestionRepository {
  constructor(private readonly pool: pg.Pool) {}

  async list(projectId?: string): Promise<Suggestion[]> {
    const rows = projectId === undefined
      ? await queryRows(this.pool, 'SELECT * FROM suggestions ORDER BY created_at DESC, id DESC')
      : await queryRows(this.pool, 'SELECT * FROM suggestions WHERE project_id = $1 ORDER BY created_at DESC, id DESC', [projectId]);
    return rows.map(rowToSuggestion);
  }

  async get(projectId: string, id: string): Promise<Suggestion | null> {
    const rows = await queryRows(this.pool, 'SELECT * FROM suggestions WHERE project_id = $1 AND id = $2', [projectId, id]);
    return rows[0] ? rowToSuggestion(rows[0]) : null;
  }

  async put(suggestion: Suggestion): Promise<void> {
    const values = SUGGESTION_COLUMNS.map((column) => (SUGGESTION_TIMES.has(column) ? (suggestion[column] === null ? null : sqlTimestamp(Number(suggestion[column]))) : suggestion[column]));
    await this.pool.query(
      `INSERT INTO suggestions (${SUGGESTION_COLUMNS.join(', ')}) VALUES (${SUGGESTION_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${SUGGESTION_COLUMNS.filter((column) => column !== 'id').map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`,
      values,
    );
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM suggestions WHERE project_id = $1 AND id = $2', [projectId, id]);
    return (result.rowCount ?? 0) > 0;
  }
}
