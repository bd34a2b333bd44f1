// Converts stored call rows back into CallRecords (JSON columns arrive as text), and
// encodes the keyset cursor of the logs list. Shared by both store engines.
import type { CallRecord } from '../domain/call-record.js';
import { sqlTimestamp, type SqlParams } from '../analytics/sql-params.js';
import type { CallSummary, LogQuery, LogSortColumn } from './ports.js';

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function rowToCallSummary(row: Record<string, unknown>): CallSummary {
  const summary = { ...row } as Record<string, unknown>;
  delete summary.body_hash;
  delete summary.sort_key;
  summary.properties = parseJson(row.properties) ?? {};
  summary.tags = row.tags ?? [];
  return summary as unknown as CallSummary;
}

export function rowToCall(row: Record<string, unknown>): CallRecord {
  const call = rowToCallSummary(row) as unknown as Record<string, unknown>;
  call.params = parseJson(row.params);
  call.input = parseJson(row.input);
  call.output = parseJson(row.output);
  return call as unknown as CallRecord;
}

/** Sort keys never null: nullable numeric columns sort as -1 (every real value is ≥ 0). */
export function sortExpression(column: LogSortColumn): string {
  switch (column) {
    case 'latency_ms':
    case 'cost_usd':
    case 'ttft_ms':
      return `COALESCE(${column}, -1)`;
    default:
      return column;
  }
}

export class InvalidCursorError extends Error {}

export interface CursorPayload {
  v: string | number;
  id: string;
}

export function encodeCursor(value: string | number, id: string): string {
  return Buffer.from(JSON.stringify({ v: value, id } satisfies CursorPayload)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPayload | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object') return null;
    const { v, id } = parsed as Record<string, unknown>;
    if ((typeof v !== 'string' && typeof v !== 'number') || typeof id !== 'string') return null;
    return { v, id };
  } catch {
    return null;
  }
}

/** The keyset condition that continues a page after the cursor's row, in the query's order. */
export function keysetCondition(query: Pick<LogQuery, 'sort' | 'order'>, cursor: CursorPayload | null, params: SqlParams): string {
  if (!cursor) return '';
  const value = query.sort === 'started_at' ? `${params.add(sqlTimestamp(Number(cursor.v)))}::TIMESTAMP` : params.add(cursor.v);
  return ` AND (${sortExpression(query.sort)}, id) ${query.order === 'asc' ? '>' : '<'} (${value}, ${params.add(cursor.id)})`;
}
