// The guard of each engine alone: reservations come back exactly, spend follows recorded
// costs, and the 80% / 100% crossings are announced once each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from '../../test/helpers/pg-test-database.js';
import { LiveEventBus, type LiveEvent } from '../live/event-bus.js';
import { normalizeCall } from '../domain/normalize-call.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/ports.js';
import { BudgetExceededError } from './budget-guard.js';
import { createBudgetGuard } from './create-budget-guard.js';
import { MemoryBudgetGuard } from './memory-budget-guard.js';
import { SharedBudgetGuard } from './shared-budget-guard.js';

describe.each(['duckdb', 'postgres'] as const)('the budget guard on %s', (engine) => {
  let store: Store;
  let schema: PgTestSchema | null = null;
  beforeAll(async () => {
    schema = engine === 'postgres' ? await createPgTestSchema() : null;
    store = schema ? await openPostgresStore({ databaseUrl: schema.url }) : await openDuckDbStore({ dataDir: ':memory:' });
  });
  afterAll(async () => {
    await store.close();
    await schema?.drop();
  });
  const CYCLES = engine === 'postgres' ? 1_000 : 10_000;

  const keys = { projectId: 'p', provider: 'openai', model: 'gpt-4o', userId: null, apiKeyId: null, tags: [] };

  describe('createBudgetGuard', () => {
    it('keeps budgets in memory on DuckDB and in the database on PostgreSQL', async () => {
      const guard = createBudgetGuard(store, new LiveEventBus());
      expect(guard).toBeInstanceOf(engine === 'postgres' ? SharedBudgetGuard : MemoryBudgetGuard);
      await guard.close();
    });

    it(`has no drift after ${CYCLES} reserve / record / release cycles, and announces 80% and 100% once`, async () => {
      const bus = new LiveEventBus();
      const events: LiveEvent[] = [];
      bus.subscribe('p', (event) => events.push(event));
      const now = Date.now();
      await store.budgets.insert({ id: 'b1', project_id: 'p', name: 'month', budget_type: 'monthly', amount: CYCLES / 250, scope: 'model', scope_value: 'gpt-4o', action: 'alert', is_active: true, created_at: now, updated_at: now });
      const guard = createBudgetGuard(store, bus);
      let expected = 0;
      for (let i = 0; i < CYCLES; i++) {
        const reservation = await guard.reserve(keys, 0.05);
        const cost = ((i * 7919) % 1000) / 100_000;
        expected += cost;
        guard.observe(normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: cost }, { projectId: 'p', apiKeyId: null }));
        reservation.release();
        reservation.release();
      }
      await guard.settled();
      const status = await guard.status((await store.budgets.get('p', 'b1'))!);
      expect(status.reserved).toBeCloseTo(0, 9);
      expect(status.current_usage).toBeCloseTo(expected, 9);
      const crossings = events.filter((event) => event.type === 'budget_exceeded').map((event) => (event.data as { threshold: number }).threshold);
      expect(expected).toBeGreaterThan(CYCLES / 250);
      expect(crossings).toEqual([0.8, 1]);
      await guard.close();
    });

    it('refuses a block budget that is already spent, naming it', async () => {
      const now = Date.now();
      await store.budgets.insert({ id: 'b2', project_id: 'q', name: 'hard stop', budget_type: 'total', amount: 1, scope: 'global', scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now });
      const guard = createBudgetGuard(store, new LiveEventBus());
      const qKeys = { ...keys, projectId: 'q' };
      const first = await guard.reserve(qKeys, 0.6);
      await expect(guard.reserve(qKeys, 0.6)).rejects.toThrow(BudgetExceededError);
      first.release();
      guard.observe(normalizeCall({ provider: 'openai', model: 'gpt-4o', cost_usd: 1 }, { projectId: 'q', apiKeyId: null }));
      await guard.settled();
      await expect(guard.reserve(qKeys, null)).rejects.toThrow(/hard stop/);
      await guard.close();
    });
  });
});
