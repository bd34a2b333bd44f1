// Optimization suggestions on DuckDB: a small table, rewritten when suggestions are generated.
import type { DuckDBValue } from '@duckdb/node-api';
import type { Suggestion } from '../../domain/suggestion.js';
import type { SuggestionRepository } from '../ports.js';
import { rowToSuggestion, SUGGESTION_COLUMNS, SUGGESTION_TIMES } from '../suggestion-rows.js';
import type { DuckDbPool } from './connection-pool.js';
import { duckTimestamp } from './duck-timestamp.js';
import { DuckDbProjectTable } from './project-table.js';

export class DuckDbSuggestionRepository implements SuggestionRepository {
  private readonly table: DuckDbProjectTable<Suggestion>;

  constructor(pool: DuckDbPool) {
    this.table = new DuckDbProjectTable(pool, 'suggestions', 'created_at DESC, id DESC', rowToSuggestion);
  }

  list(projectId?: string): Promise<Suggestion[]> {
    return this.table.list(projectId);
  }

  get(projectId: string, id: string): Promise<Suggestion | null> {
    return this.table.get(projectId, id);
  }

  put(suggestion: Suggestion): Promise<void> {
    return this.table.put(SUGGESTION_COLUMNS.map((column) => (SUGGESTION_TIMES.has(column) ? duckTimestamp(suggestion[column] === null ? null : Number(suggestion[column])) : suggestion[column])) as DuckDBValue[]);
  }

  delete(projectId: string, id: string): Promise<boolean> {
    return this.table.delete(projectId, id);
  }
}
