// DuckDB builds the CSV text itself: handing 49 typed columns per row to JavaScript cost
// 200 ms per 5,000 rows (25k rows/s, measured), one text column 39 ms. The cells follow the
// same rules as the JavaScript writer: text quoted, formula starts disarmed with ', JSON as
// stored, timestamps as ISO-8601 with milliseconds, empty for null.
import { CALL_COLUMNS } from '../domain/call-record.js';

export type CallColumn = (typeof CALL_COLUMNS)[number];

const TIMESTAMPS = new Set(['started_at', 'ended_at']);
const DOUBLES = new Set(['latency_ms', 'ttft_ms', 'tokens_per_second', 'cost_usd', 'input_cost_usd', 'output_cost_usd', 'confidence']);
const INTEGERS = new Set(['http_status', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'cached_tokens', 'cache_write_tokens', 'reasoning_tokens', 'attempt', 'tool_calls_count']);
const BOOLEANS = new Set(['is_streaming', 'is_fallback', 'cache_hit']);
const JSON_TEXT = new Set(['params', 'properties', 'input', 'output']);

/**
 * A leading = + - @ tab or CR (code points 61 43 45 64 9 13) is what spreadsheets run.
 * list_contains, not ascii(...) IN (...): DuckDB spent ~0.5 s setting up 46 IN lists per
 * query, even for a query that matched no row (measured), as much as formatting 100k rows.
 */
function startsLikeFormula(expression: string): string {
  return `list_contains([61, 43, 45, 64, 9, 13], ascii(${expression}))`;
}

/**
 * Every text cell is quoted: testing whether a cell needs quotes at all (regexp_matches on
 * [",\r\n]) cost more than quoting the short ids and names it would spare (709 against 619
 * ms per 20,000 rows with content, medians of 7, load ~14).
 */
function textCell(expression: string): string {
  return `COALESCE(concat('"', CASE WHEN ${startsLikeFormula(expression)} THEN '''' END, replace(${expression}, '"', '""'), '"'), '')`;
}

/**
 * JSON documents are long and full of quotes: split at each quote and joined with two, they
 * are escaped about twice as fast as by replace() (medians over 20,000 rows of content: 224
 * against 432 ms; whole lines 1,550 against 2,260 ms; load ~14).
 */
function jsonCell(expression: string): string {
  return `COALESCE(concat('"', CASE WHEN ${startsLikeFormula(expression)} THEN '''' END, array_to_string(string_split(${expression}, '"'), '""'), '"'), '')`;
}

function cell(column: CallColumn): string {
  if (TIMESTAMPS.has(column)) return `COALESCE(strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ'), '')`;
  if (INTEGERS.has(column)) return `COALESCE(CAST(${column} AS VARCHAR), '')`;
  // Whole doubles print as JavaScript does ("500", not "500.0").
  if (DOUBLES.has(column)) {
    return `COALESCE(CASE WHEN ${column} = trunc(${column}) AND abs(${column}) < 1e15 THEN CAST(CAST(${column} AS BIGINT) AS VARCHAR) ELSE CAST(${column} AS VARCHAR) END, '')`;
  }
  if (BOOLEANS.has(column)) return `CAST(${column} AS VARCHAR)`;
  if (column === 'tags') return jsonCell(`CAST(to_json(${column}) AS VARCHAR)`);
  if (JSON_TEXT.has(column)) return jsonCell(`CAST(${column} AS VARCHAR)`);
  return textCell(column);
}

/** SELECT expression producing one CSV line (with its newline) of the given columns. */
export function duckDbCsvLine(columns: readonly CallColumn[]): string {
  // One concat call: a chain of || copies the growing line once per column (6× slower, measured).
  return `concat(${columns.map(cell).join(`, ',', `)}, chr(10))`;
}
