// The synchronous cache answer the request hook uses: it must agree with authenticate() for
// every key it answers for, and defer to the store when it has no fresh entry.
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

const UNKNOWN = 'lp_unknown_key_0123456789abcdefghij';

describe('Authenticator.authenticateFromCache', () => {
  it('answers from a fresh cache entry exactly as authenticate() does, and defers otherwise', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openStoreWithKeys();
    const authenticator = new Authenticator(store.apiKeys);

    // Nothing cached yet: the store must be asked, except for secrets that are not keys at all.
    for (const secret of [KNOWN, REVOKED, UNKNOWN]) expect(authenticator.authenticateFromCache(secret)).toBeUndefined();
    expect(authenticator.authenticateFromCache('sk-not-a-loupe-key')).toBeNull();
    expect(authenticator.authenticateFromCache(`lp_${'x'.repeat(300)}`)).toBeNull();

    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    expect(await authenticator.authenticate(REVOKED)).toBeNull();
    expect(await authenticator.authenticate(UNKNOWN)).toBeNull();
    expect(authenticator.authenticateFromCache(KNOWN)?.id).toBe('k1');
    expect(authenticator.authenticateFromCache(REVOKED)).toBeNull();
    expect(authenticator.authenticateFromCache(UNKNOWN)).toBeNull();

    // The entries live 2 s: after that the cache no longer answers.
    vi.setSystemTime(Date.now() + 2_001);
    expect(authenticator.authenticateFromCache(KNOWN)).toBeUndefined();
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    authenticator.invalidate();
    expect(authenticator.authenticateFromCache(KNOWN)).toBeUndefined();
  });
});
