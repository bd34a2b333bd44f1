// Outcome rows as both engines store them: the column order, the mapping back, and the SQL of
// patches and filtered pages, which is the same on DuckDB and PostgreSQL.
import type { OutcomeRecord, OutcomeStatus } from '../domain/outcome.js';
import type { Dialect } from '../analytics/filters.js';
import { SqlParams, sqlTimestamp } from '../analytics/sql-params.js';
import { decisionsQuery } from '../outcomes/decisions-sql.js';
import type { OutcomeListQuery, OutcomePatch } from './ports.js';

/** Storage order of the table (target_type and session_id were added by later migrations, so they come last). */
export const OUTCOME_COLUMNS = 'id, project_id, target, name, status, value, closed_at, lesson, properties, created_at, updated_at, target_type, session_id';

/** Adds `session_id` to outcomes and fills it for those already stored; the same SQL on both engines. */
export const OUTCOME_SESSION_MIGRATION_SQL = `
  ALTER TABLE outcomes ADD COLUMN session_id TEXT;
  UPDATE outcomes SET session_id = target WHERE target_type = 'session';
  UPDATE outcomes SET session_id = calls.session_id FROM calls
    WHERE outcomes.target_type = 'call' AND calls.project_id = outcomes.project_id AND calls.id = outcomes.target;`;

export function rowToOutcome(row: Record<string, unknown>): OutcomeRecord {
  const properties = typeof row.properties === 'string' ? (JSON.parse(row.properties) as Record<string, string>) : {};
  return {
    id: String(row.id),
    project_id: String(row.project_id),
    target: String(row.target),
    target_type: row.target_type === 'session' ? 'session' : 'call',
    session_id: row.session_id === null || row.session_id === undefined ? null : String(row.session_id),
    name: String(row.name),
    status: row.status as OutcomeStatus,
    value: row.value === null || row.value === undefined ? null : Number(row.value),
    closed_at: row.closed_at === null || row.closed_at === undefined ? null : Number(row.closed_at),
    lesson: row.lesson === null || row.lesson === undefined ? null : String(row.lesson),
    properties,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

/** The UPDATE that applies a patch (and stamps updated_at) to one project's outcome. */
export function outcomePatchSql(projectId: string, id: string, patch: OutcomePatch): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const sets: string[] = [];
  if (patch.status !== undefined) sets.push(`status = ${params.add(patch.status)}`);
  if (patch.value !== undefined) sets.push(`value = CAST(${params.add(patch.value)} AS DOUBLE PRECISION)`);
  if (patch.closed_at !== undefined) {
    sets.push(patch.closed_at === null ? 'closed_at = NULL' : `closed_at = ${params.add(sqlTimestamp(patch.closed_at))}::TIMESTAMP`);
  }
  if (patch.lesson !== undefined) sets.push(`lesson = ${params.add(patch.lesson)}`);
  if (patch.properties !== undefined) sets.push(`properties = ${params.add(JSON.stringify(patch.properties))}`);
  sets.push(`updated_at = ${params.add(sqlTimestamp(Date.now()))}::TIMESTAMP`);
  const sql = `UPDATE outcomes SET ${sets.join(', ')} WHERE project_id = ${params.add(projectId)} AND id = ${params.add(id)}`;
  return { sql, params: params.values };
}

/**
 * A page of outcomes, newest first, each row with the count of all that match (`total`), and
 * that count alone for a page past the end. One statement: the deciding calls are resolved once
 * for the page and its count (1M calls, a model filter: 42 against 71 ms, measured).
 */
export function outcomeListSql(query: OutcomeListQuery, dialect: Dialect): { page: string; count: string; params: unknown[] } {
  // The deciding call is resolved exactly as the outcome analytics resolve it, so a list
  // filtered by model holds the outcomes that model's figures count.
  const decisions = query.decidingCall ? decisionsQuery({ filters: { ...query.decidingCall, projectId: query.projectId } }, dialect) : null;
  const params = decisions?.params ?? new SqlParams();
  const project = params.add(query.projectId);
  const conditions = [`project_id = ${project}`];
  if (decisions) conditions.push('id IN (SELECT outcome_id FROM decisions)');
  if (query.target !== undefined) conditions.push(`target = ${params.add(query.target)}`);
  if (query.targetType !== undefined) conditions.push(`target_type = ${params.add(query.targetType)}`);
  if (query.sessionId !== undefined) conditions.push(`session_id = ${params.add(query.sessionId)}`);
  if (query.name !== undefined) conditions.push(`name = ${params.add(query.name)}`);
  if (query.status && query.status.length > 0) conditions.push(`status IN (${query.status.map((s) => params.add(s)).join(', ')})`);
  if (query.from !== undefined) conditions.push(`created_at >= ${params.add(sqlTimestamp(query.from))}::TIMESTAMP`);
  if (query.to !== undefined) conditions.push(`created_at < ${params.add(sqlTimestamp(query.to))}::TIMESTAMP`);
  const where = conditions.join(' AND ');
  const limit = Math.max(1, Math.trunc(query.limit));
  const offset = Math.max(0, Math.trunc(query.offset));
  const ctes = decisions ? `${decisions.with},` : 'WITH';
  return {
    page: `${ctes} matched AS (SELECT id, created_at FROM outcomes WHERE ${where}),
      page AS (SELECT id FROM matched ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset})
      SELECT ${OUTCOME_COLUMNS}, (SELECT count(*) FROM matched) AS total
      FROM outcomes WHERE project_id = ${project} AND id IN (SELECT id FROM page) ORDER BY created_at DESC, id DESC`,
    count: `${decisions ? `${decisions.with} ` : ''}SELECT count(*) AS n FROM outcomes WHERE ${where}`,
    params: params.values,
  };
}
