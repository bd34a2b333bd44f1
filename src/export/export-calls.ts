// Streams calls matching the logs filters as CSV, JSON or NDJSON in constant memory: the
// store is read one keyset page at a time, and the next page is read only when the reply
// stream has taken the previous one (Readable.from pulls; pipe honours backpressure), so a
// slow client holds back the reads instead of growing a buffer.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { compileCallFilters } from '../analytics/filters.js';
import { SqlParams, sqlTimestamp } from '../analytics/sql-params.js';
import { presentCall } from '../api/present-call.js';
import { CALL_COLUMNS } from '../domain/call-record.js';
import { rowToCall } from '../store/call-row.js';
import { duckDbCsvLine, type CallColumn } from './csv-line-sql.js';
import type { CallFilters, SqlReader } from '../store/ports.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const PAGE_SIZE = 5000;
/**
 * DuckDB's CSV pages are sized by bytes, not rows: 5,000 rows are 1.7 MB without content
 * and 9.5 MB with it, and a few calls with long prompts can be far more. The rows of the
 * next pages follow the bytes per row seen so far.
 */
const PAGE_BYTES = 4 * 1024 * 1024;
/** The first page measures the bytes per row; the pages after it are resized from there. */
const FIRST_TEXT_PAGE_ROWS = 50;
const MAX_PAGE_ROWS = 20_000;
const JSON_COLUMNS = new Set(['params', 'properties', 'input', 'output']);
const CONTENT_COLUMNS = new Set(['params', 'input', 'output']);

export interface ExportOptions {
  filters: CallFilters;
  format: ExportFormat;
  includeContent: boolean;
  /** Rows per page; when absent, pages hold about `pageBytes` of CSV (DuckDB) or 5,000 rows. */
  pageSize?: number;
  pageBytes?: number;
}

function selectList(columns: readonly string[]): string {
  // JSON columns as text so both engines hand back the stored document unchanged.
  return columns.map((column) => (JSON_COLUMNS.has(column) ? `CAST(${column} AS VARCHAR) AS ${column}` : column)).join(', ');
}

interface PageKey {
  /** started_at as the engine prints it (microseconds kept). */
  at: string;
  atMs: number;
  id: string;
}

/** Appends the keyset condition "after `after`, up to and including `upTo`". */
function keysetWhere(where: string, params: SqlParams, after: PageKey | null, upTo: PageKey | null): string {
  let clause = where;
  if (after) {
    // The plain bound lets zone maps skip what was already sent; the tuple is the exact keyset.
    clause += ` AND started_at >= ${params.add(sqlTimestamp(Math.floor(after.atMs)))}::TIMESTAMP`;
    const at = `CAST(${params.add(after.at)} AS TIMESTAMP)`;
    clause += ` AND (started_at > ${at} OR (started_at = ${at} AND id > ${params.add(after.id)}))`;
  }
  if (upTo) {
    // Spelled out: DuckDB folds two row comparisons into a BETWEEN it cannot run on rows.
    const at = `CAST(${params.add(upTo.at)} AS TIMESTAMP)`;
    clause += ` AND started_at <= ${at} AND (started_at < ${at} OR id <= ${params.add(upTo.id)})`;
  }
  return clause;
}

/** Page boundaries found per key query: each such query sorts the keys of this many pages. */
const PAGES_PER_KEY_QUERY = 20;

/**
 * The last key of each of the next pages after `after`: one top-N over two columns, numbered
 * by a window, for PAGES_PER_KEY_QUERY pages at once. Asking for one page's end at a time
 * rescanned every remaining key per page, quadratic in the export's size (measured: 15k
 * rows/s over 200k calls at 5,000 rows a page).
 */
async function pageEnds(reader: SqlReader, options: ExportOptions, after: PageKey | null, size: number): Promise<PageKey[]> {
  const params = new SqlParams();
  const where = keysetWhere(compileCallFilters(options.filters, params, reader.dialect), params, after, null);
  // key_at, not at: AT is a keyword (AT TIME ZONE) outside a select list.
  const rows = await reader.query<{ key_at: string; key_ms: number; id: string }>(
    `SELECT key_at, key_ms, id FROM (
       SELECT CAST(started_at AS VARCHAR) AS key_at, started_at AS key_ms, id, row_number() OVER (ORDER BY started_at, id) AS n
       FROM (SELECT started_at, id FROM calls WHERE ${where} ORDER BY started_at, id LIMIT ${size * PAGES_PER_KEY_QUERY}) head
     ) numbered WHERE n % ${size} = 0 ORDER BY n`,
    params.values,
  );
  return rows.map((row) => ({ at: row.key_at, atMs: Number(row.key_ms), id: row.id }));
}

/**
 * Rows per page, read at each batch of page ends; a consumer that resizes the pages by more
 * than half or double ends the batch early, so the next pages follow at once.
 */
interface PageSizing {
  rows: number;
}

/**
 * Pages of calls in (started_at, id) order. Page ends come first (a cheap sort over two
 * columns), then each page reads and formats just the rows up to its end: a top-N over
 * every column carried the prompts through the sort (25k rows/s against 100k+, measured).
 * Keys keep the timestamp as text, so sub-millisecond start times never repeat or skip a row.
 * `pageQuery` reads one page given its WHERE clause.
 */
async function* pages<Row>(reader: SqlReader, options: ExportOptions, pageQuery: (where: string) => string, sizing: PageSizing): AsyncGenerator<Row[]> {
  let after: PageKey | null = null;
  for (;;) {
    const batchRows = sizing.rows;
    const ends = await pageEnds(reader, options, after, batchRows);
    // Fewer ends than asked for: the rows after the last one are the final, open page.
    const bounds: (PageKey | null)[] = ends.length < PAGES_PER_KEY_QUERY ? [...ends, null] : ends;
    for (const upTo of bounds) {
      const params = new SqlParams();
      const where = keysetWhere(compileCallFilters(options.filters, params, reader.dialect), params, after, upTo);
      const rows = await reader.query<Row>(pageQuery(where), params.values);
      // The page's working memory is garbage once it is read; handed back now, it does not pile
      // up in the engine's allocator over the export (1M calls without content, measured: the
      // export's peak RSS 354-399 MB before, 287-290 MB after, at ~25% fewer rows/s).
      await reader.releaseFreedMemory?.();
      if (rows.length > 0) yield rows;
      if (!upTo) return;
      after = upTo;
      if (sizing.rows * 2 < batchRows || sizing.rows > batchRows * 2) break;
    }
  }
}

/**
 * CSV text built by DuckDB, one value per page: the page's lines joined in order, as a BLOB
 * (encode(), not a cast, which would read backslashes as escapes),
 * so they arrive as one buffer instead of a JavaScript string per row that is decoded,
 * joined and encoded again (and as one message, should the store answer from another thread).
 */
async function* duckDbCsvPages(reader: SqlReader, options: ExportOptions, columns: readonly CallColumn[]): AsyncGenerator<Buffer> {
  const pageBytes = options.pageBytes ?? PAGE_BYTES;
  const sizing: PageSizing = { rows: options.pageSize ?? FIRST_TEXT_PAGE_ROWS };
  const line = duckDbCsvLine(columns);
  const pageQuery = (where: string) =>
    `SELECT encode(string_agg(line, '' ORDER BY started_at, id)) AS text, count(*) AS row_count
     FROM (SELECT ${line} AS line, started_at, id FROM calls WHERE ${where}) page`;
  let bytes = 0;
  let rows = 0;
  for await (const [page] of pages<{ text: Uint8Array | null; row_count: number }>(reader, options, pageQuery, sizing)) {
    if (!page?.text) continue;
    bytes += page.text.byteLength;
    rows += page.row_count;
    if (options.pageSize === undefined) sizing.rows = Math.min(MAX_PAGE_ROWS, Math.max(1, Math.round(pageBytes / (bytes / rows))));
    yield Buffer.from(page.text.buffer, page.text.byteOffset, page.text.byteLength);
  }
}

function presentRow(row: Record<string, unknown>, includeContent: boolean): Record<string, unknown> {
  const call = presentCall(rowToCall(row)) as Record<string, unknown>;
  if (!includeContent) for (const column of CONTENT_COLUMNS) delete call[column];
  return call;
}

/** JSON columns as JSON text, so a stored string stays distinguishable from an object. */
function csvValue(column: string, value: unknown): unknown {
  return JSON_COLUMNS.has(column) && value !== null && value !== undefined ? JSON.stringify(value) : value;
}

/** Spreadsheets run a cell that starts with = + - @ (or tab/CR before one); a leading ' disarms it. */
export function safeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return typeof value !== 'number' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

async function* formatChunks(reader: SqlReader, options: ExportOptions): AsyncGenerator<string | Buffer> {
  const columns = CALL_COLUMNS.filter((column) => options.includeContent || !CONTENT_COLUMNS.has(column));
  if (options.format === 'csv') {
    yield stringify([], { header: true, columns: [...columns] });
    if (reader.dialect === 'duckdb') {
      yield* duckDbCsvPages(reader, options, columns);
      return;
    }
  }
  let first = true;
  if (options.format === 'json') yield '[';
  const pageQuery = (where: string) => `SELECT ${selectList(columns)} FROM calls WHERE ${where} ORDER BY started_at, id`;
  for await (const page of pages<Record<string, unknown>>(reader, options, pageQuery, { rows: options.pageSize ?? PAGE_SIZE })) {
    const calls = page.map((row) => presentRow(row, options.includeContent));
    if (options.format === 'csv') {
      yield stringify(calls.map((call) => columns.map((column) => safeCell(csvValue(column, call[column])))));
    } else if (options.format === 'ndjson') {
      yield calls.map((call) => `${JSON.stringify(call)}\n`).join('');
    } else {
      yield `${first ? '\n' : ',\n'}${calls.map((call) => JSON.stringify(call)).join(',\n')}`;
    }
    first = false;
  }
  if (options.format === 'json') yield first ? ']\n' : '\n]\n';
}

/** A byte stream of the export; at most one page is held in memory at a time. */
export function exportCallsStream(reader: SqlReader, options: ExportOptions): Readable {
  return Readable.from(formatChunks(reader, options), { objectMode: false, highWaterMark: 1 });
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};
