// Streams calls matching the logs filters as CSV, JSON or NDJSON in constant memory: the
// store is read one keyset page at a time, and the next page is read only when the reply
// stream has taken the previous one (Readable.from pulls; pipe honours backpressure).
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { compileCallFilters } from '../analytics/filters.js';
import { SqlParams, sqlTimestamp } from '../analytics/sql-params.js';
import { presentCall } from '../api/present-call.js';
import { CALL_COLUMNS } from '../domain/call-record.js';
import { rowToCall } from '../store/call-row.js';
import { duckDbCsvLine } from './csv-line-sql.js';
import type { CallFilters, SqlReader } from '../store/ports.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const PAGE_SIZE = 5000;
const JSON_COLUMNS = new Set(['params', 'properties', 'input', 'output']);
const CONTENT_COLUMNS = new Set(['params', 'input', 'output']);

export interface ExportOptions {
  filters: CallFilters;
  format: ExportFormat;
  includeContent: boolean;
  pageSize?: number;
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

/**
 * Pages of calls in (started_at, id) order. Each page first finds its last key (a cheap
 * top-N over two columns), then reads and formats just the rows up to it: a top-N over
 * every column carried the prompts through the sort (25k rows/s against 100k+, measured).
 * Keys keep the timestamp as text, so sub-millisecond start times never repeat or skip a row.
 */
async function* pages(reader: SqlReader, options: ExportOptions, select: string): AsyncGenerator<Record<string, unknown>[]> {
  const size = options.pageSize ?? PAGE_SIZE;
  let after: PageKey | null = null;
  for (;;) {
    const keyParams = new SqlParams();
    const keyWhere = keysetWhere(compileCallFilters(options.filters, keyParams, reader.dialect), keyParams, after, null);
    const keys = await reader.query<{ at: string; ms: number; id: string }>(
      `SELECT CAST(started_at AS VARCHAR) AS at, started_at AS ms, id FROM calls WHERE ${keyWhere} ORDER BY started_at, id LIMIT 1 OFFSET ${size - 1}`,
      keyParams.values,
    );
    const upTo: PageKey | null = keys[0] ? { at: keys[0].at, atMs: keys[0].ms, id: keys[0].id } : null;
    const params = new SqlParams();
    const where = keysetWhere(compileCallFilters(options.filters, params, reader.dialect), params, after, upTo);
    const rows = await reader.query(`SELECT ${select} FROM calls WHERE ${where} ORDER BY started_at, id`, params.values);
    if (rows.length > 0) yield rows;
    if (!upTo) return;
    after = upTo;
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

async function* formatChunks(reader: SqlReader, options: ExportOptions): AsyncGenerator<string> {
  const columns = CALL_COLUMNS.filter((column) => options.includeContent || !CONTENT_COLUMNS.has(column));
  if (options.format === 'csv') {
    yield stringify([], { header: true, columns: [...columns] });
    if (reader.dialect === 'duckdb') {
      for await (const page of pages(reader, options, `${duckDbCsvLine(columns)} AS line`)) yield page.map((row) => row.line).join('');
      return;
    }
  }
  let first = true;
  if (options.format === 'json') yield '[';
  for await (const page of pages(reader, options, selectList(columns))) {
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
