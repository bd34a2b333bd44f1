// Optimization suggestions on PostgreSQL: a small table, rewritten when suggestions are generated.
import type pg from 'pg';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { Suggestion } from '../../domain/suggestion.js';
import type { SuggestionRepository } from '../ports.js';
import { rowToSuggestion, SUGGESTION_COLUMNS, SUGGESTION_TIMES } from '../suggestion-rows.js';
import { PgProjectTable, upsertSql } from './project-table.js';

const UPSERT = upsertSql('suggestions', SUGGESTION_COLUMNS);

export class PgSuggestionRepository implements SuggestionRepository {
  private readonly table: PgProjectTable<Suggestion>;

  constructor(private readonly pool: pg.Pool) {
    this.table = new PgProjectTable(pool, 'suggestions', 'created_at DESC, id DESC', rowToSuggestion);
  }

  list(projectId?: string): Promise<Suggestion[]> {
    return this.table.list(projectId);
  }

  get(projectId: string, id: string): Promise<Suggestion | null> {
    return this.table.get(projectId, id);
  }

  async put(suggestion: Suggestion): Promise<void> {
    const values = SUGGESTION_COLUMNS.map((column) => (SUGGESTION_TIMES.has(column) ? (suggestion[column] === null ? null : sqlTimestamp(Number(suggestion[column]))) : suggestion[column]));
    await this.pool.query(UPSERT, values);
  }

  delete(projectId: string, id: string): Promise<boolean> {
    return this.table.delete(projectId, id);
  }
}
