// The select list whose rows DuckDB's own CSV writer (COPY ... TO) turns into the export's
// lines: each cell's text follows the JavaScript writer's rules (formula starts disarmed with ',
// JSON as stored, timestamps as ISO-8601 with milliseconds, whole doubles without ".0"), and
// COPY adds the quoting. Building the quoted lines in SQL ran at ~14 µs a row with content,
// a third of COPY's rate over the same rows (measured).
import { CALL_COLUMNS } from '../domain/call-record.js';

export type CallColumn = (typeof CALL_COLUMNS)[number];

const TIMESTAMPS = new Set(['started_at', 'ended_at']);
const DOUBLES = new Set(['latency_ms', 'ttft_ms', 'tokens_per_second', 'cost_usd', 'input_cost_usd', 'output_cost_usd', 'confidence']);
const PLAIN = new Set([
  'http_status', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cached_tokens', 'cache_write_tokens', 'reasoning_tokens', 'attempt', 'tool_calls_count',
  'is_streaming', 'is_fallback', 'cache_hit',
]);
const JSON_TEXT = new Set(['params', 'properties', 'input', 'output']);

/**
 * A leading = + - @ tab or CR (code points 61 43 45 64 9 13) is what spreadsheets run; such a
 * cell gets a leading '. list_contains, not ascii(...) IN (...): DuckDB spent ~0.5 s setting
 * up 46 IN lists per query, even for a query that matched no row (measured).
 */
function disarmed(expression: string): string {
  return `CASE WHEN list_contains([61, 43, 45, 64, 9, 13], ascii(${expression})) THEN concat('''', ${expression}) ELSE ${expression} END`;
}

/**
 * A double as JavaScript's Number#toString writes it. Both DuckDB and JavaScript write the
 * shortest digits that read back as the same double, but DuckDB uses an exponent below 1e-4,
 * padded to two digits ("1.25e-05"), and JavaScript only below 1e-6, unpadded ("1.25e-7"); above,
 * they differ from 1e15 on, which the calls' double columns never reach (validation bounds them
 * at 1e7 and 86,400,000). Kept small on purpose: DuckDB binds this list for every page, and a
 * general conversion took 20 ms more per page (measured).
 */
function javaScriptNumber(column: string): string {
  const text = `CAST(${column} AS VARCHAR)`;
  const sign = `CASE WHEN ${column} < 0 THEN '-0.' ELSE '0.' END`;
  const digits = `replace(split_part(ltrim(${text}, '-'), 'e', 1), '.', '')`;
  return `CASE
    WHEN ${column} = trunc(${column}) AND abs(${column}) < 1e15 THEN CAST(CAST(${column} AS BIGINT) AS VARCHAR)
    WHEN abs(${column}) >= 1e-4 THEN ${text}
    WHEN abs(${column}) >= 1e-6 THEN ${sign} || CASE WHEN abs(${column}) >= 1e-5 THEN '0000' ELSE '00000' END || ${digits}
    ELSE replace(${text}, 'e-0', 'e-')
  END`;
}

function cell(column: CallColumn): string {
  if (TIMESTAMPS.has(column)) return `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
  if (PLAIN.has(column)) return column;
  if (DOUBLES.has(column)) return javaScriptNumber(column);
  if (column === 'tags') return disarmed(`CAST(to_json(${column}) AS VARCHAR)`);
  if (JSON_TEXT.has(column)) return disarmed(`CAST(${column} AS VARCHAR)`);
  return disarmed(column);
}

/** SELECT list of the given columns as CSV cell values, in order, NULL for an empty cell. */
export function duckDbCsvCells(columns: readonly CallColumn[]): string {
  return columns.map((column) => `${cell(column)} AS ${column}`).join(', ');
}
