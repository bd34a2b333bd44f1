// What an API key restricts at the gateway: its rate limits and the models it may ask for. Every
// path that sends a request through the gateway for a caller (its own endpoints, replays and
// comparisons) applies the caller's key, so no route is a way around them.
import type { ApiKeyRecord } from '../domain/api-key.js';
import type { GatewayExchange } from './proxy-call.js';

export type KeyRestrictions = Pick<GatewayExchange, 'limits' | 'allowedModels'>;

export function keyRestrictions(key: ApiKeyRecord): KeyRestrictions {
  const restrictions: KeyRestrictions = {};
  // Most keys have no limits: their requests skip the limiter altogether.
  if (key.rate_limit_rpm != null || key.rate_limit_tpm != null) restrictions.limits = { rpm: key.rate_limit_rpm ?? null, tpm: key.rate_limit_tpm ?? null };
  if (key.allowed_models) restrictions.allowedModels = key.allowed_models;
  return restrictions;
}
