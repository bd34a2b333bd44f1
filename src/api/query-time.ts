// A time given in a query or body: ISO-8601 (src/domain/iso-time.ts) or epoch milliseconds,
// within years 1970..9999 so that every engine and JavaScript's Date can hold it (a larger
// epoch number is refused by name rather than failing in the database).
import { parseIsoTime } from '../domain/iso-time.js';
import { badRequest } from './errors.js';

const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function parseQueryTime(field: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : parseIsoTime(value) ?? Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest(field, 'is not an ISO-8601 timestamp or epoch milliseconds');
  if (ms < 0 || ms > LATEST_MS) throw badRequest(field, 'must be between 1970-01-01 and 9999-12-31');
  return ms;
}
