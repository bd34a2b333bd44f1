// Writes CallWrites through an appender as whole data chunks, column by column in storage
// order. A row-wise appender makes one native call per value (49 per call); a chunk copies
// each numeric, boolean and timestamp column in one call and makes native calls only for
// non-null strings, which roughly halves the main thread's share of an append.
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  INTEGER,
  LIST,
  listValue,
  TIMESTAMP,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { CallRecord } from '../../domain/call-record.js';
import type { CallWrite } from '../ports.js';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

type Read = (write: CallWrite, commitSeq: bigint) => DuckDBValue;
type CallField = keyof CallRecord;

const text = (field: CallField): Read => (write) => write.call[field] as string | null;
const double = (field: CallField): Read => (write) => write.call[field] as number | null;
const integer = double;
const bool = (field: CallField): Read => (write) => write.call[field] as boolean;
const bigint = (field: CallField): Read => (write) => BigInt(write.call[field] as number);
const timestamp = (field: CallField): Read => (write) => {
  const ms = write.call[field] as number | null;
  return ms === null ? null : new DuckDBTimestampValue(BigInt(Math.round(ms * 1000)));
};
const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/** The calls table's columns in storage order (see migrations.ts), each with how it is read. */
const COLUMNS: readonly [DuckDBType, Read][] = [
  [VARCHAR, text('id')],
  [VARCHAR, text('request_id')],
  [VARCHAR, text('project_id')],
  [VARCHAR, text('trace_id')],
  [VARCHAR, text('parent_id')],
  [TIMESTAMP, timestamp('started_at')],
  [TIMESTAMP, timestamp('ended_at')],
  [DOUBLE, double('latency_ms')],
  [DOUBLE, double('ttft_ms')],
  [DOUBLE, double('tokens_per_second')],
  [VARCHAR, text('provider')],
  [VARCHAR, text('model')],
  [VARCHAR, text('response_model')],
  [VARCHAR, text('endpoint')],
  [BOOLEAN, bool('is_streaming')],
  [VARCHAR, text('finish_reason')],
  [VARCHAR, (write) => json(write.call.params)],
  [VARCHAR, text('status')],
  [INTEGER, integer('http_status')],
  [VARCHAR, text('error_type')],
  [VARCHAR, text('error_message')],
  [BIGINT, bigint('prompt_tokens')],
  [BIGINT, bigint('completion_tokens')],
  [BIGINT, bigint('total_tokens')],
  [BIGINT, bigint('cached_tokens')],
  [BIGINT, bigint('cache_write_tokens')],
  [BIGINT, bigint('reasoning_tokens')],
  [VARCHAR, text('usage_source')],
  [DOUBLE, double('cost_usd')],
  [DOUBLE, double('input_cost_usd')],
  [DOUBLE, double('output_cost_usd')],
  [VARCHAR, text('price_source')],
  [BOOLEAN, bool('is_fallback')],
  [VARCHAR, text('original_provider')],
  [INTEGER, integer('attempt')],
  [BOOLEAN, bool('cache_hit')],
  [INTEGER, integer('tool_calls_count')],
  [VARCHAR, text('api_key_id')],
  [VARCHAR, text('user_id')],
  [VARCHAR, text('session_id')],
  [VARCHAR, text('agent')],
  [VARCHAR, text('conversation_name')],
  [VARCHAR, text('account_id')],
  [LIST(VARCHAR), (write) => listValue(write.call.tags)],
  [VARCHAR, (write) => JSON.stringify(write.call.properties)],
  [DOUBLE, double('confidence')],
  [VARCHAR, text('signal')],
  [VARCHAR, (write) => (write.inputJson !== undefined ? write.inputJson : json(write.call.input))],
  [VARCHAR, (write) => (write.outputJson !== undefined ? write.outputJson : json(write.call.output))],
  [VARCHAR, (write) => write.bodyHash],
  // `commitSeq` numbers the group commit; see the calls_commit_seq migration.
  [BIGINT, (_write, commitSeq) => commitSeq],
  // Taken while preparing ingested batches. Not taken here for the others (gateway calls,
  // copies): this runs inside the appender's synchronous flush, where ~10 µs per KB of content
  // would hold the event loop; the indexer reads their text instead.
  [VARCHAR, (write) => write.searchWords ?? null],
];

const TYPES = COLUMNS.map(([type]) => type);

/** Appends every write, in order, as rows of the calls table; the caller flushes. */
export function appendCalls(appender: DuckDBAppender, writes: readonly CallWrite[], commitSeq: bigint): void {
  for (let start = 0; start < writes.length; start += CHUNK_ROWS) {
    const rows = writes.slice(start, start + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create(TYPES, rows.length);
    const values = new Array<DuckDBValue>(rows.length);
    COLUMNS.forEach(([, read], column) => {
      for (let row = 0; row < rows.length; row++) values[row] = read(rows[row]!, commitSeq);
      chunk.setColumnValues(column, values);
    });
    appender.appendDataChunk(chunk);
  }
}
