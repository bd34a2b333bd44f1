// Requests and tokens per minute per API key (LiteLLM's and Portkey's key limits), over a
// sliding minute of one-second slots. A request is admitted while the key's last 60 seconds hold
// fewer requests than its rpm limit and fewer tokens than its tpm limit; its tokens are counted
// when its call is recorded, so a request admitted under the tpm limit may end above it (as with
// LiteLLM) and the next one waits. Instances sharing a store add the others' counts, as last
// exchanged (shared-rate-sync.ts, every second): N instances then admit a key's limit plus at
// most what the others admitted since the last exchange, where alone each would admit it all.
import type { RateCount } from '../store/ports.js';

const WINDOW_SECONDS = 60;

export interface KeyLimits {
  rpm: number | null;
  tpm: number | null;
}

export type Admission =
  | { admitted: true }
  | { admitted: false; limit: 'requests' | 'tokens'; allowed: number; retryAfterSeconds: number };

/** Counts of one key per second of the last minute (a ring indexed by the second). */
class Window {
  readonly requests = new Float64Array(WINDOW_SECONDS);
  readonly tokens = new Float64Array(WINDOW_SECONDS);
  readonly seconds = new Float64Array(WINDOW_SECONDS).fill(-1);
  lastSecond = -1;

  /** Clears the slots that fell out of the minute ending at `second`. */
  advance(second: number): void {
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.requests[slot] = 0;
      this.tokens[slot] = 0;
    }
    this.lastSecond = Math.max(this.lastSecond, second);
  }

  /** The sum over the minute ending at `second`, and the oldest second holding any of it. */
  total(counts: Float64Array, second: number): { sum: number; oldest: number } {
    let sum = 0;
    let oldest = second;
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      const at = this.seconds[slot]!;
      if (at > second - WINDOW_SECONDS && at <= second && counts[slot]! > 0) {
        sum += counts[slot]!;
        oldest = Math.min(oldest, at);
      }
    }
    return { sum, oldest };
  }
}

export class KeyRateLimiter {
  private readonly windows = new Map<string, Window>();
  /** The other instances' counts, as last read; empty on a store of one instance. */
  private others = new Map<string, Window>();
  /** Counts made here since they were last handed over, by key and second; kept only when shared. */
  private pending: Map<string, RateCount> | null = null;

  /** Keeps the counts made here to be handed to the instances sharing the store. */
  share(): void {
    this.pending ??= new Map();
  }

  admit(keyId: string, limits: KeyLimits, now = Date.now()): Admission {
    if (limits.rpm === null && limits.tpm === null) return { admitted: true };
    const second = Math.floor(now / 1000);
    const window = this.windowOf(keyId, second);
    const others = this.others.get(keyId);
    for (const [limit, allowed, kind] of [['requests', limits.rpm, 'requests'], ['tokens', limits.tpm, 'tokens']] as const) {
      if (allowed === null) continue;
      const own = window.total(window[kind], second);
      const elsewhere = others ? others.total(others[kind], second) : { sum: 0, oldest: second };
      // Room comes back when the oldest second of the minute leaves it.
      const oldest = Math.min(own.oldest, elsewhere.oldest);
      if (own.sum + elsewhere.sum >= allowed) return { admitted: false, limit, allowed, retryAfterSeconds: Math.max(1, oldest + WINDOW_SECONDS - second) };
    }
    window.requests[second % WINDOW_SECONDS]! += 1;
    this.count(keyId, second, 1, 0);
    return { admitted: true };
  }

  /** Tokens a key's recorded call used. */
  spend(keyId: string, tokens: number, now = Date.now()): void {
    if (tokens <= 0) return;
    const window = this.windows.get(keyId);
    if (!window) return;
    const second = Math.floor(now / 1000);
    window.advance(second);
    window.tokens[second % WINDOW_SECONDS]! += tokens;
    this.count(keyId, second, 0, tokens);
  }

  private count(keyId: string, second: number, requests: number, tokens: number): void {
    if (!this.pending) return;
    const id = `${keyId}\u0000${second}`;
    const counted = this.pending.get(id);
    if (counted) {
      counted.requests += requests;
      counted.tokens += tokens;
    } else {
      this.pending.set(id, { keyId, second, requests, tokens });
    }
  }

  /** The counts made here since the last call, to be added to the shared ones. */
  takeCounts(): RateCount[] {
    if (!this.pending || this.pending.size === 0) return [];
    const counts = [...this.pending.values()];
    this.pending = new Map();
    return counts;
  }

  /** Counts that could not be handed over, kept for the next exchange. */
  restoreCounts(counts: readonly RateCount[]): void {
    for (const counted of counts) this.count(counted.keyId, counted.second, counted.requests, counted.tokens);
  }

  /** The other instances' counts of the last minute, replacing those read before. */
  adoptOthers(counts: readonly RateCount[]): void {
    const others = new Map<string, Window>();
    for (const counted of counts) {
      let window = others.get(counted.keyId);
      if (!window) {
        window = new Window();
        others.set(counted.keyId, window);
      }
      window.advance(counted.second);
      const slot = counted.second % WINDOW_SECONDS;
      window.requests[slot]! += counted.requests;
      window.tokens[slot]! += counted.tokens;
    }
    this.others = others;
  }

  private windowOf(keyId: string, second: number): Window {
    let window = this.windows.get(keyId);
    if (!window) {
      if (this.windows.size >= 10_000) this.forgetIdle(second);
      window = new Window();
      this.windows.set(keyId, window);
    }
    window.advance(second);
    return window;
  }

  /** Keys with nothing in the last minute hold nothing worth keeping. */
  private forgetIdle(second: number): void {
    for (const [keyId, window] of this.windows) if (window.lastSecond <= second - WINDOW_SECONDS) this.windows.delete(keyId);
  }
}
