// Reading whole upstream bodies that should be JSON: a lenient parse, and the error for a
// 2xx answer that is not what was expected (an HTML page, a truncated body, another shape).
import { decodeUtf8 } from './bytes.js';
import { describeErrorBody } from './error-body.js';
import { upstreamError, type UpstreamError } from './errors.js';

/** Undefined when the bytes are not JSON at all. */
export function parseJsonBytes(body: Uint8Array): unknown {
  try {
    return JSON.parse(decodeUtf8(body)) as unknown;
  } catch {
    return undefined;
  }
}

export function invalidBody(body: Uint8Array, what: string): UpstreamError {
  const described = describeErrorBody(body, 200);
  return upstreamError('invalid_response', { message: `upstream answered 200 without ${what}: ${described.message}`, code: 'invalid_response', upstreamStatus: 200 });
}
