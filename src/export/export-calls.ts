// Streams calls matching the logs filters as CSV, JSON or NDJSON in constant memory: the
// store is read one keyset page at a time, and further pages are read only as the reply
// stream takes them (Readable.from pulls; pipe honours backpressure), so a slow client holds
// back the reads instead of growing a buffer.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { compileCallFilters } from '../analytics/filters.js';
import { SqlParams, sqlTimestamp } from '../analytics/sql-params.js';
import { presentCall } from '../api/present-call.js';
import { CALL_COLUMNS } from '../domain/call-record.js';
import { rowToCall } from '../store/call-row.js';
import { duckDbCsvCells, type CallColumn } from './csv-cells-sql.js';
import type { CallFilters, SqlReader } from '../store/ports.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const PAGE_SIZE = 5000;
/**
 * DuckDB's CSV pages are sized by bytes, not rows: 5,000 rows are 1.7 MB without content
 * and 9.5 MB with it, and a few calls with long prompts can be far more. The rows of the
 * next pages follow the bytes per row seen so far. A page's text goes to a scratch file, so
 * the size bounds what DuckDB sorts in memory for one page, not what the process holds.
 */
const PAGE_BYTES = 16 * 1024 * 1024;
/** The first page measures the bytes per row; the pages after it are resized from there. */
const FIRST_TEXT_PAGE_ROWS = 50;
/**
 * Rows sorted per page whatever their size: DuckDB's working memory follows the rows more
 * than the bytes (1M calls without content, two pages written at once, measured: peak RSS
 * 255-263 MB at 8,000 rows a page, 303 MB at 16,000).
 */
const MAX_PAGE_ROWS = 8_000;
/**
 * Pages DuckDB writes while the one before them is sent. A page lies within one row group,
 * which DuckDB reads on one thread, so two at once use a second core (1M calls with content,
 * 16 MiB pages, measured: 68k rows/s against 57k one at a time).
 */
const PAGES_AHEAD = 2;
/**
 * Pages between trims of the table blocks DuckDB caches as the export reads them (see
 * DuckDbPool.trimCachedBlocks): without, 1M calls with content left 310 MB cached, and the
 * cache grows with the export up to the instance's memory limit.
 */
const PAGES_PER_TRIM = 4;
/** What one read of a page's scratch file hands to the reply stream. */
const READ_CHUNK_BYTES = 1024 * 1024;
const JSON_COLUMNS = new Set(['params', 'properties', 'input', 'output']);
const CONTENT_COLUMNS = new Set(['params', 'input', 'output']);

export interface ExportOptions {
  filters: CallFilters;
  format: ExportFormat;
  includeContent: boolean;
  /** Rows per page; when absent, pages hold about `pageBytes` of CSV (DuckDB) or 5,000 rows. */
  pageSize?: number;
  pageBytes?: number;
  /** Where DuckDB's CSV pages wait to be sent (default: the system's temporary directory). */
  scratchDirectory?: string;
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

/** One page of the export: the WHERE clause that selects its rows, with its parameters. */
interface PageWhere {
  where: string;
  values: unknown[];
}

/**
 * The pages of calls in (started_at, id) order, each as the condition that selects it. Page
 * ends come first (a cheap sort over two columns), then each page reads and formats just the
 * rows up to its end: a top-N over every column carried the prompts through the sort (25k
 * rows/s against 100k+, measured). Keys keep the timestamp as text, so sub-millisecond start
 * times never repeat or skip a row. The last page is open-ended (it may be empty).
 */
async function* pageWheres(reader: SqlReader, options: ExportOptions, sizing: PageSizing): AsyncGenerator<PageWhere> {
  let after: PageKey | null = null;
  for (;;) {
    const batchRows = sizing.rows;
    const ends = await pageEnds(reader, options, after, batchRows);
    // Fewer ends than asked for: the rows after the last one are the final, open page.
    const bounds: (PageKey | null)[] = ends.length < PAGES_PER_KEY_QUERY ? [...ends, null] : ends;
    for (const upTo of bounds) {
      const params = new SqlParams();
      const where = keysetWhere(compileCallFilters(options.filters, params, reader.dialect), params, after, upTo);
      yield { where, values: params.values };
      if (!upTo) return;
      after = upTo;
      if (sizing.rows * 2 < batchRows || sizing.rows > batchRows * 2) break;
    }
  }
}

/**
 * Reads one page, then hands back the working memory the engine freed: otherwise it piles up
 * in DuckDB's allocator over the export (1M calls without content, measured: peak RSS
 * 354-399 MB before, 287-290 MB after, at ~25% fewer rows/s).
 */
async function readPage<Row>(reader: SqlReader, sql: string, page: PageWhere): Promise<Row[]> {
  const rows = await reader.query<Row>(sql, page.values);
  await reader.releaseFreedMemory?.();
  return rows;
}

interface WrittenPage {
  path: string;
  rows: number;
}

/** A COPY target path as an SQL string literal. */
function sqlPath(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

/**
 * CSV written by DuckDB's own CSV writer, a page at a time, to a scratch file that is then
 * streamed out and removed. COPY formats a row several times faster than lines built in SQL
 * or JavaScript (with content: 96-106k against 36k rows/s over the same 200,000 calls,
 * measured in one process), and the page's text waits on disk, not in memory. The next
 * pages are written while this one is sent.
 */
async function* duckDbCsvPages(reader: SqlReader, options: ExportOptions, columns: readonly CallColumn[]): AsyncGenerator<Buffer> {
  const pageBytes = options.pageBytes ?? PAGE_BYTES;
  const sizing: PageSizing = { rows: options.pageSize ?? FIRST_TEXT_PAGE_ROWS };
  const directory = await mkdtemp(join(options.scratchDirectory ?? tmpdir(), 'loupe-export-'));
  const cells = duckDbCsvCells(columns);
  let written = 0;
  const writePage = async (page: PageWhere): Promise<WrittenPage> => {
    const path = join(directory, `page-${written++}.csv`);
    const [result] = await readPage<{ Count: number }>(reader, `COPY (SELECT ${cells} FROM calls WHERE ${page.where} ORDER BY started_at, id) TO ${sqlPath(path)} (FORMAT csv, HEADER false)`, page);
    return { path, rows: Number(result?.Count ?? 0) };
  };
  const wheres = pageWheres(reader, options, sizing);
  // Pages being written, in order; each carries a no-op handler so that a failure waiting its
  // turn is not reported as unhandled (awaiting it below still throws).
  const ahead: Promise<WrittenPage>[] = [];
  const writeAhead = async (): Promise<void> => {
    while (ahead.length < PAGES_AHEAD) {
      const next = await wheres.next();
      if (next.done) return;
      const page = writePage(next.value);
      page.catch(() => undefined);
      ahead.push(page);
    }
  };
  let bytes = 0;
  let rows = 0;
  let pages = 0;
  try {
    await writeAhead();
    for (let page = ahead.shift(); page; page = ahead.shift()) {
      const { path, rows: pageRows } = await page;
      const size = (await stat(path)).size;
      bytes += size;
      rows += pageRows;
      if (options.pageSize === undefined && rows > 0) sizing.rows = Math.min(MAX_PAGE_ROWS, Math.max(1, Math.round(pageBytes / (bytes / rows))));
      if (++pages % PAGES_PER_TRIM === 0 && reader.trimCachedBlocks) {
        // The pages being written must finish first: a trim waits for an idle instance.
        await Promise.allSettled(ahead);
        await reader.trimCachedBlocks();
      }
      await writeAhead();
      if (size > 0) yield* createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>;
      await unlink(path);
    }
  } finally {
    // A reader that left early: the pages being written must finish before their folder goes.
    await Promise.allSettled(ahead);
    await rm(directory, { recursive: true, force: true });
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
  let pages = 0;
  for await (const page of pageWheres(reader, options, { rows: options.pageSize ?? PAGE_SIZE })) {
    const rows = await readPage<Record<string, unknown>>(reader, pageQuery(page.where), page);
    if (++pages % PAGES_PER_TRIM === 0) await reader.trimCachedBlocks?.();
    if (rows.length === 0) continue;
    const calls = rows.map((row) => presentRow(row, options.includeContent));
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
