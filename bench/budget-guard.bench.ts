// What budget enforcement costs a gateway call on a shared PostgreSQL store, against baselines
// measured in the same run: a bare `SELECT 1` round trip on the same pool (the floor for one
// database step) and the embedded store's in-memory guard. Sequential: one reserve + settle at
// a time (the latency a call sees before going upstream). Concurrent: three guards with their
// own pools (three instances) reserving against one block budget, 64 calls in flight.
// Loopback PostgreSQL only; bounded in count. Needs LOUPE_TEST_DATABASE_URL or the local test
// database (scripts/ensure-postgres.sh).
// Usage: npx tsx bench/budget-guard.bench.ts [sequential=2000] [concurrent=6000]
import { loadavg } from 'node:os';
import { createBudgetGuard } from '../src/budgets/create-budget-guard.js';
import type { BudgetGuard, BudgetScopeKeys } from '../src/budgets/budget-guard.js';
import type { Budget } from '../src/domain/budget.js';
import { LiveEventBus } from '../src/live/event-bus.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/ports.js';
import { createPgTestSchema } from '../test/helpers/pg-test-database.js';
import { percentile } from './timing.js';

const SEQUENTIAL = Number(process.argv[2] ?? 2000);
const CONCURRENT = Number(process.argv[3] ?? 6000);
const IN_FLIGHT = 64;

const keys = (projectId: string): BudgetScopeKeys => ({ projectId, provider: 'openai', model: 'gpt-4o', userId: null, apiKeyId: null, tags: [] });

function budget(projectId: string): Budget {
  const now = Date.now();
  // Large enough never to refuse: every reservation runs the whole check.
  return { id: `bench-${projectId}`, project_id: projectId, name: 'bench', budget_type: 'monthly', amount: 1e6, scope: 'global', scope_value: null, action: 'block', is_active: true, created_at: now, updated_at: now };
}

/** Times `task` alone; `after` (untimed) runs between calls, e.g. waiting for the give-back. */
async function sequential(task: () => Promise<unknown>, after: () => Promise<unknown> = async () => undefined): Promise<number[]> {
  for (let i = 0; i < 50; i++) await task().then(after);
  const durations: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = performance.now();
    await task();
    durations.push(performance.now() - started);
    await after();
  }
  return durations;
}

async function reserveAndSettle(guard: BudgetGuard, projectId: string): Promise<void> {
  const reservation = await guard.reserve(keys(projectId), 0.001);
  reservation.settle(0.0005);
}

/** Calls per second with IN_FLIGHT workers spread over the guards. */
async function throughput(workers: (() => Promise<unknown>)[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, worker) => {
    const task = workers[worker % workers.length]!;
    while (next++ < CONCURRENT) await task();
  }));
  return CONCURRENT / ((performance.now() - started) / 1000);
}

const row = (name: string, durations: number[], floor: number) =>
  `| ${name} | ${percentile(durations, 0.5).toFixed(3)} | ${percentile(durations, 0.99).toFixed(3)} | ${(percentile(durations, 0.5) / floor).toFixed(2)}× |`;

async function main(): Promise<void> {
  const schema = await createPgTestSchema();
  const stores: Store[] = [];
  const guards: BudgetGuard[] = [];
  try {
    for (let i = 0; i < 3; i++) stores.push(await openPostgresStore({ databaseUrl: schema.url }));
    const duck = await openDuckDbStore({ dataDir: ':memory:' });
    stores.push(duck);
    const [pg0, pg1, pg2] = stores as [Store, Store, Store];
    await pg0.budgets.insert(budget('guarded'));
    await duck.budgets.insert(budget('guarded'));
    for (const store of [pg0, pg1, pg2, duck]) guards.push(createBudgetGuard(store, new LiveEventBus()));
    const [shared0, shared1, shared2, memory] = guards as [BudgetGuard, BudgetGuard, BudgetGuard, BudgetGuard];

    const roundTrip = await sequential(() => pg0.sql.query('SELECT 1 AS one'));
    const noBudget = await sequential(() => reserveAndSettle(shared0, 'unguarded'));
    // The previous call's give-back is written before the next reserve is timed: a reserve
    // otherwise waits for it (the same instance never refuses a client for its last call).
    const sharedBudget = await sequential(() => reserveAndSettle(shared0, 'guarded'), () => shared0.settled());
    const sharedBudgetBackToBack = await sequential(() => reserveAndSettle(shared0, 'guarded'));
    const memoryBudget = await sequential(() => reserveAndSettle(memory, 'guarded'));
    await shared0.settled();
    const floor = percentile(roundTrip, 0.5);

    const selectRate = await throughput([() => pg0.sql.query('SELECT 1 AS one'), () => pg1.sql.query('SELECT 1 AS one'), () => pg2.sql.query('SELECT 1 AS one')]);
    const reserveRate = await throughput([shared0, shared1, shared2].map((guard) => () => reserveAndSettle(guard, 'guarded')));
    for (const guard of guards) await guard.settled();

    console.log(`load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}; ${SEQUENTIAL} sequential calls each, ${CONCURRENT} concurrent (${IN_FLIGHT} in flight over 3 instances)`);
    console.log('| sequential, per call | p50 ms | p99 ms | p50 ÷ SELECT 1 |');
    console.log('|---|---|---|---|');
    console.log(row('PostgreSQL `SELECT 1` round trip (floor)', roundTrip, floor));
    console.log(row('shared guard, no budget applies', noBudget, floor));
    console.log(row('shared guard, block budget: reserve', sharedBudget, floor));
    console.log(row('shared guard, block budget: reserve right after the previous call ended', sharedBudgetBackToBack, floor));
    console.log(row('in-memory guard (DuckDB), block budget', memoryBudget, floor));
    console.log(`concurrent: SELECT 1 ${selectRate.toFixed(0)}/s; reserve + settle on one budget ${reserveRate.toFixed(0)}/s (${(reserveRate / selectRate).toFixed(2)}× SELECT 1)`);
  } finally {
    for (const guard of guards) await guard.close();
    for (const store of stores) await store.close();
    await schema.drop();
  }
}

await main();
