// An in-memory store holding two gateway keys of project "default": KNOWN (live) and REVOKED,
// for the authenticator's unit tests.
import { hashKeySecret, keyPrefix } from '../../src/auth/api-key-secret.js';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { Store } from '../../src/store/ports.js';

export const KNOWN = 'lp_known_key_0123456789abcdefghij';
export const REVOKED = 'lp_revoked_key_0123456789abcdefghij';

export async function openStoreWithKeys(): Promise<Store> {
  const store = await openDuckDbStore({ dataDir: ':memory:', searchIndexIntervalMs: 0 });
  await store.projects.ensure('default', 'default');
  for (const [id, secret] of [['k1', KNOWN], ['k2', REVOKED]] as const) {
    await store.apiKeys.insert({ id, project_id: 'default', name: id, prefix: keyPrefix(secret), hash: hashKeySecret(secret), scopes: ['gateway'], created_at: Date.now(), revoked_at: null });
  }
  await store.apiKeys.revoke('default', 'k2', Date.now());
  return store;
}
