// analytics/errors' failures by error type and its most frequent messages, from the hour and day
// rollups of failed calls (error-rollup-schema.ts) read as keyed-rollup-parts.ts reads them: the
// same rows, in the same order, as the raw queries give.
import type { CallFilters } from '../../store/ports.js';
import type { Dialect } from '../filters.js';
import { SqlParams } from '../sql-params.js';
import { rollupParts } from './keyed-rollup-parts.js';
import type { RollupRead } from './rollup-plan.js';
import { ERROR_ROLLUPS } from './error-rollup-schema.js';

function over(filters: CallFilters, read: RollupRead, dialect: Dialect, select: (rows: string) => string): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const { ctes, parts } = rollupParts(filters, read, params, dialect);
  const sql = `WITH ${[...ctes, `error_parts AS (${parts(ERROR_ROLLUPS)})`].join(',\n    ')}\n    ${select('error_parts')}`;
  return { sql, params: params.values };
}

/** Rows (error_type, requests), most failures first, then by type; NULL for failures without a type. */
export function errorTypesSql(filters: CallFilters, read: RollupRead, dialect: Dialect, limit: number): { sql: string; params: unknown[] } {
  return over(filters, read, dialect, (rows) => `SELECT CASE WHEN named = 1 THEN member END AS error_type, sum(calls) AS requests FROM ${rows}
    GROUP BY named, member ORDER BY requests DESC NULLS LAST, error_type LIMIT ${Math.max(1, Math.floor(limit))}`);
}

/** Rows (error_message, count, last_seen), the most frequent messages first, then by message. */
export function topMessagesSql(filters: CallFilters, read: RollupRead, dialect: Dialect, limit: number): { sql: string; params: unknown[] } {
  return over(filters, read, dialect, (rows) => `SELECT max(message) AS error_message, sum(calls) AS count, max(last_seen) AS last_seen FROM ${rows}
    WHERE message_key <> '' GROUP BY message_key ORDER BY count DESC, error_message LIMIT ${Math.max(1, Math.floor(limit))}`);
}
