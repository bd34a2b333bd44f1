// Rollup rebuilds on PostgreSQL, inside the caller's transaction. Deletes and repricing
// rebuild the days they touched, retention drops old buckets; each first takes the folder's
// lock and folds everything queued (rollup-queue.ts), so no fold interleaves with a rebuild,
// and a rebuild counts only folded calls: a batch that commits meanwhile stays queued for the
// folder, and is not counted twice.
import type pg from 'pg';
import type { RollupScope, Statement } from '../../analytics/rollups/rollup-schema.js';
import { inTransaction } from './pg-pool.js';
import { purgePgStatements, refreshPgStatements } from './member-rollups.js';
import { foldAllQueued } from './rollup-queue.js';

async function runAll(runner: pg.PoolClient, statements: Statement[]): Promise<void> {
  for (const statement of statements) await runner.query(statement.sql, statement.params);
}

/** Rebuilds a scope's rollups from the calls that remain (after deletes, repricing). */
export async function refreshRollups(client: pg.PoolClient, scope: RollupScope): Promise<void> {
  if (scope.days !== undefined && scope.days.length === 0) return;
  await foldAllQueued(client);
  await runAll(client, refreshPgStatements(scope));
}

export function purgeRollupsBefore(pool: pg.Pool, before: number): Promise<void> {
  return inTransaction(pool, async (client) => {
    await foldAllQueued(client);
    await runAll(client, purgePgStatements(before));
  });
}
