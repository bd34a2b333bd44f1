// The guard alone: reservations come back exactly, spend follows recorded costs, and the
// 80% / 100% crossings are announced once each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveEventBus, type LiveEvent } from '../live/event-bus.js';
import { normalizeCall } from '../domain/normalize-call.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/ports.js';
import { BudgetExceededError, BudgetGuard } from './budget-guard.js';

let store: Store;
beforeAll(async () => {
  store = await openDuckDbStore({ dataDir: ':memory:' });
});
afterAll(async () => {
  await store.close();
});

const keys = { projectId: 'p', provider: 'openai', model: 'gpt-4o', userId: null, apiKeyId: null, tags: [] };

describe('BudgetGuard', () => {
  it('has no drift after 10,000 reserve / record / release cycles, and announces 80% and 100% once', async () => {
    const bus = new LiveEventBus();
    const events: LiveEvent[] = [];
    bus.subscribe('p', (event) => events.push(event));
    const now = Date.now();
    await store.budgets.insert({ id: 'b1', project_id: 'p', name: 'month', budget_type: 'monthly', amount: 40, scope: 'model', scope_value: 'gpt-4o', action: 'alert', is_active: true, created_at: now, updated_at: now });
    const guard = new BudgetGuard(store, bus);
    let expected = 0;
    for (let i = 0; i < 10_000; i++) {
      const reservation = await guard.reserve(keys, 0.05);
      const cost = ((i * 7919) % 1000) / 100_000;
      expected += cost;
      guard.observe(normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: cost }, { projectId: 'p', apiKeyId: null }));
      reservation.release();
      reservation.release();
    }
    const status = await guard.status((await store.budgets.get('p', 'b1'))!);
    expect(status.reserved).toBeCloseTo(0, 9);
    expect(status.current_usage).toBeCloseTo(expected, 9);
    const crossings = events.filter((event) => event.type === 'budget_exceeded').map((event) => (event.data as { threshold: number }).threshold);
    expect(expected).toBeGreaterThan(40);
    expect(crossings).toEqual([0.8, 1]);
  });

  it('refuses a block budget that is already spent, naming it', async () => {
    const now = Date.now();
    await store.budgets.insert({ id: 'b2', project_id: 'q', name: 'hard stop', budget_type: 'total', amount: 1, scope: 'global', scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now });
    const guard = new BudgetGuard(store, new LiveEventBus());
    const qKeys = { ...keys, projectId: 'q' };
    const first = await guard.reserve(qKeys, 0.6);
    await expect(guard.reserve(qKeys, 0.6)).rejects.toThrow(BudgetExceededError);
    first.release();
    guard.observe(normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: 1 }, { projectId: 'q', apiKeyId: null }));
    await expect(guard.reserve(qKeys, null)).rejects.toThrow(/hard stop/);
  });
});
