// Maps a thrown transport failure (undici/fetch/socket) to the catalogue, so the gateway
// reports timeouts and refused connections the same way for every provider.
import { upstreamError, type UpstreamError } from './errors.js';
import { isRecord } from './error-body.js';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** Walks `cause` chains because fetch wraps the real socket error in a TypeError. */
export function errorFromTransportFailure(failure: unknown): UpstreamError {
  let current: unknown = failure;
  for (let depth = 0; depth < 5 && isRecord(current); depth += 1) {
    const code = typeof current.code === 'string' ? current.code : undefined;
    const name = typeof current.name === 'string' ? current.name : undefined;
    const message = typeof current.message === 'string' ? current.message : 'transport failure';
    if ((code !== undefined && TIMEOUT_CODES.has(code)) || name === 'TimeoutError') {
      return upstreamError('timeout', { message: `upstream timed out: ${message}`, code: code ?? 'timeout' });
    }
    if (name === 'AbortError') return upstreamError('connection', { message: 'upstream request aborted', code: 'aborted' });
    if (code !== undefined) return upstreamError('connection', { message: `cannot reach upstream: ${message}`, code });
    current = current.cause;
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  return upstreamError('connection', { message: `cannot reach upstream: ${message}`, code: 'connection_failed' });
}
