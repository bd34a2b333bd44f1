// Logs search text on PostgreSQL, indexed after the insert instead of during it: an insert
// batch queues its ids (one call_search_pending row, in the batch's transaction:
// batch-queues.ts), and this indexer moves queued rows' text into call_search, whose trigram
// index serves searches. One instance at a time runs it (an advisory lock; the others skip
// their turn), and deletes and retention take the same lock, so none of them interleaves with
// a move.
import type pg from 'pg';
import { pgSearchTextOf } from '../sql-dialect.js';
import { PgQueueWorker } from './queue-worker.js';

export const SEARCH_INDEXER_LOCK = "hashtext(current_schema() || '.loupe search indexer')";
/** Queue rows per indexer transaction (a few recorder batches), so each move stays short. */
const BATCHES_PER_RUN = 5;

/**
 * Takes queued batches and indexes their calls that still exist. A call deleted while queued,
 * then written again under its id, is queued twice: the unique key keeps it indexed once (a
 * probe per row, where NOT EXISTS let the planner scan all of call_search on every run).
 */
const MOVE_SQL = `
  WITH taken AS (DELETE FROM call_search_pending WHERE batch = ANY($1::bigint[]) RETURNING ids, started),
  queued AS (SELECT k.id, k.started_at FROM taken CROSS JOIN LATERAL unnest(taken.ids, taken.started) AS k(id, started_at))
  INSERT INTO call_search (id, project_id, started_at, search_text)
  SELECT c.id, c.project_id, c.started_at, ${pgSearchTextOf('c')}
  FROM queued JOIN calls c ON c.id = queued.id AND c.started_at = queued.started_at
  ON CONFLICT (id, started_at) DO NOTHING`;

/** The days of queued rows that still exist, so their call_search partitions can be made. */
const QUEUED_DAYS_SQL = `
  SELECT ensure_calls_partition(day) FROM (
    SELECT DISTINCT c.started_at::date AS day
    FROM call_search_pending q CROSS JOIN LATERAL unnest(q.ids, q.started) AS k(id, started_at)
    JOIN calls c ON c.id = k.id AND c.started_at = k.started_at
    WHERE q.batch = ANY($1::bigint[])
  ) days`;

/** Moves up to BATCHES_PER_RUN queued batches into call_search a run, oldest first. */
export class PgSearchIndexer extends PgQueueWorker {
  constructor(pool: pg.Pool) {
    let batches: string[] = [];
    super(pool, {
      lock: SEARCH_INDEXER_LOCK,
      step: async (client) => {
        batches = (await client.query<{ batch: string }>(`SELECT batch::text AS batch FROM call_search_pending ORDER BY batch LIMIT ${BATCHES_PER_RUN}`)).rows.map((row) => row.batch);
        if (batches.length > 0) await client.query(MOVE_SQL, [batches]);
        return batches.length;
      },
      // A day whose call_search partition is missing (made by an older instance): make it.
      recover: async (error) => {
        if ((error as { code?: string }).code !== '23514') throw error;
        await pool.query(QUEUED_DAYS_SQL, [batches]);
        return 0;
      },
    });
  }
}
