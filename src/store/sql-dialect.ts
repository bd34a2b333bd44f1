// Small spelling differences between DuckDB and PostgreSQL, so one query definition serves
// both engines (DuckDB follows PostgreSQL's dialect nearly everywhere else).
import type { Dialect } from '../analytics/filters.js';

/**
 * The text a logs search matches on PostgreSQL: prompt and response JSON in one expression,
 * which its trigram index covers. JSON text never holds a raw newline, so a needle cannot
 * match across the joint.
 */
export const PG_SEARCH_TEXT = "(COALESCE(input::text, '') || chr(10) || COALESCE(output::text, ''))";

/** PG_SEARCH_TEXT of the calls row aliased `alias`. */
export function pgSearchTextOf(alias: string): string {
  return PG_SEARCH_TEXT.replace('input', `${alias}.input`).replace('output', `${alias}.output`);
}

/**
 * Calls whose search text matches `pattern` (an ILIKE pattern) on PostgreSQL, as a condition on
 * `calls`. Rows the background indexer has copied into call_search are matched through its
 * trigram index; rows still queued in call_search_pending are read from `calls` and matched
 * there. The indexer moves a batch from the queue to call_search in one transaction, so in the
 * statement's snapshot every row with content is in exactly one of the two: results are those
 * of a scan, without lag. `timeBounds` are conditions on `started_at` that also prune the side
 * table's partitions. Rows without content are in neither: their search text cannot match a
 * non-empty needle, which never holds a raw newline.
 */
export function pgSearchCondition(project: string, pattern: string, timeBounds: readonly string[]): string {
  return `(id, started_at) IN (${pgSearchHits(project, pattern, timeBounds)})`;
}

/** The (id, started_at) of the calls pgSearchCondition matches, each once. */
export function pgSearchHits(project: string, pattern: string, timeBounds: readonly string[]): string {
  const within = (alias: string) => timeBounds.map((bound) => ` AND ${alias}.${bound}`).join('');
  return `
    SELECT s.id, s.started_at FROM call_search s WHERE s.project_id = ${project}${within('s')} AND s.search_text ILIKE ${pattern}
    UNION ALL
    SELECT c.id, c.started_at FROM call_search_pending q CROSS JOIN LATERAL unnest(q.ids, q.started) AS k(id, started_at)
      JOIN calls c ON c.id = k.id AND c.started_at = k.started_at
    WHERE c.project_id = ${project}${within('c')} AND ${pgSearchTextOf('c')} ILIKE ${pattern}`;
}

/** Whether a text[] column holds a value. */
export function arrayContains(dialect: Dialect, column: string, value: string): string {
  return dialect === 'duckdb' ? `list_contains(${column}, ${value})` : `${value} = ANY(${column})`;
}
