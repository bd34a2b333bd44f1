// The large tables, copied in keyset-ordered chunks: calls by (started_at, id), through the
// target's own insert path (partitions, id registry and rollups on PostgreSQL), outcomes by
// id as upserts. Each chunk is committed before the checkpoint moves past it, so an
// interrupted copy re-sends at most one chunk, which ids make harmless.
import { sqlTimestamp } from '../../analytics/sql-params.js';
import { rowToCall } from '../../store/call-row.js';
import { DUCKDB_BOOKKEEPING_COLUMNS } from '../../store/duckdb/calls-repository.js';
import { OUTCOME_COLUMNS, rowToOutcome } from '../../store/outcome-rows.js';
import type { CallWrite, Store } from '../../store/ports.js';
import type { CopyCheckpoint } from './copy-progress.js';

export interface ChunkOptions {
  chunkSize: number;
  /** Called after each committed chunk with the checkpoint to save. */
  onChunk(checkpoint: CopyCheckpoint): void;
}

export class CopyConflictError extends Error {}

export async function copyCalls(source: Store, target: Store, checkpoint: CopyCheckpoint, options: ChunkOptions): Promise<void> {
  for (;;) {
    const after = checkpoint.calls;
    const rows = after
      // The plain range condition lets DuckDB skip row groups by their started_at bounds.
      ? await source.sql.query(`SELECT * EXCLUDE (${DUCKDB_BOOKKEEPING_COLUMNS}) FROM calls WHERE started_at >= $1::TIMESTAMP AND (started_at, id) > ($1::TIMESTAMP, $2) ORDER BY started_at, id LIMIT ${options.chunkSize}`, [sqlTimestamp(after.startedAt), after.id])
      : await source.sql.query(`SELECT * EXCLUDE (${DUCKDB_BOOKKEEPING_COLUMNS}) FROM calls ORDER BY started_at, id LIMIT ${options.chunkSize}`);
    if (rows.length === 0) return;
    const writes: CallWrite[] = rows.map((row) => ({ call: rowToCall(row), bodyHash: String(row.body_hash), clientId: true }));
    const outcomes = await target.calls.insertBatch(writes);
    const conflicts = writes.filter((_, index) => outcomes[index] === 'conflict').map((write) => write.call.id);
    if (conflicts.length > 0) {
      throw new CopyConflictError(`the target already holds ${conflicts.length} of these call ids with other content (first: ${conflicts[0]}); nothing more was copied`);
    }
    const last = writes.at(-1)!.call;
    checkpoint.calls = { startedAt: last.started_at, id: last.id, copied: (after?.copied ?? 0) + writes.length };
    options.onChunk(checkpoint);
  }
}

export async function copyOutcomes(source: Store, target: Store, checkpoint: CopyCheckpoint, options: ChunkOptions): Promise<void> {
  for (;;) {
    const after = checkpoint.outcomes;
    const rows = await source.sql.query(
      `SELECT ${OUTCOME_COLUMNS} FROM outcomes ${after ? 'WHERE id > $1' : ''} ORDER BY id LIMIT ${options.chunkSize}`,
      after ? [after.id] : [],
    );
    if (rows.length === 0) return;
    const records = rows.map(rowToOutcome);
    await target.outcomes.insertMany(records, { upsert: true });
    checkpoint.outcomes = { id: records.at(-1)!.id, copied: (after?.copied ?? 0) + records.length };
    options.onChunk(checkpoint);
  }
}
