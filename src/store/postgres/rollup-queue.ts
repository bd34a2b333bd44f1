// Rollups on PostgreSQL, kept behind a queue: adding each insert batch to the rollups and the
// member bitmaps in its own transaction took a third of the batch, and most of that went to
// upserting the same few hundred rollup rows batch after batch (docs/BENCHMARKS.md). Instead
// each batch queues its ids (one call_rollup_pending row, committed with the calls:
// batch-queues.ts), and a folder adds many queued batches at a time. Reads take queued calls
// raw in the same snapshot (src/analytics/rollups/compile-rollup-query.ts), so answers never
// lag. One instance folds at a time (an advisory lock); deletes, repricing and retention take
// the same lock and fold everything queued before they rebuild or drop days (rollups.ts).
import type pg from 'pg';
import { QUEUED_CALL_KEYS_SQL, ROLLUP_QUEUE_TABLE, ROLLUP_SOURCE_COLUMNS, type Statement } from '../../analytics/rollups/rollup-schema.js';
import { foldStatements } from './member-rollups.js';
import { PgQueueWorker } from './queue-worker.js';

export const ROLLUP_FOLDER_LOCK = "hashtext(current_schema() || '.loupe rollup folder')";
/** Queued batches per fold: enough that a fold upserts each rollup row once for many batches. */
const BATCHES_PER_FOLD = 20;
/** Each connection's scratch table for the calls of one fold, read once from `calls`. */
const FOLDING = 'call_rollup_folding';

async function runAll(client: pg.PoolClient, statements: Statement[]): Promise<void> {
  for (const statement of statements) await client.query(statement.sql, statement.params);
}

/**
 * Folds the oldest queued batches (all of them when `limit` is null) in the client's
 * transaction, which holds ROLLUP_FOLDER_LOCK. A queued call deleted since is not found and
 * adds nothing. Returns how many batches it took.
 */
export async function foldQueued(client: pg.PoolClient, limit: number | null): Promise<number> {
  const batches = (await client.query<{ batch: string }>(`SELECT batch::text AS batch FROM ${ROLLUP_QUEUE_TABLE} ORDER BY batch${limit === null ? '' : ` LIMIT ${limit}`}`)).rows.map((row) => row.batch);
  if (batches.length === 0) return 0;
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${FOLDING} ON COMMIT DELETE ROWS AS SELECT ${ROLLUP_SOURCE_COLUMNS} FROM calls WITH NO DATA`);
  const columns = ROLLUP_SOURCE_COLUMNS.split(', ').map((column) => `c.${column}`).join(', ');
  await client.query(
    `INSERT INTO ${FOLDING} SELECT ${columns}
     FROM (SELECT DISTINCT * FROM (${QUEUED_CALL_KEYS_SQL} WHERE q.batch = ANY($1::bigint[])) keys) queued
     JOIN calls c ON c.id = queued.id AND c.started_at = queued.started_at`,
    [batches],
  );
  await runAll(client, foldStatements(FOLDING));
  await client.query(`DELETE FROM ${ROLLUP_QUEUE_TABLE} WHERE batch = ANY($1::bigint[])`, [batches]);
  // The scratch rows would go at commit; a caller may fold again in this transaction.
  await client.query(`DELETE FROM ${FOLDING}`);
  return batches.length;
}

/** Waits for the folder lock and folds everything queued, in the client's transaction. */
export async function foldAllQueued(client: pg.PoolClient): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(${ROLLUP_FOLDER_LOCK})`);
  await foldQueued(client, null);
}

/** Folds up to BATCHES_PER_FOLD queued batches a run. */
export class PgRollupFolder extends PgQueueWorker {
  constructor(pool: pg.Pool) {
    super(pool, { lock: ROLLUP_FOLDER_LOCK, step: (client) => foldQueued(client, BATCHES_PER_FOLD) });
  }
}
