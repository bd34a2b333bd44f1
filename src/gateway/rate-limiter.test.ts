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
});
