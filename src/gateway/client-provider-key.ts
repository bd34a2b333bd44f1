// A caller's own provider key (bring your own key): sent in x-loupe-provider-key beside the
// Loupe key that authenticates the caller, and used instead of the provider's configured key
// on the providers the operator allows it for (`allow_client_key`), only those. The key goes to
// the provider and nowhere else: it is neither recorded nor logged.
import type { IncomingHttpHeaders } from 'node:http';
import type { AdmittedCall } from '../provider-registry/provider-health.js';
import { invalidRequest, GatewayError } from './gateway-errors.js';
import type { AttemptReport } from './deliver-response.js';

export const CLIENT_KEY_HEADER = 'x-loupe-provider-key';
const MAX_KEY_LENGTH = 4096;

/** The key the caller sent, or null; refused when it cannot be a key at all. */
export function clientProviderKey(headers: IncomingHttpHeaders): string | null {
  const value = headers[CLIENT_KEY_HEADER];
  if (value === undefined) return null;
  const key = (Array.isArray(value) ? value[0] ?? '' : value).trim();
  if (key === '') throw invalidRequest(`the ${CLIENT_KEY_HEADER} header is empty`, CLIENT_KEY_HEADER);
  if (key.length > MAX_KEY_LENGTH) throw invalidRequest(`the ${CLIENT_KEY_HEADER} header is longer than ${MAX_KEY_LENGTH} characters`, CLIENT_KEY_HEADER);
  return key;
}

/** Nothing that serves the model takes a caller's key: said before anything is sent. */
export function clientKeyRefused(model: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', 'client_key_not_accepted', `no provider serving '${model}' takes a caller's own key (${CLIENT_KEY_HEADER}); the operator allows it per provider with allow_client_key`, CLIENT_KEY_HEADER);
}

/**
 * What a call on a caller's key tells its provider's health: a 429 speaks of that key's quota,
 * not of the provider, so it does not count toward the breaker (one caller could otherwise
 * open the circuit for everyone); a probe it held is given back.
 */
export function clientKeyReport(admitted: AdmittedCall): AttemptReport {
  return {
    success: (latencyMs) => admitted.success(latencyMs),
    failure: (retryAfterMs, upstreamStatus) => (upstreamStatus === 429 ? admitted.abandon() : admitted.failure(retryAfterMs)),
    abandon: () => admitted.abandon(),
  };
}
