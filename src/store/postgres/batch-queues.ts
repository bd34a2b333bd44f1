// An insert batch queued for the background work, in its own transaction and one statement:
// the search indexer (search-indexer.ts) takes the rows that store prompt or response text, the
// rollup folder (rollup-queue.ts) every row. Most batches store text in every row, and then both
// queue rows are made from the same two arrays, sent once.
import type pg from 'pg';
import { ROLLUP_QUEUE_TABLE } from '../../analytics/rollups/rollup-schema.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { CallWrite } from '../ports.js';

/** Whether the row stores prompt or response text (rows without either cannot match a search). */
function storesContent(write: CallWrite): boolean {
  const stored = (json: string | null | undefined, value: unknown) => (json !== undefined ? json !== null : value !== null && value !== undefined);
  return stored(write.inputJson, write.call.input) || stored(write.outputJson, write.call.output);
}

const keysOf = (writes: readonly CallWrite[]): [string[], string[]] => [writes.map((write) => write.call.id), writes.map((write) => sqlTimestamp(write.call.started_at))];

/** Queues the rows just inserted in the client's transaction for the indexer and the folder. */
export async function queueBatch(client: pg.PoolClient, writes: readonly CallWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const searched = writes.filter(storesContent);
  const params: unknown[] = keysOf(writes);
  let search = '';
  if (searched.length > 0) {
    const row = searched.length === writes.length ? '$1::text[], $2::timestamp[]' : '$3::text[], $4::timestamp[]';
    if (searched.length < writes.length) params.push(...keysOf(searched));
    search = `WITH searched AS (INSERT INTO call_search_pending (ids, started) VALUES (${row})) `;
  }
  await client.query(`${search}INSERT INTO ${ROLLUP_QUEUE_TABLE} (ids, started) VALUES ($1::text[], $2::timestamp[])`, params);
}
