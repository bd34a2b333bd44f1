// Breaker transitions on a controlled clock.
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from './breaker.js';
import { ProviderHealth } from '../provider-registry/provider-health.js';

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

  it("keeps the probe's slot while a call admitted before the circuit opened is cancelled", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 1, openMs: 1_000 }, () => now);
    expect(breaker.acquire()).toBe('call');
    // Another call fails: the circuit opens, then half-opens and lets its probe out.
    breaker.failure(undefined, false);
    now = 1_000;
    expect(breaker.acquire()).toBe('probe');
    // The first call's client goes away: that frees nothing, the probe is still out.
    breaker.abandon(false);
    expect(breaker.acquire()).toBeNull();
    // The probe's own verdict decides.
    breaker.success(true);
    expect([breaker.state, breaker.acquire()]).toEqual(['closed', 'call']);
  });

  it('hands each admitted call the report of a call or of the probe, through the provider\'s health', () => {
    const health = new ProviderHealth('p', 1, 1, () => undefined);
    const early = health.admit();
    if (early === null || early instanceof Promise) throw new Error('a closed circuit admits at once');
    health.failure(undefined, false);
    expect(health.admit()).toBeNull();
    // Its open time (1 s) is up on the next admission.
    health.breaker.adopt('open', Date.now() - 1, 1);
    const probe = health.admit();
    if (probe === null || probe instanceof Promise) throw new Error('a half-open circuit admits one probe at once');
    early.abandon();
    expect(health.admit()).toBeNull();
    probe.abandon();
    expect(health.admit()).not.toBeNull();
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
