// The budget guard on its own (the contract the gateway calls), on both engines: atomic
// reservations under concurrency, exact give-back, usage from stored calls, scopes, and
// 80% / 100% events. On PostgreSQL the guard keeps spend and holds in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, type BudgetGuard, type BudgetReservation, type BudgetScopeKeys } from '../src/budgets/budget-guard.js';
import { createBudgetGuard } from '../src/budgets/create-budget-guard.js';
import type { Budget } from '../src/domain/budget.js';
import { normalizeCall } from '../src/domain/normalize-call.js';
import { LiveEventBus, type LiveEvent } from '../src/live/event-bus.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/ports.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';

describe.each(['duckdb', 'postgres'] as const)('budget guard on %s', (engine) => {
  const CYCLES = engine === 'postgres' ? 2_000 : 10_000;
  let store: Store;
  let schema: PgTestSchema | null = null;
  const guards: BudgetGuard[] = [];
  beforeAll(async () => {
    if (engine === 'postgres') {
      schema = await createPgTestSchema();
      store = await openPostgresStore({ databaseUrl: schema.url });
    } else {
      store = await openDuckDbStore({ dataDir: ':memory:' });
    }
  });
  afterAll(async () => {
    for (const guard of guards) await guard.close();
    await store.close();
    await schema?.drop();
  });

  function newGuard(bus = new LiveEventBus()): BudgetGuard {
    const guard = createBudgetGuard(store, bus);
    guards.push(guard);
    return guard;
  }

  let budgetCounter = 0;
  async function budget(projectId: string, fields: Partial<Budget>): Promise<Budget> {
    const now = Date.now();
    const created: Budget = {
      id: `budget-${++budgetCounter}`, project_id: projectId, name: `budget ${budgetCounter}`, budget_type: 'total', amount: 1, scope: 'global',
      scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now, ...fields,
    };
    await store.budgets.insert(created);
    return created;
  }

  const keysFor = (projectId: string, extra: Partial<BudgetScopeKeys> = {}): BudgetScopeKeys => ({
    projectId, provider: 'openai', model: 'gpt-4o', userId: null, apiKeyId: null, tags: [], ...extra,
  });

  const recorded = (projectId: string, cost: number, extra: Record<string, unknown> = {}) =>
    normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: cost, ...extra }, { projectId, apiKeyId: null });

  describe('BudgetGuard reservations', () => {
    it('admits at most 2 of 200 concurrent $0.005 reservations against a $0.01 block budget', async () => {
      const limit = await budget('concurrent', { name: 'ten cents', amount: 0.01 });
      const guard = newGuard();
      const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => guard.reserve(keysFor('concurrent'), 0.005)));
      const admitted = outcomes.filter((outcome): outcome is PromiseFulfilledResult<BudgetReservation> => outcome.status === 'fulfilled');
      expect(admitted).toHaveLength(2);
      const refusal = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')!.reason as unknown;
      expect(refusal).toBeInstanceOf(BudgetExceededError);
      const error = refusal as BudgetExceededError;
      expect([error.budgetId, error.budgetName, error.limitUsd, error.currentUsd]).toEqual([limit.id, 'ten cents', 0.01, 0.01]);
      expect(error.message).toContain("'ten cents'");
      expect((await guard.status(limit)).reserved).toBe(0.01);

      // Failed or cancelled calls give their hold back; a second release changes nothing.
      for (const reservation of admitted) {
        reservation.value.release();
        reservation.value.release();
      }
      await guard.settled();
      expect((await guard.status(limit)).reserved).toBe(0);
      const again = await guard.reserve(keysFor('concurrent'), 0.005);
      expect((await guard.status(limit)).reserved).toBe(0.005);
      again.settle(0.001);
      again.release();
      await guard.settled();
      expect((await guard.status(limit)).reserved).toBe(0);
    });

    it(`has no drift after ${CYCLES} reserve / record / settle cycles in either order`, async () => {
      const limit = await budget('drift', { amount: 1_000, budget_type: 'monthly' });
      const guard = newGuard();
      // Independent exact sum in integer nano-dollars of the costs recorded.
      let expectedNanos = 0n;
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let i = 0; i < CYCLES; i++) {
        const worstCase = Math.round(random() * 1e7) / 1e9; // up to $0.01, in nano-dollar steps
        const actual = Math.round(worstCase * random() * 1e9) / 1e9;
        expectedNanos += BigInt(Math.round(actual * 1e9));
        const reservation = await guard.reserve(keysFor('drift', { requestId: `drift-${i}` }), worstCase);
        if (i % 2 === 0) {
          guard.observe(recorded('drift', actual, { request_id: `drift-${i}` }));
          reservation.settle(actual);
        } else {
          reservation.settle(actual);
          guard.observe(recorded('drift', actual));
        }
        reservation.release();
      }
      await guard.settled();
      const status = await guard.status(limit);
      expect(status.reserved).toBe(0);
      expect(Math.abs(status.current_usage - Number(expectedNanos) / 1e9)).toBeLessThan(1e-9);
    });

    it('starts from the cost of stored calls in the period and refuses once it is spent', async () => {
      const limit = await budget('stored', { name: 'daily cap', budget_type: 'daily', amount: 0.05 });
      const now = Date.now();
      const dayStart = Math.floor(now / 86_400_000) * 86_400_000;
      const writes = [0.02, 0.025, 0.004].map((cost, index) => {
        const call = recorded('stored', cost, { id: `stored-${index}`, started_at: Math.max(dayStart, now - index * 1000) });
        return { call, bodyHash: '', clientId: false, inputJson: null, outputJson: null };
      });
      // One call from two days ago belongs to an earlier period and must not count.
      writes.push({ call: recorded('stored', 9, { id: 'stored-old', started_at: dayStart - 86_400_000 - 1000 }), bodyHash: '', clientId: false, inputJson: null, outputJson: null });
      await store.calls.insertBatch(writes);
      const guard = newGuard();
      const spent = 0.02 + 0.025 + 0.004;
      expect((await guard.status(limit)).current_usage).toBeCloseTo(spent, 12);
      await expect(guard.reserve(keysFor('stored'), 0.002)).rejects.toThrow(BudgetExceededError);
      const fits = await guard.reserve(keysFor('stored'), 0.001);
      fits.release();
    });

    it('applies a budget only to calls in its scope; an alert budget never refuses', async () => {
      await budget('scoped', { scope: 'tag', scope_value: 'batch', amount: 0.01 });
      await budget('scoped', { scope: 'user', scope_value: 'alice', amount: 0.01 });
      await budget('scoped', { scope: 'model', scope_value: 'gpt-4o', amount: 0.01, action: 'alert' });
      const guard = newGuard();
      await expect(guard.reserve(keysFor('scoped', { tags: ['batch'] }), 0.02)).rejects.toThrow(BudgetExceededError);
      await expect(guard.reserve(keysFor('scoped', { userId: 'alice' }), 0.02)).rejects.toThrow(BudgetExceededError);
      // Same model (alert only), other user and tag: admitted past the alert budget's amount.
      const other = await guard.reserve(keysFor('scoped', { userId: 'bob', tags: ['interactive'] }), 0.02);
      other.release();
    });

    it('starts each day of a daily budget from zero, counting each call in the day it started', async () => {
      const limit = await budget('daily-turn', { budget_type: 'daily', amount: 1 });
      const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
      let now = day + 86_400_000 - 1000;
      const guard = createBudgetGuard(store, new LiveEventBus(), { now: () => now });
      guards.push(guard);
      const spend = async (cost: number, request: string) => {
        const reservation = await guard.reserve(keysFor('daily-turn', { requestId: request }), cost);
        guard.observe(recorded('daily-turn', cost, { request_id: request, started_at: now }));
        reservation.settle(cost);
        await guard.settled();
      };
      await spend(0.7, 'turn-1');
      expect((await guard.status(limit)).current_usage).toBeCloseTo(0.7, 12);
      await expect(guard.reserve(keysFor('daily-turn'), 0.5)).rejects.toThrow(BudgetExceededError);
      for (const cost of [0.4, 0.25]) {
        now += 86_400_000;
        await spend(cost, `turn-${now}`);
        const status = await guard.status(limit);
        expect([status.current_usage, status.reset_at]).toEqual([expect.closeTo(cost, 12), new Date(Math.floor(now / 86_400_000 + 1) * 86_400_000).toISOString()]);
      }
    });

    it('refuses an unpriced call only once a block budget is exhausted', async () => {
      await budget('unpriced', { amount: 0.01 });
      const guard = newGuard();
      const free = await guard.reserve(keysFor('unpriced'), null);
      free.settle(null);
      const spend = await guard.reserve(keysFor('unpriced', { requestId: 'unpriced-1' }), 0.01);
      guard.observe(recorded('unpriced', 0.01, { request_id: 'unpriced-1' }));
      spend.settle(0.01);
      await expect(guard.reserve(keysFor('unpriced'), null)).rejects.toThrow(BudgetExceededError);
    });
  });

  describe('BudgetGuard events', () => {
    it('publishes budget_exceeded once at 80% and once at 100%', async () => {
      const limit = await budget('events', { name: 'monthly', budget_type: 'monthly', amount: 1, action: 'alert' });
      const bus = new LiveEventBus();
      const events: LiveEvent[] = [];
      bus.subscribe('events', (event) => events.push(event));
      const guard = newGuard(bus);
      for (const cost of [0.5, 0.29, 0.02, 0.1, 0.09, 0.3, 0.3]) {
        const reservation = await guard.reserve(keysFor('events'), cost);
        guard.observe(recorded('events', cost));
        reservation.settle(cost);
        await guard.settled();
      }
      const crossings = events.filter((event) => event.type === 'budget_exceeded').map((event) => event.data as Record<string, unknown>);
      // Running totals: 0.5, 0.79, 0.81 (80%), 0.91, 1.00 (100%), 1.30, 1.60.
      expect(crossings.map((data) => data.threshold)).toEqual([0.8, 1]);
      expect(crossings[0]).toMatchObject({ budget_id: limit.id, name: 'monthly', amount: 1, action: 'alert' });
      expect(crossings[0]!.current_usage as number).toBeCloseTo(0.81, 12);
      expect(crossings[1]!.current_usage as number).toBeCloseTo(1, 12);

      // Raising the amount to $2.50 re-arms 80% ($2.00): 1.95 stays quiet, 2.00 crosses it again.
      await store.budgets.update({ ...limit, amount: 2.5, updated_at: Date.now() });
      await guard.reload('events');
      guard.observe(recorded('events', 0.35));
      await guard.settled();
      expect(events).toHaveLength(2);
      guard.observe(recorded('events', 0.05));
      await guard.settled();
      expect(events.map((event) => (event.data as { threshold: number }).threshold)).toEqual([0.8, 1, 0.8]);
    });
  });
});

describe('budget guard on postgres without its database', () => {
  const goneKeys: BudgetScopeKeys = { projectId: 'gone', provider: 'openai', model: 'gpt-4o', userId: null, apiKeyId: null, tags: [] };

  it('checks block budgets against its last reading and what it counted since, while the database cannot be reached', async () => {
    const schemaOwn = await createPgTestSchema();
    const own = await openPostgresStore({ databaseUrl: schemaOwn.url });
    const now = Date.now();
    const limit: Budget = { id: 'gone', project_id: 'gone', name: 'five cents', budget_type: 'total', amount: 0.05, scope: 'global', scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now };
    await own.budgets.insert(limit);
    await own.budgets.insert({ ...limit, id: 'unread', project_id: 'unread', name: 'never read', amount: 0.001 });
    const told: unknown[] = [];
    const guard = createBudgetGuard(own, new LiveEventBus(), { onUnavailable: (error) => told.push(error) });
    const call = (cost: number) => normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: cost }, { projectId: 'gone', apiKeyId: null });
    try {
      // The counter is read when it is first needed; a call's hold is given back, its cost counted.
      const first = await guard.reserve(goneKeys, 0.01);
      guard.observe(call(0.03));
      first.settle(0.03);
      await guard.settled();
      expect((await guard.status(limit)).current_usage).toBe(0.03);
      await own.close();

      // $0.03 spent: $0.015 fits, then $0.01 more would pass $0.05 with it held.
      const during = await guard.reserve(goneKeys, 0.015);
      const refused = await guard.reserve(goneKeys, 0.01).then(() => null, (error: unknown) => error);
      expect(refused).toBeInstanceOf(BudgetExceededError);
      expect((refused as BudgetExceededError).currentUsd).toBeCloseTo(0.045, 12);
      // Given back, the worst case no longer counts; the cost the call recorded does.
      during.release();
      guard.observe(call(0.012));
      const next = await guard.reserve(goneKeys, 0.008);
      await expect(guard.reserve(goneKeys, 0.0001)).rejects.toThrow(BudgetExceededError);
      next.release();
      guard.observe(call(0.008));
      // Exhausted ($0.05 counted): an unpriced call, which holds nothing, is refused too.
      await expect(guard.reserve(goneKeys, null)).rejects.toThrow(BudgetExceededError);
      // A budget this instance never read cannot be checked: its calls are admitted.
      (await guard.reserve({ ...goneKeys, projectId: 'unread' }, 1)).release();
      expect(told).toHaveLength(1);
    } finally {
      await guard.close();
      await schemaOwn.drop();
    }
  });
});

describe('budget ledger on postgres', () => {
  it('reads many counters in one question, in the order asked, null for a counter not made', async () => {
    const schema = await createPgTestSchema();
    const store = await openPostgresStore({ databaseUrl: schema.url });
    try {
      const now = Date.now();
      const base: Budget = { id: 'a', project_id: 'ledger', name: 'a', budget_type: 'total', amount: 1, scope: 'global', scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now };
      await store.budgets.insert(base);
      await store.budgets.insert({ ...base, id: 'b', name: 'b' });
      const ledger = store.budgets.ledger!;
      const a = { budgetId: 'a', periodStart: 0 };
      const b = { budgetId: 'b', periodStart: 0 };
      await ledger.ensurePeriod(a, 5);
      await ledger.ensurePeriod(b, 7);
      expect(await ledger.reserve('hold-b', [b], 2, 60_000)).toBeNull();
      expect(await ledger.usages([b, { budgetId: 'a', periodStart: 86_400_000 }, a])).toEqual([
        { spentNanos: 7, heldNanos: 2 }, null, { spentNanos: 5, heldNanos: 0 },
      ]);
      expect(await ledger.usages([])).toEqual([]);
      expect(await ledger.usage(b)).toEqual({ spentNanos: 7, heldNanos: 2 });
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});

describe('budget guard on postgres without its database, after another instance spent', () => {
  it('starts from the counter as it last read it, which it reads again while it runs', async () => {
    const shared = await createPgTestSchema();
    const [gateway, other] = [await openPostgresStore({ databaseUrl: shared.url }), await openPostgresStore({ databaseUrl: shared.url })];
    const now = Date.now();
    const limit: Budget = { id: 'shared-gone', project_id: 'gone', name: 'five cents', budget_type: 'total', amount: 0.05, scope: 'global', scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now };
    await gateway.budgets.insert(limit);
    const keys: BudgetScopeKeys = { projectId: 'gone', provider: 'openai', model: 'gpt-4o', userId: null, apiKeyId: null, tags: [] };
    // Live holds are extended, and counters read again, every 100 ms.
    const guard = createBudgetGuard(gateway, new LiveEventBus(), { holdTtlMs: 300 });
    const spender = createBudgetGuard(other, new LiveEventBus());
    try {
      (await guard.reserve(keys, 0.001)).release();
      spender.observe(normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: 0.04 }, { projectId: 'gone', apiKeyId: null }));
      await spender.settled();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await gateway.close();
      // It read $0.04 spent after the other instance counted it: $0.02 more is refused.
      await expect(guard.reserve(keys, 0.02)).rejects.toThrow(BudgetExceededError);
      (await guard.reserve(keys, 0.01)).release();
    } finally {
      await guard.close();
      await spender.close();
      await other.close();
      await shared.drop();
    }
  });
});

describe('budget guards of two instances on one database', () => {
  it('counts the calls an instance only ingests, before and after it has read the budgets, and across the turn of a day', async () => {
    const shared = await createPgTestSchema();
    const [gateway, ingester] = [await openPostgresStore({ databaseUrl: shared.url }), await openPostgresStore({ databaseUrl: shared.url })];
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    let now = day + 86_400_000 - 10_000;
    const limit: Budget = { id: 'ingested', project_id: 'ingest', name: 'ingested', budget_type: 'daily', amount: 1, scope: 'global', scope_value: null, action: 'alert', is_active: true, created_at: now, updated_at: now };
    await gateway.budgets.insert(limit);
    const watcher = createBudgetGuard(gateway, new LiveEventBus(), { now: () => now });
    const observer = createBudgetGuard(ingester, new LiveEventBus(), { now: () => now });
    const call = (cost: number) => normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: cost, started_at: now }, { projectId: 'ingest', apiKeyId: null });
    try {
      expect((await watcher.status(limit)).current_usage).toBe(0);
      // The ingesting instance has not read the project's budgets: the first calls wait for them.
      observer.observe(call(0.25));
      observer.observe(call(0.125));
      await observer.settled();
      expect((await watcher.status(limit)).current_usage).toBe(0.375);
      now += 86_400_000;
      observer.observe(call(0.5));
      await observer.settled();
      expect((await watcher.status(limit)).current_usage).toBe(0.5);
      // Two days on, with no call in between: the counter is made again, and keeps counting.
      now += 2 * 86_400_000;
      observer.observe(call(0.0625));
      await observer.settled();
      expect((await watcher.status(limit)).current_usage).toBe(0.0625);
    } finally {
      await watcher.close();
      await observer.close();
      await gateway.close();
      await ingester.close();
      await shared.drop();
    }
  });
});

