// Circuit breakers in PostgreSQL as two instances (two stores on one schema) see them: the
// failure count is shared, each transition is reported once with its state before, the
// half-open probe is leased to one instance at a time, and counters add up exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { SharedBreakers, Store } from '../src/store/ports.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';

let schema: PgTestSchema;
let stores: Store[] = [];
let a: SharedBreakers;
let b: SharedBreakers;

beforeAll(async () => {
  schema = await createPgTestSchema();
  stores = [await openPostgresStore({ databaseUrl: schema.url, poolSize: 2 }), await openPostgresStore({ databaseUrl: schema.url, poolSize: 2 })];
  a = stores[0]!.providers.breakers!;
  b = stores[1]!.providers.breakers!;
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await schema?.drop();
});

/** Times long enough that a stalled machine cannot see them lapse between two steps. */
const rule = { threshold: 3, openMs: 1_500, retryAfterMs: null };
const LEASE_MS = 1_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared circuit breakers', () => {
  it('opens after failures counted across instances, reporting the change once, and extends while open', async () => {
    expect((await a.failure('p1', rule)).state).toBe('closed');
    expect((await b.failure('p1', rule)).failureCount).toBe(2);
    const opened = await a.failure('p1', rule);
    expect([opened.from, opened.state, opened.failureCount]).toEqual(['closed', 'open', 3]);
    const again = await b.failure('p1', { ...rule, retryAfterMs: 5_000 });
    expect([again.from, again.state]).toEqual(['open', 'open']);
    // A 429's Retry-After keeps it open longer than the rule's time.
    expect(again.openUntil! - opened.openUntil!).toBeGreaterThan(5_000 - rule.openMs - 500);
    const [state] = (await b.states()).filter((breaker) => breaker.name === 'p1');
    expect([state!.state, state!.failureCount, state!.openUntil]).toEqual(['open', 4, again.openUntil]);
  });

  it('a success resets the count of a closed breaker and never closes an open one', async () => {
    await a.failure('p2', rule);
    await b.failure('p2', rule);
    const reset = await b.success('p2');
    expect([reset.from, reset.state, reset.failureCount]).toEqual(['closed', 'closed', 0]);
    for (let i = 0; i < 3; i++) await a.failure('p2', rule);
    const late = await b.success('p2');
    expect([late.from, late.state]).toEqual(['open', 'open']);
  });

  it('leases the half-open probe to one instance; its success closes the circuit, its loss frees it', async () => {
    for (let i = 0; i < 3; i++) await a.failure('p3', rule);
    expect(await b.acquireProbe('p3', 10_000)).toBeNull();
    await sleep(rule.openMs + 100);
    const leases = await Promise.all([a.acquireProbe('p3', LEASE_MS), b.acquireProbe('p3', LEASE_MS), a.acquireProbe('p3', LEASE_MS), b.acquireProbe('p3', LEASE_MS)]);
    const granted = leases.filter((lease) => lease !== null);
    expect(granted).toHaveLength(1);
    expect([granted[0]!.from, granted[0]!.state]).toEqual(['open', 'half_open']);
    // A lost probe (its instance died) is leased again once its lease ends, with no new change.
    expect(await b.acquireProbe('p3', LEASE_MS)).toBeNull();
    await sleep(LEASE_MS + 100);
    const second = await b.acquireProbe('p3', LEASE_MS);
    expect([second?.from, second?.state]).toEqual(['half_open', 'half_open']);
    await b.releaseProbe('p3');
    const third = await a.acquireProbe('p3', LEASE_MS);
    expect(third?.state).toBe('half_open');
    const closed = await a.success('p3');
    expect([closed.from, closed.state, closed.failureCount, closed.openUntil]).toEqual(['half_open', 'closed', 0, null]);
  });

  it('a failed probe opens the circuit again', async () => {
    for (let i = 0; i < 3; i++) await a.failure('p4', rule);
    await sleep(rule.openMs + 100);
    expect(await b.acquireProbe('p4', 1_000)).not.toBeNull();
    const reopened = await b.failure('p4', rule);
    expect([reopened.from, reopened.state]).toEqual(['half_open', 'open']);
    expect(await a.acquireProbe('p4', 1_000)).toBeNull();
  });

  it('adds the counters of every instance, with the average latency weighted by successes', async () => {
    await a.addCounters([{ name: 'p5', total: 3, successes: 2, failures: 1, latencySumMs: 300, lastSuccessAt: 1_700_000_000_000, lastFailureAt: 1_700_000_001_000 }]);
    await b.addCounters([{ name: 'p5', total: 5, successes: 3, failures: 2, latencySumMs: 900, lastSuccessAt: 1_700_000_002_000, lastFailureAt: null }]);
    const [stored] = (await a.states()).filter((breaker) => breaker.name === 'p5');
    const health = stored!.health;
    expect([health.total_requests, health.successful_requests, health.failed_requests]).toEqual([8, 5, 3]);
    expect(health.avg_response_time_ms).toBeCloseTo(1200 / 5, 9);
    expect([health.last_success_at, health.last_failure_at]).toEqual([1_700_000_002_000, 1_700_000_001_000]);
  });
});
