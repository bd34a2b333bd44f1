// The demo generator: deterministic, valid under the ingestion schema and the accounting
// rules, shaped as configured, and loadable through the API or straight into a store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRecordInputSchema } from '../src/domain/call-record.js';
import { generateDemo } from '../src/demo/generate-demo.js';
import { writeDemoToServer, writeDemoToStore } from '../src/demo/write-demo.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { ADMIN_KEY, startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

const END = Date.UTC(2026, 10, 1);
const options = { calls: 20_000, days: 30, seed: 7, endMs: END };
const all = [...generateDemo(options)];
const calls = all.flatMap((batch) => batch.calls);
const outcomes = all.flatMap((batch) => batch.outcomes);

describe('generateDemo', () => {
  it('makes exactly the requested number of calls, the same for the same seed', () => {
    expect(calls).toHaveLength(20_000);
    const again = [...generateDemo(options)].flatMap((batch) => batch.calls);
    expect(again).toEqual(calls);
    const other = [...generateDemo({ ...options, seed: 8 })].flatMap((batch) => batch.calls);
    expect(other[5]).not.toEqual(calls[5]);
  });

  it('makes records the ingestion schema accepts, within the period, in near time order', () => {
    for (const call of calls) {
      const parsed = callRecordInputSchema.safeParse(call);
      expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
    }
    const starts = calls.map((call) => call.started_at as number);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(END - 30 * 86_400_000);
    expect(Math.max(...starts)).toBeLessThanOrEqual(END + 60_000);
  });

  it('has the configured shape: errors, streaming, fallbacks, cache and reasoning tokens, outcomes', () => {
    const share = (predicate: (call: (typeof calls)[number]) => boolean) => calls.filter(predicate).length / calls.length;
    expect(share((call) => call.status !== 'success')).toBeGreaterThan(0.01);
    expect(share((call) => call.status !== 'success')).toBeLessThan(0.06);
    expect(share((call) => call.is_streaming === true)).toBeGreaterThan(0.42);
    expect(share((call) => call.is_streaming === true)).toBeLessThan(0.48);
    expect(share((call) => call.is_fallback === true)).toBeGreaterThan(0.003);
    expect(share((call) => (call.cached_tokens ?? 0) > 0)).toBeGreaterThan(0.15);
    expect(calls.some((call) => (call.reasoning_tokens ?? 0) > 0)).toBe(true);
    for (const call of calls.filter((c) => c.is_fallback)) {
      const first = calls.find((c) => c.request_id === call.request_id && !c.is_fallback)!;
      expect(first.status).not.toBe('success');
      expect(call.original_provider).toBe(first.provider);
    }
    const decided = calls.filter((call) => call.signal);
    expect(outcomes.length).toBeGreaterThan(decided.length * 0.8);
    const ids = new Set(calls.map((call) => call.id));
    expect(outcomes.every((outcome) => ids.has(outcome.target))).toBe(true);
    const closed = outcomes.filter((outcome) => outcome.status === 'win' || outcome.status === 'loss');
    const winRate = closed.filter((outcome) => outcome.status === 'win').length / closed.length;
    expect(winRate).toBeGreaterThan(0.45);
    expect(winRate).toBeLessThan(0.7);
  });
});

describe('loading the demo', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('through the API stores exactly the generated calls and outcomes, and a re-run adds nothing', async () => {
    const url = await listenOnLoopback(server);
    const small = { calls: 1500, days: 7, seed: 3, endMs: Date.now() };
    const expected = [...generateDemo(small, 500)];
    const totals = await writeDemoToServer({ url, key: ADMIN_KEY }, generateDemo(small, 500));
    expect(totals.calls).toBe(1500);
    expect(totals.outcomes).toBe(expected.flatMap((batch) => batch.outcomes).length);
    await writeDemoToServer({ url, key: ADMIN_KEY }, generateDemo(small, 500));
    expect(await server.store.calls.count('default')).toBe(1500);
    const stored = await server.store.sql.query<{ n: number }>("SELECT count(*) AS n FROM outcomes WHERE id LIKE 'demo-3-o%'");
    expect(stored[0]!.n).toBe(totals.outcomes);
  });

  it('straight into a store is idempotent per seed', async () => {
    const store = await openDuckDbStore({ dataDir: ':memory:' });
    try {
      const small = { calls: 3000, days: 7, seed: 5, endMs: Date.now() };
      const first = await writeDemoToStore(store, generateDemo(small, 1000), { projectId: 'demo' });
      const second = await writeDemoToStore(store, generateDemo(small, 1000), { projectId: 'demo' });
      expect(first.calls).toBe(3000);
      expect(second.outcomes).toBe(0);
      expect(await store.calls.count('demo')).toBe(3000);
    } finally {
      await store.close();
    }
  });
});
