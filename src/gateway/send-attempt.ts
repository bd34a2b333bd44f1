// One request to one upstream. Failures that never produced a response come back as
// values, classified for retry and fallback.
import { request, type Dispatcher } from 'undici';
import type { OutgoingRequest } from './upstream-dialect.js';
import type { UpstreamTarget } from './upstream-targets.js';

export type AttemptResult =
  | { kind: 'response'; response: Dispatcher.ResponseData }
  | { kind: 'failed'; errorType: 'timeout' | 'connection_error' | 'cancelled'; message: string };

export async function sendAttempt(target: UpstreamTarget, outgoing: OutgoingRequest, signal: AbortSignal): Promise<AttemptResult> {
  try {
    const response = await request(`${target.baseUrl}${outgoing.path}`, {
      method: 'POST', dispatcher: target.dispatcher, headers: outgoing.headers, body: outgoing.body, signal, headersTimeout: target.timeoutMs, bodyTimeout: target.timeoutMs,
    });
    return { kind: 'response', response };
  } catch (error) {
    if (signal.aborted) return { kind: 'failed', errorType: 'cancelled', message: 'the client went away' };
    const code = (error as { code?: string }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'failed', errorType: 'timeout', message: `no answer within ${target.timeoutMs} ms` };
    return { kind: 'failed', errorType: 'connection_error', message: (error as Error).message };
  }
}

/** Statuses worth another attempt (elsewhere or later): rate limits and server errors. */
export function retryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Retry-After in ms (seconds or an HTTP date), capped; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  const seconds = Number(text);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 3_600_000) : null;
}
