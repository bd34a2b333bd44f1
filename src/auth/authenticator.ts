// Resolves a presented key to its record. Lookups are cached briefly so the hot path does
// not query the store on every request; the short TTL bounds how long a key revoked on
// another instance keeps working. An entry past its TTL still answers for a short grace while
// one lookup refreshes it: when every entry expired at once and each request waited for its own
// lookup, a gateway under load stalled every 2 s behind the store's background work (requests
// of over 100 ms at each expiry, measured). Dashboard sessions are cached the same way.
import { keyExpired, type ApiKeyRecord } from '../domain/api-key.js';
import type { ApiKeyRepository } from '../store/ports.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import { hashesEqual, hashKeySecret } from './api-key-secret.js';
import { signSession, verifySession } from './session-token.js';

const CACHE_TTL_MS = 2_000;
/** How long an expired entry still answers while its refresh runs: a key revoked elsewhere is refused within TTL + grace. */
const STALE_GRACE_MS = 2_000;
const CACHE_MAX = 10_000;

interface CacheEntry {
  key: ApiKeyRecord | null;
  expires: number;
}

/** What a cache entry answers for (a key's hash, or a session's key) and how to look it up. */
interface Lookup {
  cacheKey: string;
  find(): Promise<ApiKeyRecord | null>;
}

export class Authenticator {
  private cache = new Map<string, CacheEntry>();
  /** Lookups on their way, one per cache key, shared by every request that needs it. */
  private readonly refreshing = new Map<string, Promise<CacheEntry>>();
  /** Moved on by invalidate(), so a lookup begun before it does not put its answer back. */
  private generation = 0;

  /** `sessionSecret` signs dashboard session cookies; without it sessions are refused. */
  constructor(private readonly keys: ApiKeyRepository, private readonly sessionSecret: Buffer | null = null) {}

  issueSession(key: ApiKeyRecord): string {
    if (!this.sessionSecret) throw new Error('sessions are not configured');
    return signSession(this.sessionSecret, key.id, key.project_id);
  }

  /** The key behind a session token, while the token is valid and the key neither revoked nor expired. */
  async authenticateSession(token: string): Promise<ApiKeyRecord | null> {
    if (!this.sessionSecret) return null;
    const claims = verifySession(this.sessionSecret, token);
    if (!claims) return null;
    const lookup: Lookup = { cacheKey: `session\u0000${claims.projectId}\u0000${claims.keyId}`, find: () => this.keys.get(claims.projectId, claims.keyId) };
    const entry = this.cachedEntry(lookup) ?? (await this.refresh(lookup));
    return entry.key && entry.key.revoked_at === null && !keyExpired(entry.key) ? entry.key : null;
  }

  async authenticate(secret: string): Promise<ApiKeyRecord | null> {
    if (!isKeyShaped(secret)) return null;
    const hash = hashKeySecret(secret);
    const lookup = this.byHash(hash);
    return usableKey((this.cachedEntry(lookup) ?? (await this.refresh(lookup))).key, hash);
  }

  /**
   * The answer authenticate() would give, when the cache alone can give it; undefined when
   * the store must be asked. Lets the request hook finish without a promise on a cache hit.
   */
  authenticateFromCache(secret: string): ApiKeyRecord | null | undefined {
    if (!isKeyShaped(secret)) return null;
    const hash = hashKeySecret(secret);
    const entry = this.cachedEntry(this.byHash(hash));
    return entry === undefined ? undefined : usableKey(entry.key, hash);
  }

  /** Forgets cached lookups so a revocation on this instance applies at once. */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
    this.refreshing.clear();
  }

  private byHash(hash: string): Lookup {
    return { cacheKey: hash, find: () => this.keys.findByHash(hash) };
  }

  /** The cached entry while it is fresh or within its grace (starting its refresh then); undefined past that. */
  private cachedEntry(lookup: Lookup): CacheEntry | undefined {
    const entry = this.cache.get(lookup.cacheKey);
    if (!entry) return undefined;
    const now = Date.now();
    if (now >= entry.expires + STALE_GRACE_MS) return undefined;
    // A refresh that fails leaves the entry to expire; the lookup after the grace reports the error.
    if (now >= entry.expires) this.refresh(lookup).catch(() => undefined);
    return entry;
  }

  /** Looks the key up once for every request waiting on it, and caches the answer. */
  private refresh(lookup: Lookup): Promise<CacheEntry> {
    const { cacheKey } = lookup;
    let pending = this.refreshing.get(cacheKey);
    if (pending) return pending;
    const generation = this.generation;
    const started = Date.now();
    pending = lookupOrLastKnown(lookup.find, this.cache.get(cacheKey))
      .then((key) => {
        const entry = { key, expires: started + CACHE_TTL_MS };
        if (generation === this.generation) {
          if (this.cache.size >= CACHE_MAX) this.cache.clear();
          this.cache.set(cacheKey, entry);
        }
        return entry;
      })
      .finally(() => {
        if (this.refreshing.get(cacheKey) === pending) this.refreshing.delete(cacheKey);
      });
    this.refreshing.set(cacheKey, pending);
    return pending;
  }
}

function isKeyShaped(secret: string): boolean {
  return secret.startsWith('lp_') && secret.length <= 256;
}

function usableKey(key: ApiKeyRecord | null, hash: string): ApiKeyRecord | null {
  return key && key.revoked_at === null && !keyExpired(key) && hashesEqual(key.hash, hash) ? key : null;
}

/**
 * While the store is unreachable, a key seen before keeps the answer last read for it, so the
 * gateway goes on serving known callers through an outage; a key never seen cannot be checked
 * and the lookup fails (503).
 */
async function lookupOrLastKnown(lookup: () => Promise<ApiKeyRecord | null>, previous: CacheEntry | undefined): Promise<ApiKeyRecord | null> {
  try {
    return await lookup();
  } catch (error) {
    if (previous && isStoreUnavailable(error)) return previous.key;
    throw error;
  }
}
