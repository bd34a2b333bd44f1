// Compiles the common filters of every list and analytics route into one WHERE clause.
// Values always travel as parameters; column names come only from this file.
import type { CallFilters } from '../store/ports.js';
import { SqlParams, sqlTimestamp } from './sql-params.js';

export type Dialect = 'duckdb' | 'postgres';

const REGEX_META = /[.*+?^${}()|[\]\\]/g;

/** The needle as it appears inside stored JSON text, so quotes and newlines match too. */
function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function searchCondition(search: string, params: SqlParams, dialect: Dialect): string {
  const needle = jsonEscaped(search);
  if (dialect === 'duckdb') {
    // regexp_matches with the 'i' flag scans ~4x faster than ILIKE on DuckDB (measured in DESIGN.md).
    const pattern = params.add(needle.replace(REGEX_META, '\\$&'));
    return `(regexp_matches(CAST(input AS VARCHAR), ${pattern}, 'i') OR regexp_matches(CAST(output AS VARCHAR), ${pattern}, 'i'))`;
  }
  const pattern = params.add(`%${needle.replace(/[\\%_]/g, '\\$&')}%`);
  return `(input::text ILIKE ${pattern} OR output::text ILIKE ${pattern})`;
}

function listCondition(column: string, values: string[] | undefined, params: SqlParams): string | null {
  if (!values || values.length === 0) return null;
  if (values.length === 1) return `${column} = ${params.add(values[0])}`;
  return `${column} IN (${values.map((value) => params.add(value)).join(', ')})`;
}

export function compileCallFilters(filters: CallFilters, params: SqlParams, dialect: Dialect): string {
  const conditions: string[] = [`project_id = ${params.add(filters.projectId)}`];
  if (filters.from !== undefined) conditions.push(`started_at >= ${params.add(sqlTimestamp(filters.from))}::TIMESTAMP`);
  if (filters.to !== undefined) conditions.push(`started_at < ${params.add(sqlTimestamp(filters.to))}::TIMESTAMP`);
  for (const condition of [
    listCondition('provider', filters.provider, params),
    listCondition('model', filters.model, params),
    listCondition('status', filters.status, params),
  ]) {
    if (condition) conditions.push(condition);
  }
  const equals: [string, string | undefined][] = [
    ['user_id', filters.userId],
    ['session_id', filters.sessionId],
    ['agent', filters.agent],
    ['account_id', filters.accountId],
  ];
  for (const [column, value] of equals) if (value !== undefined) conditions.push(`${column} = ${params.add(value)}`);
  if (filters.tag !== undefined) {
    conditions.push(dialect === 'duckdb' ? `list_contains(tags, ${params.add(filters.tag)})` : `${params.add(filters.tag)} = ANY(tags)`);
  }
  for (const [name, value] of Object.entries(filters.properties ?? {})) {
    conditions.push(`(properties->>${params.add(name)}) = ${params.add(value)}`);
  }
  if (filters.search) conditions.push(searchCondition(filters.search, params, dialect));
  return conditions.join(' AND ');
}
