// Resolves a presented key to its record. Lookups are cached briefly so the hot path does
// not query the store on every request; the short TTL bounds how long a key revoked on
// another instance keeps working.
import type { ApiKeyRecord } from '../domain/api-key.js';
import type { ApiKeyRepository } from '../store/ports.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import { hashesEqual, hashKeySecret } from './api-key-secret.js';
import { signSession, verifySession } from './session-token.js';

const CACHE_TTL_MS = 2_000;
const CACHE_MAX = 10_000;

interface CacheEntry {
  key: ApiKeyRecord | null;
  expires: number;
}

export class Authenticator {
  private cache = new Map<string, CacheEntry>();

  /** `sessionSecret` signs dashboard session cookies; without it sessions are refused. */
  constructor(private readonly keys: ApiKeyRepository, private readonly sessionSecret: Buffer | null = null) {}

  issueSession(key: ApiKeyRecord): string {
    if (!this.sessionSecret) throw new Error('sessions are not configured');
    return signSession(this.sessionSecret, key.id, key.project_id);
  }

  /** The key behind a session token, while the token is valid and the key not revoked. */
  async authenticateSession(token: string): Promise<ApiKeyRecord | null> {
    if (!this.sessionSecret) return null;
    const claims = verifySession(this.sessionSecret, token);
    if (!claims) return null;
    const cacheKey = `session\u0000${claims.projectId}\u0000${claims.keyId}`;
    const now = Date.now();
    let entry = this.cache.get(cacheKey);
    if (!entry || entry.expires < now) {
      entry = { key: await lookupOrLastKnown(() => this.keys.get(claims.projectId, claims.keyId), entry), expires: now + CACHE_TTL_MS };
      this.cache.set(cacheKey, entry);
    }
    return entry.key && entry.key.revoked_at === null ? entry.key : null;
  }

  async authenticate(secret: string): Promise<ApiKeyRecord | null> {
    if (!isKeyShaped(secret)) return null;
    const hash = hashKeySecret(secret);
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.expires < now) {
      const key = await lookupOrLastKnown(() => this.keys.findByHash(hash), entry);
      entry = { key, expires: now + CACHE_TTL_MS };
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(hash, entry);
    }
    return usableKey(entry.key, hash);
  }

  /**
   * The answer authenticate() would give, when the cache alone can give it; undefined when
   * the store must be asked. Lets the request hook finish without a promise on a cache hit.
   */
  authenticateFromCache(secret: string): ApiKeyRecord | null | undefined {
    if (!isKeyShaped(secret)) return null;
    const hash = hashKeySecret(secret);
    const entry = this.cache.get(hash);
    if (!entry || entry.expires < Date.now()) return undefined;
    return usableKey(entry.key, hash);
  }

  /** Forgets cached lookups so a revocation on this instance applies at once. */
  invalidate(): void {
    this.cache.clear();
  }
}

function isKeyShaped(secret: string): boolean {
  return secret.startsWith('lp_') && secret.length <= 256;
}

function usableKey(key: ApiKeyRecord | null, hash: string): ApiKeyRecord | null {
  return key && key.revoked_at === null && hashesEqual(key.hash, hash) ? key : null;
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
