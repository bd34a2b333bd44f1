// PostgreSQL's rollups behind a queue: figures read from rollups count every call exactly once
// whether its batch is queued, being folded or folded; a rebuild that runs while batches wait
// counts only the folded calls; every row is queued for the folder and those with text for
// search; a call deleted while queued and written again under its id is folded once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/domain/call-record.js';
import { runTotals } from '../src/analytics/metrics/run-query.js';
import { chooseRollupSegments, rollupsWhereverTheyFit } from '../src/analytics/rollups/rollup-plan.js';
import { ROLLUP_QUEUE_TABLE } from '../src/analytics/rollups/rollup-schema.js';
import { refreshPgStatements } from '../src/store/postgres/member-rollups.js';
import { createPgPool, inTransaction } from '../src/store/postgres/pg-pool.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { CallFilters, CallWrite, Store } from '../src/store/ports.js';
import { createPgTestSchema, foldPgRollups, type PgTestSchema } from './helpers/pg-test-database.js';
import { EXPECTED } from './helpers/expected-metrics.js';

const P = 'queue';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D0 = Date.UTC(2026, 9, 5);
/** Whole days and hours in the middle, so every call below is read through a rollup segment. */
const RANGE: CallFilters = { projectId: P, from: D0 - 2 * HOUR, to: D0 + 2 * DAY + 3 * HOUR };

function call(i: number, startedAt: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: `q-${i}`, request_id: `q-${i}`, project_id: P, trace_id: null, parent_id: null, started_at: startedAt, ended_at: null,
    latency_ms: 100 + (i % 50) * 13, ttft_ms: i % 2 ? 40 + i % 7 : null, tokens_per_second: null, provider: ['openai', 'anthropic'][i % 2]!, model: ['m1', 'm2', 'm3'][i % 3]!,
    response_model: null, endpoint: null, is_streaming: false, finish_reason: null, params: null, status: i % 6 === 5 ? 'error' : 'success', http_status: 200,
    error_type: null, error_message: null, prompt_tokens: 10 + i, completion_tokens: 5 + (i % 11), total_tokens: 15 + i + (i % 11), cached_tokens: 0,
    cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: i % 10 === 3 ? null : (i % 17) / 1000 + 0.0005, input_cost_usd: null,
    output_cost_usd: null, price_source: i % 10 === 3 ? 'unknown' : 'catalog', is_fallback: false, original_provider: null, attempt: 1, cache_hit: false,
    tool_calls_count: 0, api_key_id: null, user_id: `u-${i % 13}`, session_id: `s-${i % 41}`, agent: null, conversation_name: null, account_id: null,
    tags: [], properties: {}, confidence: null, signal: null, input: null, output: null, ...overrides,
  };
}

const write = (c: CallRecord): CallWrite => ({ call: c, bodyHash: `h-${c.id}-${c.cost_usd}`, clientId: true });
/** Calls spread over the range's whole hours and days. */
const batch = (from: number, count: number) => Array.from({ length: count }, (_, k) => call(from + k, D0 + ((from + k) * 7_919_000) % (2 * DAY)));
const METRICS = ['requests', 'cost', 'total_tokens', 'unpriced_calls', 'errors', 'unique_users', 'sessions'] as const;

describe('rollups behind a queue on PostgreSQL', () => {
  let schema: PgTestSchema;
  let store: Store;
  let calls: CallRecord[] = [];
  const queued = async () => Number((await store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${ROLLUP_QUEUE_TABLE}`))[0]!.n);

  async function expectExact(label: string): Promise<void> {
    const reader = rollupsWhereverTheyFit(store.sql);
    const read = await chooseRollupSegments(reader, { metrics: [...METRICS], dimensions: [], filters: RANGE });
    expect(read?.segments.some((segment) => segment.grain === 'day'), label).toBe(true);
    const totals = await runTotals(reader, { metrics: [...METRICS], filters: RANGE });
    for (const metric of METRICS) {
      const expected = EXPECTED[metric](calls)!;
      if (metric === 'cost') expect(Math.abs(Number(totals.cost) - expected), `${label}: cost`).toBeLessThan(1e-9);
      else expect(totals[metric], `${label}: ${metric}`).toBe(expected);
    }
  }

  beforeAll(async () => {
    schema = await createPgTestSchema();
    // No timed folds: the test decides when calls are folded.
    store = await openPostgresStore({ databaseUrl: schema.url, rollupFoldIntervalMs: 0 });
    await store.projects.ensure(P, 'Queue');
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  it('counts queued calls, then the same calls folded, exactly once', async () => {
    for (let i = 0; i < 3; i++) {
      const next = batch(i * 200, 200);
      await store.calls.insertBatch(next.map(write));
      calls = [...calls, ...next];
    }
    expect(await queued()).toBe(3);
    await expectExact('all queued');
    await foldPgRollups(schema.url);
    expect(await queued()).toBe(0);
    await expectExact('all folded');
    const more = batch(600, 150);
    await store.calls.insertBatch(more.map(write));
    calls = [...calls, ...more];
    await expectExact('folded and queued');
  });

  it('a rebuild while batches wait counts only the folded calls, so none is counted twice', async () => {
    expect(await queued()).toBe(1);
    // As a delete's rebuild does when a batch commits after its fold: the queue is not drained first.
    const pool = createPgPool({ connectionString: schema.url, max: 1 });
    try {
      await inTransaction(pool, async (client) => {
        for (const statement of refreshPgStatements({ projectId: P })) await client.query(statement.sql, statement.params);
      });
    } finally {
      await pool.end();
    }
    expect(await queued()).toBe(1);
    await expectExact('rebuilt beside a queued batch');
    await foldPgRollups(schema.url);
    await expectExact('rebuilt, then folded');
  });

  it('queues every row of a batch for the folder, and those with prompt or response text for search', async () => {
    const mixed = batch(900, 6).map((c, k) => (k % 2 === 0 ? { ...c, input: [{ role: 'user', content: `question ${k}` }] } : c));
    await store.calls.insertBatch(mixed.map(write));
    calls = [...calls, ...mixed];
    const [rollup] = await store.sql.query<{ ids: string[] }>(`SELECT ids FROM ${ROLLUP_QUEUE_TABLE} ORDER BY batch DESC LIMIT 1`);
    const [search] = await store.sql.query<{ ids: string[] }>('SELECT ids FROM call_search_pending ORDER BY batch DESC LIMIT 1');
    expect(rollup!.ids).toEqual(mixed.map((c) => c.id));
    expect(search!.ids).toEqual(mixed.filter((_, k) => k % 2 === 0).map((c) => c.id));
    await expectExact('a batch with and without text');
  });

  it('folds a call deleted while queued and written again under its id once', async () => {
    const again = batch(800, 20);
    await store.calls.insertBatch(again.map(write));
    const [gone] = again;
    expect(await store.calls.deleteByIds(P, [gone!.id])).toBe(1);
    // The same id and time with another cost: a new call.
    const back = { ...gone!, cost_usd: 0.25 };
    await store.calls.insertBatch([write(back)]);
    calls = [...calls, ...again.slice(1), back];
    await expectExact('written again, queued');
    await foldPgRollups(schema.url);
    await expectExact('written again, folded');
  });
});
