// Optimization suggestions as both engines store them, mapped back to the domain record.
import type { Suggestion, SuggestionPriority, SuggestionType } from '../domain/suggestion.js';

export function rowToSuggestion(row: Record<string, unknown>): Suggestion {
  return {
    id: String(row.id), project_id: String(row.project_id), key: String(row.key), suggestion_type: row.suggestion_type as SuggestionType,
    model_name: String(row.model_name), title: String(row.title), description: String(row.description), priority: row.priority as SuggestionPriority,
    potential_improvement: String(row.potential_improvement), is_implemented: Boolean(row.is_implemented), created_at: Number(row.created_at),
    updated_at: Number(row.updated_at), implemented_at: row.implemented_at === null || row.implemented_at === undefined ? null : Number(row.implemented_at),
  };
}

/** The columns in table order, for inserts on either engine. */
export const SUGGESTION_COLUMNS = ['id', 'project_id', 'key', 'suggestion_type', 'model_name', 'title', 'description', 'priority', 'potential_improvement', 'is_implemented', 'created_at', 'updated_at', 'implemented_at'] as const;
export const SUGGESTION_TIMES: ReadonlySet<string> = new Set(['created_at', 'updated_at', 'implemented_at']);
