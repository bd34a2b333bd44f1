// Rollup maintenance on DuckDB: each group commit adds its calls to the rollups inside the
// same transaction (one writer, so no two commits race on a rollup row); deletes, repricing
// and retention rebuild or drop the days they touched in their own transaction.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { addCallsStatements, purgeStatements, refreshStatements, type RollupScope, type Statement } from '../../analytics/rollups/rollup-schema.js';

async function runAll(connection: DuckDBConnection, statements: Statement[]): Promise<void> {
  for (const statement of statements) await connection.run(statement.sql, statement.params as DuckDBValue[]);
}

/** Adds the calls of one group commit (its commit number) to the rollups. */
export function addCommitToRollups(connection: DuckDBConnection, commitSeq: bigint): Promise<void> {
  return runAll(connection, addCallsStatements({ where: 'commit_seq = $1', params: [commitSeq] }));
}

export function refreshRollups(connection: DuckDBConnection, scope: RollupScope): Promise<void> {
  if (scope.days !== undefined && scope.days.length === 0) return Promise.resolve();
  return runAll(connection, refreshStatements(scope));
}

export function purgeRollupsBefore(connection: DuckDBConnection, before: number): Promise<void> {
  return runAll(connection, purgeStatements(before));
}

/** Runs work in one transaction on the writer connection. */
export async function inDuckDbTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
