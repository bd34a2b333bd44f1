// Anthropic error types (in error bodies and in-stream `error` events) → the catalogue.
// HTTP errors go through the kit's status mapping; this covers events, which have no status.
import { upstreamError, type UpstreamError, type UpstreamErrorKind } from '../kit/errors.js';

const KINDS: Readonly<Record<string, UpstreamErrorKind>> = {
  overloaded_error: 'server_error',
  api_error: 'server_error',
  rate_limit_error: 'rate_limited',
  invalid_request_error: 'bad_request',
  request_too_large: 'bad_request',
  not_found_error: 'bad_request',
  authentication_error: 'auth',
  permission_error: 'auth',
  billing_error: 'auth',
  timeout_error: 'timeout',
};

export function anthropicStreamError(type: string | undefined, message: string | undefined): UpstreamError {
  const kind = (type !== undefined ? KINDS[type] : undefined) ?? 'server_error';
  // Overloaded is Anthropic's 529; clients understand it as 503.
  return upstreamError(kind, { message: message ?? 'upstream stream error', code: type ?? 'api_error', ...(type === 'overloaded_error' ? { status: 503 } : {}) });
}
