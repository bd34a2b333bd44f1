// The synchronous cache answer the request hook uses: it must agree with authenticate() for
// every key it answers for, and defer to the store when it has no fresh entry; dashboard
// sessions are cached by the same rules.
import { randomBytes } from 'node:crypto';
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

    // The entries live 2 s, then answer for 2 s more while a lookup refreshes them; past that
    // the cache no longer answers.
    const start = Date.now();
    vi.setSystemTime(start + 2_001);
    expect(authenticator.authenticateFromCache(KNOWN)?.id).toBe('k1');
    vi.setSystemTime(start + 4_001);
    authenticator.invalidate();
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    vi.setSystemTime(Date.now() + 4_001);
    expect(authenticator.authenticateFromCache(KNOWN)).toBeUndefined();
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    authenticator.invalidate();
    expect(authenticator.authenticateFromCache(KNOWN)).toBeUndefined();
  });

  it('keeps answering an expired entry while one lookup refreshes it, then answers with what that lookup found', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openStoreWithKeys();
    const findByHash = store.apiKeys.findByHash.bind(store.apiKeys);
    let lookups = 0;
    let revoked = false;
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    let last: Promise<unknown> = Promise.resolve();
    store.apiKeys.findByHash = (hash) => {
      lookups++;
      const lookup = (async () => {
        await gate;
        const key = await findByHash(hash);
        return key && revoked ? { ...key, revoked_at: Date.now() } : key;
      })();
      last = lookup;
      return lookup;
    };
    const authenticator = new Authenticator(store.apiKeys);
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    expect(lookups).toBe(1);

    // Revoked elsewhere; the entry expires, and its refresh is slow.
    revoked = true;
    gate = new Promise((resolve) => (release = resolve));
    vi.setSystemTime(Date.now() + 2_001);
    const answers = await Promise.all(Array.from({ length: 50 }, () => authenticator.authenticate(KNOWN)));
    expect(answers.every((key) => key?.id === 'k1')).toBe(true);
    expect(authenticator.authenticateFromCache(KNOWN)?.id).toBe('k1');
    // One lookup for all of them, not one per request.
    expect(lookups).toBe(2);
    release();
    await vi.waitFor(async () => expect(await authenticator.authenticate(KNOWN)).toBeNull());
    expect(authenticator.authenticateFromCache(KNOWN)).toBeNull();
    expect(lookups).toBe(2);

    // A lookup begun before a revocation on this instance does not put its answer back.
    revoked = false;
    vi.setSystemTime(Date.now() + 2_001);
    gate = new Promise((resolve) => (release = resolve));
    expect(authenticator.authenticateFromCache(KNOWN)).toBeNull();
    authenticator.invalidate();
    release();
    await last;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(authenticator.authenticateFromCache(KNOWN)).toBeUndefined();
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
  });
});

describe('Authenticator.authenticateSession', () => {
  it('caches a session like a key: one shared lookup while an expired entry answers, and none put back after invalidate()', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openStoreWithKeys();
    const get = store.apiKeys.get.bind(store.apiKeys);
    let lookups = 0;
    let revoked = false;
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    let last: Promise<unknown> = Promise.resolve();
    store.apiKeys.get = (projectId, id) => {
      lookups++;
      const lookup = (async () => {
        await gate;
        const key = await get(projectId, id);
        return key && revoked ? { ...key, revoked_at: Date.now() } : key;
      })();
      last = lookup;
      return lookup;
    };
    const authenticator = new Authenticator(store.apiKeys, randomBytes(32));
    const token = authenticator.issueSession((await authenticator.authenticate(KNOWN))!);
    expect((await authenticator.authenticateSession(token))?.id).toBe('k1');
    expect(lookups).toBe(1);

    // Revoked elsewhere; the entry expires, and its refresh is slow.
    revoked = true;
    gate = new Promise((resolve) => (release = resolve));
    vi.setSystemTime(Date.now() + 2_001);
    const answers = await Promise.all(Array.from({ length: 20 }, () => authenticator.authenticateSession(token)));
    expect(answers.every((key) => key?.id === 'k1')).toBe(true);
    expect(lookups).toBe(2);
    release();
    await vi.waitFor(async () => expect(await authenticator.authenticateSession(token)).toBeNull());
    expect(lookups).toBe(2);

    // A lookup begun before a revocation on this instance does not put its answer back.
    revoked = false;
    vi.setSystemTime(Date.now() + 2_001);
    gate = new Promise((resolve) => (release = resolve));
    expect(await authenticator.authenticateSession(token)).toBeNull();
    expect(lookups).toBe(3);
    authenticator.invalidate();
    release();
    await last;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await authenticator.authenticateSession(token))?.id).toBe('k1');
    expect(lookups).toBe(4);
  });
});
