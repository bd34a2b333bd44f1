// The shared guard when a call's hold is given back while the next call's question is in the
// database: the ledger is PostgreSQL's own, with the order of its answers forced.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from '../../test/helpers/pg-test-database.js';
import { LiveEventBus } from '../live/event-bus.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { BudgetLedger, Store } from '../store/ports.js';
import { SharedBudgetGuard } from './shared-budget-guard.js';

let store: Store;
let schema: PgTestSchema;
beforeAll(async () => {
  schema = await createPgTestSchema();
  store = await openPostgresStore({ databaseUrl: schema.url });
});
afterAll(async () => {
  await store.close();
  await schema.drop();
});

it('admits a call whose refusal was decided before the previous call\'s give-back landed', async () => {
  const now = Date.now();
  await store.budgets.insert({ id: 'one', project_id: 'p', name: 'one call', budget_type: 'total', amount: 0.006, scope: 'global', scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now });
  const real = store.budgets.ledger!;
  let openSettle: () => void = () => undefined;
  const settleMayGo = new Promise<void>((resolve) => (openSettle = resolve));
  let racing = false;
  let settled: Promise<unknown> = Promise.resolve();
  let order: string[] = [];
  // The give-back waits until the next question was answered, and that answer reaches the
  // guard only after the give-back was written: the question saw the hold, the guard sees none.
  const ledger: BudgetLedger = {
    ensurePeriod: (key, spent) => real.ensurePeriod(key, spent),
    extend: (ids, ms) => real.extend(ids, ms),
    usage: (key) => real.usage(key),
    usages: (keys) => real.usages(keys),
    settle: (holdId, increments) => {
      settled = settleMayGo.then(() => real.settle(holdId, increments)).finally(() => order.push('settled'));
      return settled as ReturnType<BudgetLedger['settle']>;
    },
    reserve: async (holdId, keys, amount, ttl) => {
      const answer = await real.reserve(holdId, keys, amount, ttl);
      order.push(answer ? 'refused' : 'held');
      if (racing) {
        racing = false;
        openSettle();
        await settled;
      }
      return answer;
    },
  };
  const guard = new SharedBudgetGuard(store, ledger, new LiveEventBus());
  const keys = { projectId: 'p', provider: 'openai', model: 'gpt-4o', userId: null, apiKeyId: null, tags: [] };
  const first = await guard.reserve(keys, 0.005);
  order = [];
  racing = true;
  first.release();
  const second = await guard.reserve(keys, 0.005);
  expect(order).toEqual(['refused', 'settled', 'held']);
  second.release();
  await guard.close();
  const usage = await real.usage({ budgetId: 'one', periodStart: 0 });
  expect(usage).toEqual({ spentNanos: 0, heldNanos: 0 });
});
