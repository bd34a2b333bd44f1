// Rollup maintenance on DuckDB, behind a watermark: adding each group commit to the rollups in
// its own transaction tripled the commit (78 → 303 ms per 2,000 records, measured), so a
// folder adds every call above the watermark (a commit number, as for the search index) every
// couple of seconds, on the writer lane so it never races a commit or a delete. Reads take the
// calls above the watermark from the raw rows (src/analytics/rollups/compile-rollup-query.ts),
// so answers never wait for the folder. Deletes, repricing and retention first fold, then
// rebuild or drop the days they touched, in their own transaction.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { addCallsStatements, purgeStatements, refreshStatements, ROLLUP_TABLES, ROLLUP_WATERMARK_TABLE, type RollupScope, type Statement } from '../../analytics/rollups/rollup-schema.js';
import { CLEAR_SETTLED_DAYS_SQL, MARK_TOUCHED_DAYS_STATEMENTS, purgePeopleSessionsStatements, recomputeDaysStatements, SETTLED_PENDING_DAYS_SQL } from '../../analytics/rollups/people-sessions.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { PEOPLE_ROLLUP_TABLES } from '../../analytics/rollups/people-rollup-schema.js';
import { TAG_ROLLUPS } from '../../analytics/rollups/tag-rollup-schema.js';
import { ERROR_ROLLUPS } from '../../analytics/rollups/error-rollup-schema.js';
import { BackgroundLoop } from '../background-loop.js';
import type { DuckDbPool } from './connection-pool.js';

/** Every table that adds calls up (the per-day distinct sessions are recomputed instead). */
const DUCKDB_ROLLUP_TABLES = [...ROLLUP_TABLES, ...PEOPLE_ROLLUP_TABLES, TAG_ROLLUPS, ERROR_ROLLUPS];

async function runAll(connection: DuckDBConnection, statements: Statement[]): Promise<void> {
  for (const statement of statements) await connection.run(statement.sql, statement.params as DuckDBValue[]);
}

const DAY_MS = 86_400_000;

/**
 * Adds every call above the watermark to the rollups and moves the watermark; in the caller's
 * transaction. `now` says which UTC day is still filling (see settlePendingDays).
 */
export async function foldIntoRollups(connection: DuckDBConnection, now = Date.now()): Promise<void> {
  const [state] = (await connection.runAndReadAll(`SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE}`)).getRowObjectsJS();
  const watermark = BigInt(state?.watermark as bigint);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  // Filtered on commit_seq, so zone maps skip everything already folded.
  const [top] = (await connection.runAndReadAll('SELECT max(commit_seq) AS top FROM calls WHERE commit_seq > $1', [watermark])).getRowObjectsJS();
  if (top?.top === null || top?.top === undefined) {
    await settlePendingDays(connection, today, watermark, watermark + 1n);
    return;
  }
  const upTo = BigInt(top.top as bigint);
  await runAll(connection, addCallsStatements({ where: 'commit_seq > $1 AND commit_seq <= $2', params: [watermark, upTo] }, DUCKDB_ROLLUP_TABLES));
  for (const sql of MARK_TOUCHED_DAYS_STATEMENTS) await connection.run(sql, [watermark, upTo]);
  await settlePendingDays(connection, today, upTo, upTo);
  await connection.run(`UPDATE ${ROLLUP_WATERMARK_TABLE} SET watermark = $1`, [top.top as DuckDBValue]);
}

/**
 * Distinct sessions per agent and user do not add up across folds, so a day's count is
 * recomputed whole, from all of its calls. Doing that in every fold that brings the day calls
 * read today's calls every few seconds (and every day a backfill fills, as often): the fold
 * marks the days its calls fall on pending instead (MARK_TOUCHED_DAYS_STATEMENTS), and reads
 * take them from raw calls until recounted here: once, when the day has ended and a fold brings
 * it no calls (it was marked by an earlier fold, below `touchedBefore`), from the calls up to
 * commit `upTo`.
 */
async function settlePendingDays(connection: DuckDBConnection, today: number, upTo: bigint, touchedBefore: bigint): Promise<void> {
  const settled = [sqlTimestamp(today), touchedBefore];
  const rows = (await connection.runAndReadAll(SETTLED_PENDING_DAYS_SQL, settled)).getRowObjectsJS();
  if (rows.length === 0) return;
  const daysByProject = new Map<string, number[]>();
  for (const row of rows) daysByProject.set(String(row.project_id), [...(daysByProject.get(String(row.project_id)) ?? []), Number(row.day)]);
  for (const [projectId, days] of daysByProject) await runAll(connection, recomputeDaysStatements({ projectId, days }, upTo));
  await connection.run(CLEAR_SETTLED_DAYS_SQL, settled);
}

export async function refreshRollups(connection: DuckDBConnection, scope: RollupScope): Promise<void> {
  if (scope.days !== undefined && scope.days.length === 0) return;
  await foldIntoRollups(connection);
  await runAll(connection, refreshStatements(scope, DUCKDB_ROLLUP_TABLES));
  await runAll(connection, recomputeDaysStatements(scope));
}

export async function purgeRollupsBefore(connection: DuckDBConnection, before: number): Promise<void> {
  await foldIntoRollups(connection);
  await runAll(connection, [...purgeStatements(before, DUCKDB_ROLLUP_TABLES), ...purgePeopleSessionsStatements(before)]);
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

/**
 * Folds new calls into the rollups every `intervalMs`, counted from the end of the previous
 * fold; failures are retried at the next run. Folds share the writer lane with the recorder's
 * commits, and recounting a busy day's distinct sessions can outlast the interval: a fixed
 * timer would then queue fold after fold ahead of the commits.
 */
export class RollupFolder {
  private readonly loop = new BackgroundLoop(() => this.fold());

  constructor(private readonly pool: DuckDbPool) {}

  fold(): Promise<void> {
    return this.pool.write((connection) => inDuckDbTransaction(connection, () => foldIntoRollups(connection)));
  }

  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
