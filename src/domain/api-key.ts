// API keys: only a hash is stored; scopes decide which routes a key may call.
import { z } from 'zod';

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
}

const rpmLimit = z.number().int().min(1).max(10_000_000).nullable().describe('gateway requests per minute; null: no limit');
const tpmLimit = z.number().int().min(1).max(10_000_000_000).nullable().describe('tokens per minute of gateway calls; null: no limit');

export const createApiKeyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(128),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(4),
  rate_limit_rpm: rpmLimit.optional(),
  rate_limit_tpm: tpmLimit.optional(),
});

export const updateApiKeyLimitsSchema = z.strictObject({
  rate_limit_rpm: rpmLimit.optional(),
  rate_limit_tpm: tpmLimit.optional(),
}).refine((body) => body.rate_limit_rpm !== undefined || body.rate_limit_tpm !== undefined, { message: 'give rate_limit_rpm or rate_limit_tpm' });

export interface ApiKeyLimits {
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
}

/** A key with `admin` holds every scope. */
export function hasScope(scopes: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}
