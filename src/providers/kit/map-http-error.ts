// Maps a non-2xx upstream answer to the catalogue: kind from the status, message and code
// from the body, wait time from Retry-After. Providers wrap this only where they differ.
import { describeErrorBody, type ErrorBodyDetails } from './error-body.js';
import { clientStatusFor, kindForStatus, upstreamError, type UpstreamError } from './errors.js';
import { parseRetryAfterMs, type HeaderBag } from './retry-after.js';

/** Provider codes that arrive as 429 but will not clear by waiting. */
const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);

export function mapHttpError(status: number, body: Uint8Array | string, headers: HeaderBag = {}, nowMs: number = Date.now()): UpstreamError {
  return errorFromDetails(status, describeErrorBody(body, status), headers, nowMs);
}

export function errorFromDetails(status: number, details: ErrorBodyDetails, headers: HeaderBag = {}, nowMs: number = Date.now()): UpstreamError {
  const kind = kindForStatus(status);
  const code = details.code ?? details.type;
  return upstreamError(kind, {
    message: details.message,
    code,
    upstreamStatus: status,
    status: clientStatusFor(kind, status),
    retryAfterMs: parseRetryAfterMs(headers, nowMs),
    param: details.param,
    ...(kind === 'rate_limited' && code !== null && QUOTA_CODES.has(code) ? { isRetryable: false } : {}),
  });
}
