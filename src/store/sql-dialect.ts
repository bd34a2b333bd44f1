// Small spelling differences between DuckDB and PostgreSQL, so one query definition serves
// both engines (DuckDB follows PostgreSQL's dialect nearly everywhere else).
import type { Dialect } from '../analytics/filters.js';

/**
 * The text a logs search matches on PostgreSQL: prompt and response JSON in one expression,
 * which its trigram index covers. JSON text never holds a raw newline, so a needle cannot
 * match across the joint.
 */
export const PG_SEARCH_TEXT = "(COALESCE(input::text, '') || chr(10) || COALESCE(output::text, ''))";

/** Whether a text[] column holds a value. */
export function arrayContains(dialect: Dialect, column: string, value: string): string {
  return dialect === 'duckdb' ? `list_contains(${column}, ${value})` : `${value} = ANY(${column})`;
}
