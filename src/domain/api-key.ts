// API keys: only a hash is stored; scopes decide which routes a key may call.
import { z } from 'zod';
import { instantSchema } from './primitives.js';

export const API_KEY_SCOPES = ['admin', 'read', 'ingest', 'gateway'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  project_id: string;
  name: string;
  /** First characters of the key, shown so people can tell their keys apart. */
  prefix: string;
  hash: string;
  scopes: ApiKeyScope[];
  created_at: number;
  revoked_at: number | null;
  /** Gateway requests per minute this key may make; null or absent: no limit. */
  rate_limit_rpm?: number | null;
  /** Tokens per minute its gateway calls may use; null or absent: no limit. */
  rate_limit_tpm?: number | null;
  /** The models its gateway calls may ask for (see modelAllowed); null or absent: any. */
  allowed_models?: string[] | null;
  /** When the key stops working (epoch ms); null or absent: never. */
  expires_at?: number | null;
}

/** Whether a key has passed its expiry at `now`. */
export function keyExpired(key: Pick<ApiKeyRecord, 'expires_at'>, now = Date.now()): boolean {
  return key.expires_at != null && key.expires_at <= now;
}

const rpmLimit = z.number().int().min(1).max(10_000_000).nullable().describe('gateway requests per minute; null: no limit');
const tpmLimit = z.number().int().min(1).max(10_000_000_000).nullable().describe('tokens per minute of gateway calls; null: no limit');

/** Up to ten years ahead; a time already past is refused (a key that could never be used). */
const expiresAt = instantSchema((ms, now) => ms > now && ms <= now + 10 * 366 * 86_400_000, 'must be in the future, at most ten years ahead')
  .nullable()
  .describe('when the key stops working (ISO-8601 or epoch ms); null: never');

const allowedModels = z.array(z.string().trim().min(1).max(256)).min(1).max(200).nullable()
  .describe("models the key's gateway calls may ask for: `gpt-4o`, `openai/gpt-4o` or `openai/*`; null: any");

export const createApiKeyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(128),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(4),
  rate_limit_rpm: rpmLimit.optional(),
  rate_limit_tpm: tpmLimit.optional(),
  allowed_models: allowedModels.optional(),
  expires_at: expiresAt.optional(),
});

export const updateApiKeySettingsSchema = z.strictObject({
  rate_limit_rpm: rpmLimit.optional(),
  rate_limit_tpm: tpmLimit.optional(),
  allowed_models: allowedModels.optional(),
  expires_at: expiresAt.optional(),
}).refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'give rate_limit_rpm, rate_limit_tpm, allowed_models or expires_at' });

/** What of a key can change after its creation. */
export interface ApiKeySettings {
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
  allowed_models: string[] | null;
  expires_at: number | null;
}

/**
 * Whether a key may ask for a model: an entry names it as asked, or the model by its name alone
 * (`gpt-4o`, from whichever provider serves it), or with the provider that serves it
 * (`openai/gpt-4o`, also for a bare `gpt-4o` routed there), or all of a provider's models
 * (`openai/*`).
 */
export function modelAllowed(allowed: readonly string[] | null | undefined, asked: string, provider: string, model: string): boolean {
  if (!allowed) return true;
  return allowed.some((entry) => entry === asked || entry === model || entry === `${provider}/${model}` || entry === `${provider}/*`);
}

/** A key with `admin` holds every scope. */
export function hasScope(scopes: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}
