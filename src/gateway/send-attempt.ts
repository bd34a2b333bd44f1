// One request to one upstream. Failures that never produced a response come back as
// values, classified for retry and fallback.
import type { Dispatcher } from 'undici';
import type { UpstreamRequest } from '../providers/kit/adapter.js';
import { joinUpstreamUrl } from '../providers/kit/join-url.js';
import type { UpstreamTarget } from './upstream-targets.js';

export type AttemptResult =
  | { kind: 'response'; response: Dispatcher.ResponseData }
  | { kind: 'failed'; errorType: 'timeout' | 'connection_error' | 'cancelled'; message: string };

interface Destination { origin: string; path: string }

/** Origin and path of each upstream URL, parsed once rather than on every call (undici's request(url) parses it each time). */
const destinations = new Map<string, Destination>();
const MAX_DESTINATIONS = 1000;

function destinationOf(url: string): Destination {
  let destination = destinations.get(url);
  if (!destination) {
    const parsed = new URL(url);
    destination = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (destinations.size >= MAX_DESTINATIONS) destinations.clear();
    destinations.set(url, destination);
  }
  return destination;
}

/** The headers to send: the request's own, or signed for a target that signs requests without a key of their own. */
export function headersToSend(target: UpstreamTarget, outgoing: UpstreamRequest, origin: string, path: string): Record<string, string> | Promise<Record<string, string>> {
  if (!target.signRequest || outgoing.headers.authorization !== undefined) return outgoing.headers;
  return target.signRequest({ method: outgoing.method, origin, path, headers: outgoing.headers, body: outgoing.body });
}

export async function sendAttempt(target: UpstreamTarget, outgoing: UpstreamRequest, signal: AbortSignal): Promise<AttemptResult> {
  try {
    const { origin, path } = destinationOf(joinUpstreamUrl(target.baseUrl, outgoing.path));
    const headers = target.signRequest ? await headersToSend(target, outgoing, origin, path) : outgoing.headers;
    const response = await target.dispatcher.request({
      origin, path, method: outgoing.method, headers, body: outgoing.body, signal, headersTimeout: target.timeoutMs, bodyTimeout: target.timeoutMs,
    });
    return { kind: 'response', response };
  } catch (error) {
    if (signal.aborted) return { kind: 'failed', errorType: 'cancelled', message: 'the client went away' };
    const code = (error as { code?: string }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'failed', errorType: 'timeout', message: `no answer within ${target.timeoutMs} ms` };
    return { kind: 'failed', errorType: 'connection_error', message: (error as Error).message };
  }
}
