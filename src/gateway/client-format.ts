// The dialect a gateway client speaks: OpenAI's (every /v1 route but one) or Anthropic's
// (/v1/messages, for Anthropic's SDKs and tools pointed at Loupe). Loupe's own errors reach each
// client in the shape its SDK parses: `{error: {message, type, code, param}}` and a `data:`
// event for OpenAI; `{type: "error", error: {type, message}}` and an `event: error` for Anthropic.
import type { IncomingHttpHeaders } from 'node:http';
import { encodeUtf8 } from '../providers/kit/bytes.js';
import type { UpstreamError } from '../providers/kit/errors.js';
import { encodeSseErrorEvent } from '../providers/kit/sse-error-event.js';

export type ClientFormat = 'openai' | 'anthropic';

/** Anthropic's error types by HTTP status (its API reference, Errors). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 504: return 'timeout_error';
    case 529: return 'overloaded_error';
    default: return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

export interface ErrorFields {
  status: number;
  type: string;
  code: string;
  message: string;
  param: string | null;
}

/** Anthropic's own error types: an error an Anthropic upstream named keeps its name. */
const ANTHROPIC_TYPES = new Set(['invalid_request_error', 'authentication_error', 'billing_error', 'permission_error', 'not_found_error', 'request_too_large', 'rate_limit_error', 'timeout_error', 'api_error', 'overloaded_error']);

export function errorBody(format: ClientFormat, error: ErrorFields): string {
  if (format === 'anthropic') {
    const type = ANTHROPIC_TYPES.has(error.code) ? error.code : anthropicErrorType(error.status);
    return JSON.stringify({ type: 'error', error: { type, message: error.message } });
  }
  return JSON.stringify({ error: { message: error.message, type: error.type, code: error.code, param: error.param } });
}

/** The one terminal event of a stream that failed after its headers were sent. */
export function errorEvent(format: ClientFormat, error: UpstreamError): Uint8Array {
  if (format === 'openai') return encodeSseErrorEvent(error);
  return encodeUtf8(`event: error\ndata: ${errorBody('anthropic', error)}\n\n`);
}

/** Headers of Anthropic's API that its clients send for the upstream: their API version and beta features. */
export function anthropicClientHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') picked[name] = value;
  }
  return picked;
}
