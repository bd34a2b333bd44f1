// Writes call rows into `calls` with COPY FROM STDIN (text format). Against one
// INSERT ... SELECT FROM unnest(column arrays), PostgreSQL skips parsing 50 array parameters
// and node-postgres skips quoting every element into them; rows are routed to their day's
// partition by COPY itself.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CALL_COLUMNS } from '../../domain/call-record.js';
import { sqlTimestamp } from '../../analytics/sql-params.js';
import type { CallWrite } from '../ports.js';

type Column = (typeof CALL_COLUMNS)[number];
type Encode = (write: CallWrite) => string;

const NULL = '\\N';
const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value as COPY's text format reads it: backslash, newline, carriage return and tab escaped. */
function escapeText(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (char) => ESCAPES[char]!) : value;
}

const text = (value: string | null): string => (value === null ? NULL : escapeText(value));
const number = (value: number | null): string => (value === null ? NULL : String(value));
const timestamp = (ms: number | null): string => (ms === null ? NULL : sqlTimestamp(ms));
const json = (value: unknown): string => (value === null || value === undefined ? NULL : escapeText(JSON.stringify(value)));

/** A text[] literal: every element quoted, so commas, braces and spaces stay inside it. */
function textArray(items: readonly string[]): string {
  return escapeText(`{${items.map((item) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
}

function encoder(column: Column): Encode {
  switch (column) {
    case 'started_at':
    case 'ended_at':
      return (write) => timestamp(write.call[column]);
    case 'latency_ms': case 'ttft_ms': case 'tokens_per_second': case 'http_status':
    case 'prompt_tokens': case 'completion_tokens': case 'total_tokens': case 'cached_tokens': case 'cache_write_tokens': case 'reasoning_tokens':
    case 'cost_usd': case 'input_cost_usd': case 'output_cost_usd': case 'attempt': case 'tool_calls_count': case 'confidence':
      return (write) => number(write.call[column]);
    case 'is_streaming':
    case 'is_fallback':
    case 'cache_hit':
      return (write) => (write.call[column] ? 't' : 'f');
    case 'params':
    case 'properties':
      return (write) => json(write.call[column]);
    case 'input':
      return (write) => (write.inputJson !== undefined ? text(write.inputJson) : json(write.call.input));
    case 'output':
      return (write) => (write.outputJson !== undefined ? text(write.outputJson) : json(write.call.output));
    case 'tags':
      return (write) => textArray(write.call.tags);
    default:
      return (write) => text(write.call[column]);
  }
}

const COLUMNS = [...CALL_COLUMNS, 'body_hash'] as const;
const ENCODERS: Encode[] = [...CALL_COLUMNS.map(encoder), (write) => escapeText(write.bodyHash)];
const COPY_SQL = `COPY calls (${COLUMNS.join(', ')}) FROM STDIN`;
/** Rows per piece of the stream: large enough to keep writes few, small enough to stay cheap. */
const ROWS_PER_PIECE = 250;

function* pieces(writes: readonly CallWrite[]): Generator<string> {
  for (let start = 0; start < writes.length; start += ROWS_PER_PIECE) {
    let piece = '';
    for (let row = start; row < Math.min(writes.length, start + ROWS_PER_PIECE); row++) {
      const write = writes[row]!;
      piece += ENCODERS.map((encode) => encode(write)).join('\t');
      piece += '\n';
    }
    yield piece;
  }
}

/** Copies the rows in the client's current transaction. */
export async function copyCalls(client: pg.PoolClient, writes: readonly CallWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await pipeline(Readable.from(pieces(writes)), client.query(copyFrom(COPY_SQL)));
}
