// Breaker transitions on a controlled clock.
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from './breaker.js';

describe('CircuitBreaker', () => {
  it('goes closed → open → half-open (one probe) → closed, and back to open on a failed probe', () => {
    let now = 1_000;
    const changes: string[] = [];
    const breaker = new CircuitBreaker({ threshold: 3, openMs: 10_000, onChange: (from: CircuitState, to: CircuitState) => changes.push(`${from}>${to}`) }, () => now);
    for (let i = 0; i < 2; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.failure();
    }
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect([breaker.state, breaker.tryAcquire()]).toEqual(['open', false]);
    now += 5_000;
    breaker.failure();
    now += 9_999;
    expect(breaker.state).toBe('open');
    now += 1;
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.failure();
    expect(breaker.state).toBe('open');
    now += 10_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.success();
    expect([breaker.state, breaker.consecutiveFailures]).toEqual(['closed', 0]);
    expect(changes).toEqual(['closed>open', 'open>half_open', 'half_open>open', 'open>half_open', 'half_open>closed']);
  });

  it('honours a Retry-After longer than its own open time', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 1, openMs: 1_000 }, () => now);
    breaker.failure(30_000);
    now = 29_999;
    expect(breaker.state).toBe('open');
    now = 30_000;
    expect(breaker.state).toBe('half_open');
  });
});
