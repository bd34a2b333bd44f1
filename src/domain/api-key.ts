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
}

export const createApiKeyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(128),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(4),
});

/** A key with `admin` holds every scope. */
export function hasScope(scopes: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}
