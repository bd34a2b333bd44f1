import { describe, expect, it } from 'vitest';
import { KeyRateLimiter } from './rate-limiter.js';

const T0 = 1_700_000_000_000;

describe('KeyRateLimiter', () => {
  it('admits rpm requests in a sliding minute, then says when the oldest leaves it', () => {
    const limiter = new KeyRateLimiter();
    const limits = { rpm: 3, tpm: null };
    expect(limiter.admit('k', limits, T0).admitted).toBe(true);
    expect(limiter.admit('k', limits, T0 + 10_000).admitted).toBe(true);
    expect(limiter.admit('k', limits, T0 + 20_000).admitted).toBe(true);
    expect(limiter.admit('k', limits, T0 + 30_000)).toEqual({ admitted: false, limit: 'requests', allowed: 3, retryAfterSeconds: 30 });
    // A refused request takes no room; at T0 + 60 s the first one has left the minute.
    expect(limiter.admit('k', limits, T0 + 59_999).admitted).toBe(false);
    expect(limiter.admit('k', limits, T0 + 60_000).admitted).toBe(true);
    expect(limiter.admit('k', limits, T0 + 60_500).admitted).toBe(false);
    // Another key has its own minute; a key without limits is never counted.
    expect(limiter.admit('other', limits, T0 + 30_000).admitted).toBe(true);
    expect(limiter.admit('free', { rpm: null, tpm: null }, T0).admitted).toBe(true);
  });

  it('refuses a key whose recorded calls used its tokens of the minute', () => {
    const limiter = new KeyRateLimiter();
    const limits = { rpm: null, tpm: 1000 };
    expect(limiter.admit('k', limits, T0).admitted).toBe(true);
    limiter.spend('k', 600, T0 + 1_000);
    expect(limiter.admit('k', limits, T0 + 2_000).admitted).toBe(true);
    limiter.spend('k', 500, T0 + 3_000);
    expect(limiter.admit('k', limits, T0 + 4_000)).toEqual({ admitted: false, limit: 'tokens', allowed: 1000, retryAfterSeconds: 57 });
    // The 600 of T0 + 1 s leave at T0 + 61 s: 500 remain.
    expect(limiter.admit('k', limits, T0 + 61_000).admitted).toBe(true);
  });

  it('counts nothing from slots a minute old or more, however long ago', () => {
    const limiter = new KeyRateLimiter();
    const limits = { rpm: 2, tpm: null };
    expect(limiter.admit('k', limits, T0).admitted).toBe(true);
    expect(limiter.admit('k', limits, T0 + 120_000).admitted).toBe(true);
    expect(limiter.admit('k', limits, T0 + 120_000).admitted).toBe(true);
    expect(limiter.admit('k', limits, T0 + 120_001).admitted).toBe(false);
    // Ten minutes on, the ring's slots of that second are stale and count nothing.
    expect(limiter.admit('k', limits, T0 + 720_000).admitted).toBe(true);
  });

  it('adds the other instances\' counts of the minute to its own, and says when the oldest of either leaves', () => {
    const limiter = new KeyRateLimiter();
    limiter.share();
    const second = T0 / 1000;
    // Elsewhere: 2 requests 50 s ago and 900 tokens 10 s ago; a count a minute old is left out.
    limiter.adoptOthers([
      { keyId: 'k', second: second - 50, requests: 2, tokens: 0 },
      { keyId: 'k', second: second - 10, requests: 0, tokens: 900 },
      { keyId: 'k', second: second - 60, requests: 5, tokens: 5_000 },
    ]);
    expect(limiter.admit('k', { rpm: 3, tpm: null }, T0).admitted).toBe(true);
    expect(limiter.admit('k', { rpm: 3, tpm: null }, T0 + 1_000)).toEqual({ admitted: false, limit: 'requests', allowed: 3, retryAfterSeconds: 9 });
    limiter.spend('k', 100, T0 + 2_000);
    expect(limiter.admit('k', { rpm: null, tpm: 1_000 }, T0 + 3_000)).toEqual({ admitted: false, limit: 'tokens', allowed: 1_000, retryAfterSeconds: 47 });
    // Another key is not touched by k's counts.
    expect(limiter.admit('j', { rpm: 1, tpm: null }, T0).admitted).toBe(true);
    // Counted here, per key and second, once each; then nothing until more is counted.
    expect(limiter.takeCounts().sort((a, b) => a.keyId.localeCompare(b.keyId) || a.second - b.second)).toEqual([
      { keyId: 'j', second, requests: 1, tokens: 0 },
      { keyId: 'k', second, requests: 1, tokens: 0 },
      { keyId: 'k', second: second + 2, requests: 0, tokens: 100 },
    ]);
    expect(limiter.takeCounts()).toEqual([]);
    // Counts that could not be handed over come back merged with the new ones.
    limiter.spend('k', 50, T0 + 2_500);
    limiter.restoreCounts([{ keyId: 'k', second: second + 2, requests: 0, tokens: 100 }]);
    expect(limiter.takeCounts()).toEqual([{ keyId: 'k', second: second + 2, requests: 0, tokens: 150 }]);
    // A new read replaces the old one.
    limiter.adoptOthers([]);
    expect(limiter.admit('k', { rpm: 3, tpm: null }, T0 + 4_000).admitted).toBe(true);
  });

  it('keeps no counts to hand over unless shared', () => {
    const limiter = new KeyRateLimiter();
    limiter.admit('k', { rpm: 5, tpm: 5 }, T0);
    limiter.spend('k', 3, T0);
    expect(limiter.takeCounts()).toEqual([]);
  });
});
