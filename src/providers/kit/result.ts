// Result type for adapter operations that can fail on upstream data: errors are values
// (an UpstreamError from the catalogue), so one bad response never throws through a route.
import type { UpstreamError } from './errors.js';

export type Result<T> = { ok: true; value: T } | { ok: false; error: UpstreamError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(error: UpstreamError): Result<T> {
  return { ok: false, error };
}
