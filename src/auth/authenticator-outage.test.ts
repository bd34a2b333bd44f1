// API-key checks while the store is unreachable: a key seen before keeps its last known
// answer (so the gateway serves known callers through an outage), a key never seen fails
// as unavailable (503), and other errors are not hidden.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../store/ports.js';
import { KNOWN, openStoreWithKeys, REVOKED } from '../../test/helpers/key-store.js';
import { Authenticator } from './authenticator.js';

let store: Store | null = null;
afterEach(async () => {
  vi.useRealTimers();
  await store?.close();
  store = null;
});

const NEVER_SEEN = 'lp_never_seen_0123456789abcdefghij';

describe('Authenticator during a store outage', () => {
  it('keeps the last known answer for keys it has seen and refuses to guess about others', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openStoreWithKeys();
    const outage = { now: false, error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }) };
    const findByHash = store.apiKeys.findByHash.bind(store.apiKeys);
    store.apiKeys.findByHash = (hash) => (outage.now ? Promise.reject(outage.error) : findByHash(hash));
    const authenticator = new Authenticator(store.apiKeys);

    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    expect(await authenticator.authenticate(REVOKED)).toBeNull();
    outage.now = true;
    vi.setSystemTime(Date.now() + 60_000);
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    expect(await authenticator.authenticate(REVOKED)).toBeNull();
    await expect(authenticator.authenticate(NEVER_SEEN)).rejects.toBe(outage.error);

    outage.error = Object.assign(new Error('syntax error'), { code: '42601' });
    vi.setSystemTime(Date.now() + 60_000);
    await expect(authenticator.authenticate(KNOWN)).rejects.toBe(outage.error);
  });
});
