// Answers kept in memory for identical gateway requests (Helicone's and Portkey's simple cache):
// a successful answer (whole, or a stream that finished) is kept as the client got it, under the
// hash of its project, endpoint and request bytes (a streamed request's bytes differ from the same
// request unstreamed), and the same request again within its time to live is answered from here
// without calling a provider. The cache is per instance and bounded in bytes; the least
// recently used answers go first. Requests opt in (x-loupe-cache: true) unless the server
// caches by default, and may opt out (x-loupe-cache: false) or shorten the time to live.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CanonicalUsage } from '../domain/usage.js';
import { invalidRequest } from './gateway-errors.js';

export interface CacheSettings {
  /** Whether a request that says nothing is cached. */
  byDefault: boolean;
  ttlMs: number;
  maxBytes: number;
}

/** What a cached answer gives back: the bytes sent, and the figures its call was recorded with. */
export interface CachedAnswer {
  body: Buffer;
  contentType: string;
  /** The call whose answer this is. */
  sourceCallId: string;
  provider: string;
  model: string;
  responseModel: string | null;
  finishReason: string | null;
  usage: CanonicalUsage | null;
  usageComplete: boolean;
  toolCalls: number;
  output: unknown;
  completionText: string;
}

interface Entry {
  answer: CachedAnswer;
  expiresAt: number;
  bytes: number;
}

export interface CachePolicy {
  key: string;
  ttlMs: number;
}

const MAX_TTL_SECONDS = 30 * 86_400;
/** Room for the figures and the parsed output besides the body. */
const ENTRY_OVERHEAD_BYTES = 1024;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly settings: CacheSettings) {}

  /**
   * Whether this request uses the cache, and under which key; null when it does not. Throws a
   * 400 GatewayError naming the header for a value it cannot read.
   */
  /** `callerKey`: a caller's own provider key; its answers are kept apart from everyone else's. */
  policy(headers: IncomingHttpHeaders, projectId: string, path: string, raw: Buffer, callerKey: string | null = null): CachePolicy | null {
    const asked = header(headers, 'x-loupe-cache')?.trim().toLowerCase();
    if (asked !== undefined && !['true', 'false', '1', '0'].includes(asked)) throw invalidRequest("'x-loupe-cache' must be true or false", 'x-loupe-cache');
    const use = asked === undefined ? this.settings.byDefault : asked === 'true' || asked === '1';
    if (!use) return null;
    let ttlMs = this.settings.ttlMs;
    const ttl = header(headers, 'x-loupe-cache-ttl');
    if (ttl !== undefined) {
      const seconds = Number(ttl);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TTL_SECONDS) throw invalidRequest(`'x-loupe-cache-ttl' must be whole seconds from 1 to ${MAX_TTL_SECONDS}`, 'x-loupe-cache-ttl');
      ttlMs = seconds * 1000;
    }
    const hash = createHash('sha256').update(projectId).update('\u0000').update(path).update('\u0000');
    if (callerKey !== null) hash.update('caller\u0000').update(callerKey).update('\u0000');
    const key = hash.update(raw).digest('base64url');
    return { key, ttlMs };
  }

  /** The largest answer body that can be kept: one answer may not push out most of the others. */
  get maxBodyBytes(): number {
    return Math.floor((this.settings.maxBytes / 4 - ENTRY_OVERHEAD_BYTES) / 2);
  }

  get(key: string, now = Date.now()): CachedAnswer | null {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now) {
      if (entry) this.remove(key, entry);
      this.misses++;
      return null;
    }
    // Most recently used last: eviction takes from the front.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry.answer;
  }

  set(key: string, answer: CachedAnswer, ttlMs: number, now = Date.now()): void {
    if (answer.body.length > this.maxBodyBytes) return;
    const bytes = answer.body.length * 2 + ENTRY_OVERHEAD_BYTES;
    const known = this.entries.get(key);
    if (known) this.remove(key, known);
    for (const [oldest, entry] of this.entries) {
      if (this.bytes + bytes <= this.settings.maxBytes) break;
      this.remove(oldest, entry);
    }
    this.entries.set(key, { answer, expiresAt: now + ttlMs, bytes });
    this.bytes += bytes;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
