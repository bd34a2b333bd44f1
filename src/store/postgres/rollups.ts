// Rollup maintenance on PostgreSQL, inside the caller's transaction: inserts add their calls,
// deletes and repricing rebuild the days they touched. Instances share the database, so each
// holds a transaction lock on every project-day it changes: a rebuild then never interleaves
// with another instance's insert into the same day (which would count that insert twice or
// not at all).
import type pg from 'pg';
import { GRAIN_MS, type RollupScope, type Statement } from '../../analytics/rollups/rollup-schema.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { inTransaction } from './pg-pool.js';
import { addInsertedStatements, purgePgStatements, refreshPgStatements } from './member-rollups.js';

async function runAll(runner: pg.PoolClient | pg.Pool, statements: Statement[]): Promise<void> {
  for (const statement of statements) await runner.query(statement.sql, statement.params);
}

/** Locks project-days in one order everywhere, so two instances cannot deadlock on them. */
async function lockDays(client: pg.PoolClient, projectIds: string[], days: number[]): Promise<void> {
  const keys = [...new Set(projectIds.map((project, i) => `${Math.floor(days[i]! / GRAIN_MS.day)} ${project}`))].sort();
  await client.query("SELECT pg_advisory_xact_lock(hashtext('loupe rollups ' || k)) FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) ordered", [keys]);
}

export interface InsertedCall {
  id: string;
  project_id: string;
  started_at: number;
  user_id: string | null;
  session_id: string | null;
}

/** Adds calls just inserted in this transaction to the rollups. */
export async function addInsertedToRollups(client: pg.PoolClient, calls: InsertedCall[]): Promise<void> {
  if (calls.length === 0) return;
  const times = calls.map((call) => call.started_at);
  await lockDays(client, calls.map((call) => call.project_id), times);
  // The time bounds let the planner touch only the partitions of the batch's days.
  await runAll(client, addInsertedStatements({
    where: 'id = ANY($1::text[]) AND started_at >= $2::timestamp AND started_at <= $3::timestamp',
    params: [calls.map((call) => call.id), sqlTimestamp(Math.min(...times)), sqlTimestamp(Math.max(...times))],
  }, calls));
}

/** Rebuilds a scope's rollups from the calls that remain (after deletes, repricing). */
export async function refreshRollups(client: pg.PoolClient, scope: RollupScope): Promise<void> {
  if (scope.days !== undefined) {
    if (scope.days.length === 0) return;
    await lockDays(client, scope.days.map(() => scope.projectId), scope.days);
  }
  await runAll(client, refreshPgStatements(scope));
}

export function purgeRollupsBefore(pool: pg.Pool, before: number): Promise<void> {
  return inTransaction(pool, (client) => runAll(client, purgePgStatements(before)));
}
