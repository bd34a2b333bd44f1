// The synchronous cache answer the request hook uses: it must agree with authenticate() for
// every key it answers for, and defer to the store when it has no fresh entry; dashboard
// sessions are cached by the same rules.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiKeyRecord } from '../domain/api-key.js';
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

/**
 * Wraps one repository lookup: its calls are counted, held after hold() until release(), and
 * see the key revoked while `revoked` is set; `last` is the latest call.
 */
function controlledLookups<Args extends unknown[]>(lookup: (...args: Args) => Promise<ApiKeyRecord | null>) {
  const control = {
    lookups: 0,
    revoked: false,
    gate: Promise.resolve() as Promise<void>,
    release: (): void => undefined,
    last: Promise.resolve() as Promise<unknown>,
    /** Holds every lookup from now until release(). */
    hold(): void {
      control.gate = new Promise((resolve) => (control.release = resolve));
    },
    wrapped: (...args: Args): Promise<ApiKeyRecord | null> => {
      control.lookups++;
      const pending = (async () => {
        await control.gate;
        const key = await lookup(...args);
        return key && control.revoked ? { ...key, revoked_at: Date.now() } : key;
      })();
      control.last = pending;
      return pending;
    },
  };
  return control;
}


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
    const control = controlledLookups(store.apiKeys.findByHash.bind(store.apiKeys));
    store.apiKeys.findByHash = control.wrapped;
    const authenticator = new Authenticator(store.apiKeys);
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
    expect(control.lookups).toBe(1);

    // Revoked elsewhere; the entry expires, and its refresh is slow.
    control.revoked = true;
    control.hold();
    vi.setSystemTime(Date.now() + 2_001);
    const answers = await Promise.all(Array.from({ length: 50 }, () => authenticator.authenticate(KNOWN)));
    expect(answers.every((key) => key?.id === 'k1')).toBe(true);
    expect(authenticator.authenticateFromCache(KNOWN)?.id).toBe('k1');
    // One lookup for all of them, not one per request.
    expect(control.lookups).toBe(2);
    control.release();
    await vi.waitFor(async () => expect(await authenticator.authenticate(KNOWN)).toBeNull());
    expect(authenticator.authenticateFromCache(KNOWN)).toBeNull();
    expect(control.lookups).toBe(2);

    // A lookup begun before a revocation on this instance does not put its answer back.
    control.revoked = false;
    vi.setSystemTime(Date.now() + 2_001);
    control.hold();
    expect(authenticator.authenticateFromCache(KNOWN)).toBeNull();
    authenticator.invalidate();
    control.release();
    await control.last;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(authenticator.authenticateFromCache(KNOWN)).toBeUndefined();
    expect((await authenticator.authenticate(KNOWN))?.id).toBe('k1');
  });
});

describe('Authenticator.authenticateSession', () => {
  it('caches a session like a key: one shared lookup while an expired entry answers, and none put back after invalidate()', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openStoreWithKeys();
    const control = controlledLookups(store.apiKeys.get.bind(store.apiKeys));
    store.apiKeys.get = control.wrapped;
    const authenticator = new Authenticator(store.apiKeys, randomBytes(32));
    const token = authenticator.issueSession((await authenticator.authenticate(KNOWN))!);
    expect((await authenticator.authenticateSession(token))?.id).toBe('k1');
    expect(control.lookups).toBe(1);

    // Revoked elsewhere; the entry expires, and its refresh is slow.
    control.revoked = true;
    control.hold();
    vi.setSystemTime(Date.now() + 2_001);
    const answers = await Promise.all(Array.from({ length: 20 }, () => authenticator.authenticateSession(token)));
    expect(answers.every((key) => key?.id === 'k1')).toBe(true);
    expect(control.lookups).toBe(2);
    control.release();
    await vi.waitFor(async () => expect(await authenticator.authenticateSession(token)).toBeNull());
    expect(control.lookups).toBe(2);

    // A lookup begun before a revocation on this instance does not put its answer back.
    control.revoked = false;
    vi.setSystemTime(Date.now() + 2_001);
    control.hold();
    expect(await authenticator.authenticateSession(token)).toBeNull();
    expect(control.lookups).toBe(3);
    authenticator.invalidate();
    control.release();
    await control.last;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await authenticator.authenticateSession(token))?.id).toBe('k1');
    expect(control.lookups).toBe(4);
  });
});
