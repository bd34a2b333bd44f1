// Rollup maintenance on DuckDB, behind a watermark: adding each group commit to the rollups in
// its own transaction tripled the commit (78 → 303 ms per 2,000 records, measured), so a
// folder adds every call above the watermark (a commit number, as for the search index) every
// couple of seconds, on the writer lane so it never races a commit or a delete. Reads take the
// calls above the watermark from the raw rows (src/analytics/rollups/compile-rollup-query.ts),
// so answers never wait for the folder. Deletes, repricing and retention first fold, then
// rebuild or drop the days they touched, in their own transaction.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { addCallsStatements, purgeStatements, refreshStatements, ROLLUP_TABLES, ROLLUP_WATERMARK_TABLE, type RollupScope, type Statement } from '../../analytics/rollups/rollup-schema.js';
import { clearPendingStatement, ENDED_PENDING_DAYS_SQL, markPendingStatement, purgePeopleSessionsStatements, recomputeDaysStatements } from '../../analytics/rollups/people-sessions.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { PEOPLE_ROLLUP_TABLES } from '../../analytics/rollups/people-rollup-schema.js';
import { BackgroundLoop } from '../background-loop.js';
import type { DuckDbPool } from './connection-pool.js';

/** Every table that adds calls up (the per-day distinct sessions are recomputed instead). */
const DUCKDB_ROLLUP_TABLES = [...ROLLUP_TABLES, ...PEOPLE_ROLLUP_TABLES];

async function runAll(connection: DuckDBConnection, statements: Statement[]): Promise<void> {
  for (const statement of statements) await connection.run(statement.sql, statement.params as DuckDBValue[]);
}

const DAY_MS = 86_400_000;

/**
 * Adds every call above the watermark to the rollups and moves the watermark; in the caller's
 * transaction. `now` says which UTC day is still filling (see recomputeTouchedDays).
 */
export async function foldIntoRollups(connection: DuckDBConnection, now = Date.now()): Promise<void> {
  const [state] = (await connection.runAndReadAll(`SELECT watermark FROM ${ROLLUP_WATERMARK_TABLE}`)).getRowObjectsJS();
  const watermark = BigInt(state?.watermark as bigint);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  // Filtered on commit_seq, so zone maps skip everything already folded.
  const [top] = (await connection.runAndReadAll('SELECT max(commit_seq) AS top FROM calls WHERE commit_seq > $1', [watermark])).getRowObjectsJS();
  if (top?.top === null || top?.top === undefined) {
    await recountEndedDays(connection, today, watermark);
    return;
  }
  await runAll(connection, addCallsStatements({ where: 'commit_seq > $1 AND commit_seq <= $2', params: [watermark, top.top] }, DUCKDB_ROLLUP_TABLES));
  await recomputeTouchedDays(connection, watermark, BigInt(top.top as bigint), today);
  await recountEndedDays(connection, today, BigInt(top.top as bigint));
  await connection.run(`UPDATE ${ROLLUP_WATERMARK_TABLE} SET watermark = $1`, [top.top as DuckDBValue]);
}

/** Days by project, from rows (project_id, day). */
function byProject(rows: Record<string, unknown>[]): Map<string, number[]> {
  const days = new Map<string, number[]>();
  for (const row of rows) {
    const project = String(row.project_id);
    days.set(project, [...(days.get(project) ?? []), Number(row.day)]);
  }
  return days;
}

/**
 * Distinct sessions per agent and user do not add up across folds, so the days that the newly
 * folded calls fall on are recomputed whole, except the day still filling (and any later one):
 * recounting it at every fold would read all of its calls every few seconds. Those are marked
 * pending instead; reads take them from raw calls.
 */
async function recomputeTouchedDays(connection: DuckDBConnection, watermark: bigint, top: bigint, today: number): Promise<void> {
  const touched = (await connection.runAndReadAll(
    `SELECT project_id, epoch_ms(date_trunc('day', started_at)) AS day FROM calls WHERE commit_seq > $1 AND commit_seq <= $2 GROUP BY 1, 2`,
    [watermark, top],
  )).getRowObjectsJS();
  for (const [projectId, days] of byProject(touched)) {
    const ended = days.filter((day) => day < today);
    if (ended.length > 0) await runAll(connection, recomputeDaysStatements({ projectId, days: ended }, top));
    await runAll(connection, days.filter((day) => day >= today).map((day) => markPendingStatement(projectId, day)));
  }
}

/** Recounts, once, the pending days that have ended since they were marked (calls up to commit `upTo`). */
async function recountEndedDays(connection: DuckDBConnection, today: number, upTo: bigint): Promise<void> {
  const ended = (await connection.runAndReadAll(ENDED_PENDING_DAYS_SQL, [sqlTimestamp(today)])).getRowObjectsJS();
  for (const [projectId, days] of byProject(ended)) {
    await runAll(connection, recomputeDaysStatements({ projectId, days }, upTo));
    await runAll(connection, days.map((day) => clearPendingStatement(projectId, day)));
  }
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
