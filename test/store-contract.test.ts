// The store contract: every repository method and every metric, on the embedded DuckDB store
// and on PostgreSQL, against values computed here from the rows written. PostgreSQL comes
// from scripts/ensure-postgres.sh (or DATABASE_URL); when it cannot be reached these tests
// fail, they are never skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/domain/call-record.js';
import type { OutcomeRecord } from '../src/domain/outcome.js';
import { runMetrics } from '../src/analytics/metrics/run-query.js';
import { METRICS, type MetricName } from '../src/analytics/metrics/definitions.js';
import { EXPECTED } from './helpers/expected-metrics.js';
import type { CallWrite, LogSortColumn, Store } from '../src/store/ports.js';
import { LOG_SORT_COLUMNS } from '../src/store/ports.js';
import { hashKeySecret, keyPrefix } from '../src/auth/api-key-secret.js';
import { applyRetention, retentionCutoff } from '../src/store/retention.js';
import { listSessions, type SessionListQuery, type SessionPick } from '../src/sessions/session-query.js';
import { startTestServer, type TestEngine, type TestServer } from './helpers/test-server.js';

const ENGINES: TestEngine[] = ['duckdb', 'postgres'];
const P = 'contract';
const T0 = Date.UTC(2026, 10, 1, 12);
const MIN = 60_000;

function makeCall(i: number, overrides: Partial<CallRecord> = {}): CallRecord {
  const failed = i % 7 === 3;
  const prompt = 100 + i * 3;
  const completion = 20 + (i % 5) * 10;
  const cached = i % 4 === 0 ? 10 : 0;
  return {
    id: `call-${String(i).padStart(3, '0')}`, request_id: `req-${i}`, project_id: P, trace_id: i % 3 === 0 ? `trace-${i % 9}` : null, parent_id: null,
    started_at: T0 + i * 7 * MIN + (i % 2) * 333, ended_at: T0 + i * 7 * MIN + 1000 + i,
    latency_ms: i % 11 === 5 ? null : 150 + ((i * 137) % 2400), ttft_ms: i % 2 === 0 ? 40 + i : null, tokens_per_second: i % 3 === 1 ? 10 + i / 2 : null,
    provider: i % 3 === 0 ? 'openai' : i % 3 === 1 ? 'anthropic' : 'ollama', model: ['gpt-a', 'claude-b', 'llama-c', 'gpt-d'][i % 4]!,
    response_model: null, endpoint: i % 2 ? '/v1/chat/completions' : '/v1/embeddings', is_streaming: i % 2 === 0, finish_reason: failed ? null : 'stop',
    params: { temperature: (i % 3) / 2 }, status: failed ? 'error' : i % 13 === 6 ? 'timeout' : 'success', http_status: failed ? 500 : 200,
    error_type: failed ? (i % 2 ? 'server_error' : 'rate_limit') : null, error_message: failed ? `upstream ${i % 2 ? 500 : 429}` : null,
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, cached_tokens: cached, cache_write_tokens: 0,
    reasoning_tokens: i % 6 === 0 ? 5 : 0, usage_source: 'provider',
    cost_usd: i % 9 === 4 ? null : (i + 1) * 0.00125, input_cost_usd: i % 9 === 4 ? null : (i + 1) * 0.001, output_cost_usd: i % 9 === 4 ? null : (i + 1) * 0.00025,
    price_source: i % 9 === 4 ? 'unknown' : i % 10 === 0 ? 'reported' : 'catalog', is_fallback: i % 8 === 7, original_provider: i % 8 === 7 ? 'openai' : null,
    attempt: 1 + (i % 8 === 7 ? 1 : 0), cache_hit: false, tool_calls_count: i % 5 === 0 ? 2 : 0, api_key_id: null,
    user_id: i % 6 === 5 ? null : `user-${i % 4}`, session_id: i % 5 === 4 ? null : `sess-${i % 6}`, agent: i % 2 ? 'planner' : 'writer',
    conversation_name: null, account_id: `acct-${i % 2}`, tags: i % 3 === 0 ? ['prod', 'batch'] : ['prod'], properties: { symbol: i % 3 ? 'AAPL' : 'TSLA', desk: `d${i % 2}` },
    confidence: i % 4 === 1 ? 0.25 + (i % 3) / 4 : null, signal: i % 4 === 1 ? 'buy' : null,
    input: { messages: [{ role: 'user', content: `question ${i}: ${i % 10 === 0 ? 'Find the Needle "quoted"' : 'plain hay'}` }] },
    output: { role: 'assistant', content: i % 15 === 7 ? 'the NEEDLE is here' : `answer ${i}` },
    ...overrides,
  };
}

const CALLS = Array.from({ length: 60 }, (_, i) => makeCall(i));
const write = (call: CallRecord, bodyHash = `h-${call.id}`): CallWrite => ({ call, bodyHash, clientId: true });

function expectNumber(actual: unknown, expected: number | null, label: string): void {
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  expect(typeof actual === 'number' ? actual : Number(actual), label).toBeCloseTo(expected, 9);
}

/** The order the logs list must produce for a sort column (nulls of numeric columns as -1). */
function sortValue(call: CallRecord, column: LogSortColumn): number | string {
  const value = call[column as keyof CallRecord];
  if (value === null) return -1;
  return value as number | string;
}
function expectedOrder(rows: CallRecord[], column: LogSortColumn, order: 'asc' | 'desc'): string[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...rows]
    .sort((a, b) => {
      const x = sortValue(a, column);
      const y = sortValue(b, column);
      if (x !== y) return (x < y ? -1 : 1) * sign;
      return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
    })
    .map((call) => call.id);
}

describe.each(ENGINES)('store contract on %s', (engine) => {
  let server: TestServer;
  let store: Store;

  beforeAll(async () => {
    server = await startTestServer({}, engine);
    store = server.store;
    expect(store.kind).toBe(engine);
    await store.projects.ensure(P, 'Contract');
    const outcomes = await store.calls.insertBatch(CALLS.map((call) => write(call)));
    expect(outcomes).toEqual(CALLS.map(() => 'created'));
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('calls', () => {
    it('round-trips every field of a call through get', async () => {
      for (const call of [CALLS[0]!, CALLS[3]!, CALLS[5]!, CALLS[10]!]) expect(await store.calls.get(P, call.id)).toEqual(call);
      expect(await store.calls.get('other-project', CALLS[0]!.id)).toBeNull();
      expect(await store.calls.get(P, 'missing')).toBeNull();
    });

    it('round-trips text that bulk-load formats must escape, and numbers at full precision', async () => {
      const awkward = 'tab\there\nnew line\r\nback\\slash \\N quote" comma, {brace} é ✓';
      const escapes = makeCall(900, {
        id: 'escape-1', project_id: 'contract-escapes', error_message: awkward, user_id: '\\N', agent: '', session_id: 'NULL',
        tags: ['a,b', 'quote"d', 'back\\slash', '{brace}', 'sp ace', '', 'NULL'], properties: { note: awkward, nested: { n: 1 } },
        latency_ms: 0.1 + 0.2, cost_usd: 1.234e-9, input_cost_usd: 123456789.125, confidence: 1 / 3,
      });
      const empty = makeCall(901, { id: 'escape-2', project_id: 'contract-escapes', tags: [], input: awkward, output: null, params: null });
      const input = [{ role: 'user', content: awkward }];
      const prepared: CallWrite = { ...write({ ...escapes, input }), inputJson: JSON.stringify(input), outputJson: null };
      expect(await store.calls.insertBatch([prepared, write(empty)])).toEqual(['created', 'created']);
      expect(await store.calls.get('contract-escapes', 'escape-1')).toEqual({ ...escapes, input, output: null });
      expect(await store.calls.get('contract-escapes', 'escape-2')).toEqual(empty);
    });

    it('insertBatch: same id and body is a duplicate, another body a conflict, repeats within a batch too', async () => {
      const fresh = makeCall(500, { started_at: T0 - 40 * 86_400_000 });
      const result = await store.calls.insertBatch([
        write(CALLS[1]!), write(CALLS[2]!, 'another body'), write(fresh), write(fresh), write(fresh, 'changed'),
      ]);
      expect(result).toEqual(['duplicate', 'conflict', 'created', 'duplicate', 'conflict']);
      expect(await store.calls.get(P, fresh.id)).toEqual(fresh);
      expect(await store.calls.count(P)).toBe(61);
      expect(await store.calls.deleteByIds(P, [fresh.id, 'missing'])).toBe(1);
      expect(await store.calls.count(P)).toBe(60);
      // A deleted id may be written again.
      expect(await store.calls.insertBatch([write(fresh)])).toEqual(['created']);
      expect(await store.calls.deleteByIds('other-project', [fresh.id])).toBe(0);
      expect(await store.calls.deleteByIds(P, [fresh.id])).toBe(1);
      expect(await store.calls.insertBatch([])).toEqual([]);
    });

    it.each(LOG_SORT_COLUMNS.flatMap((column) => (['asc', 'desc'] as const).map((order) => [column, order] as const)))(
      'list sorted by %s %s pages every row exactly once by cursor',
      async (sort, order) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = await store.calls.list({ filters: { projectId: P }, sort, order, limit: 7, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((item) => item.id));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(expectedOrder(CALLS, sort, order));
      },
    );

    it('list by page number with a total, without content columns', async () => {
      const page = await store.calls.list({ filters: { projectId: P }, sort: 'started_at', order: 'desc', limit: 25, page: 3, withTotal: true });
      expect(page.total).toBe(60);
      expect(page.items.map((item) => item.id)).toEqual(expectedOrder(CALLS, 'started_at', 'desc').slice(50));
      expect(page.items[0]).not.toHaveProperty('input');
      expect(page.items[0]).not.toHaveProperty('body_hash');
      expect(page.items[0]!.tags).toEqual(CALLS.find((call) => call.id === page.items[0]!.id)!.tags);
      await expect(store.calls.list({ filters: { projectId: P }, sort: 'started_at', order: 'desc', limit: 5, cursor: 'garbage' })).rejects.toThrow(/cursor/);
    });

    const FILTERS: [string, Record<string, unknown>, (call: CallRecord) => boolean][] = [
      ['time range', { from: T0 + 60 * MIN, to: T0 + 200 * MIN }, (c) => c.started_at >= T0 + 60 * MIN && c.started_at < T0 + 200 * MIN],
      ['providers', { provider: ['openai', 'ollama'] }, (c) => c.provider === 'openai' || c.provider === 'ollama'],
      ['model', { model: ['claude-b'] }, (c) => c.model === 'claude-b'],
      ['statuses', { status: ['error', 'timeout'] }, (c) => c.status !== 'success'],
      ['user', { userId: 'user-2' }, (c) => c.user_id === 'user-2'],
      ['session', { sessionId: 'sess-1' }, (c) => c.session_id === 'sess-1'],
      ['agent', { agent: 'planner' }, (c) => c.agent === 'planner'],
      ['tag', { tag: 'batch' }, (c) => c.tags.includes('batch')],
      ['account', { accountId: 'acct-1' }, (c) => c.account_id === 'acct-1'],
      ['properties', { properties: { symbol: 'AAPL', desk: 'd0' } }, (c) => c.properties.symbol === 'AAPL' && c.properties.desk === 'd0'],
      ['search, any case, in prompt or response', { search: 'needle' }, (c) => /needle/i.test(JSON.stringify(c.input) + JSON.stringify(c.output))],
      ['search with a quote', { search: 'Needle "quoted' }, (c) => JSON.stringify(c.input).includes('Needle \\"quoted')],
      ['search with LIKE wildcards taken literally', { search: 'hay%_' }, () => false],
    ];
    it.each(FILTERS)('list and count filter by %s', async (_label, extra, keep) => {
      const expected = CALLS.filter(keep);
      expect(expected.length === 0 || expected.length < CALLS.length).toBe(true);
      const page = await store.calls.list({ filters: { projectId: P, ...extra }, sort: 'started_at', order: 'desc', limit: 100, withTotal: true });
      expect(page.items.map((item) => item.id)).toEqual(expectedOrder(expected, 'started_at', 'desc'));
      expect(page.total).toBe(expected.length);
    });

    it('reprice: token rates and local rates, calls with a reported cost left alone', async () => {
      const model = 'gpt-d';
      const inRange = CALLS.filter((c) => c.model === model && c.started_at >= T0 + 100 * MIN);
      const changed = await store.calls.reprice({
        projectId: P, model, from: T0 + 100 * MIN,
        rates: { kind: 'tokens', source: 'override', inputPerToken: 2e-6, cacheReadPerToken: 1e-6, cacheWritePerToken: 3e-6, outputPerToken: 8e-6 },
      });
      const repriced = inRange.filter((c) => c.price_source !== 'reported');
      expect(changed).toBe(repriced.length);
      for (const call of inRange) {
        const stored = (await store.calls.get(P, call.id))!;
        if (call.price_source === 'reported') {
          expect(stored.cost_usd).toBe(call.cost_usd);
          continue;
        }
        const input = (call.prompt_tokens - call.cached_tokens) * 2e-6 + call.cached_tokens * 1e-6;
        expect(stored.input_cost_usd).toBeCloseTo(input, 12);
        expect(stored.cost_usd).toBeCloseTo(input + call.completion_tokens * 8e-6, 12);
        expect(stored.price_source).toBe('override');
      }
      const local = CALLS.filter((c) => c.model === 'llama-c' && c.price_source !== 'reported');
      expect(await store.calls.reprice({ projectId: P, model: 'llama-c', rates: { kind: 'local', perHour: 0.36 } })).toBe(local.length);
      for (const call of local.slice(0, 3)) {
        const stored = (await store.calls.get(P, call.id))!;
        expect(stored.cost_usd).toBeCloseTo(((call.latency_ms ?? 0) / 3_600_000) * 0.36, 12);
        expect(stored.input_cost_usd).toBeNull();
        expect(stored.price_source).toBe('local');
      }
      // Put the original costs back for the metric tests below.
      await store.calls.deleteByIds(P, [...repriced, ...local].map((c) => c.id));
      expect(await store.calls.insertBatch([...repriced, ...local].map((c) => write(c)))).toEqual([...repriced, ...local].map(() => 'created'));
    });
  });

  describe('sessions list', () => {
    type Query = Omit<SessionListQuery, 'pick' | 'cursor'>;
    const pages = async (query: Query, pick: SessionPick) => {
      const items = [];
      let cursor: string | null = null;
      do {
        const page = await listSessions(store.sql, { ...query, pick, ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && items.length < 100);
      return items;
    };

    it.each<[string, Query]>([
      ['newest first since an hour', { filters: { projectId: P, from: T0 + 3 * 60 * MIN }, sort: 'start', order: 'desc', limit: 2 }],
      ['by cost, within bounds, in a window', { filters: { projectId: P, from: T0 + 60 * MIN, to: T0 + 4 * 60 * MIN }, sort: 'cost', order: 'desc', limit: 2, minCost: 0.01, maxCost: 0.2 }],
      ['by duration for one agent', { filters: { projectId: P, from: T0, agent: 'planner' }, sort: 'duration', order: 'asc', limit: 3 }],
      ['by calls for one user since five hours', { filters: { projectId: P, from: T0 + 5 * 60 * MIN, userId: 'user-1' }, sort: 'calls', order: 'desc', limit: 1 }],
    ])('%s: the same pages whichever way the sessions are found', async (_label, query) => {
      const scanned = await pages(query, 'scan');
      expect(await pages(query, 'candidates')).toEqual(scanned);
      // The sessions are those with a call matching the filters; the figures cover each whole session.
      const from = query.filters.from!;
      const to = query.filters.to ?? Infinity;
      const matching = new Set((await store.calls.list({ filters: query.filters, sort: 'started_at', order: 'desc', limit: 1000 } as never)).items.map((call) => call.session_id).filter((id): id is string => id !== null));
      const bounded = [...matching].filter((id) => {
        const cost = CALLS.filter((call) => call.session_id === id).reduce((sum, call) => sum + (call.cost_usd ?? 0), 0);
        return (query.minCost === undefined || cost >= query.minCost - 1e-9) && (query.maxCost === undefined || cost <= query.maxCost + 1e-9);
      });
      expect(bounded.length).toBeGreaterThan(0);
      expect(scanned.map((session) => session.session_id).sort()).toEqual(bounded.sort());
      expect(from).toBeLessThan(to);
    });
  });

  describe('metrics', () => {
    const names = Object.keys(METRICS) as MetricName[];

    it('every metric over all calls equals the value computed from the rows', async () => {
      const [row] = await runMetrics(store.sql, { metrics: names, filters: { projectId: P } });
      for (const name of names) expectNumber(row![name], EXPECTED[name](CALLS), name);
    });

    it('every metric per model, filtered to one tag, equals the value computed per group', async () => {
      const rows = await runMetrics(store.sql, { metrics: names, dimensions: ['model'], filters: { projectId: P, tag: 'prod', status: ['success', 'error'] } });
      const kept = CALLS.filter((c) => c.status !== 'timeout');
      const models = [...new Set(kept.map((c) => c.model))];
      expect(rows.map((r) => r.model).sort()).toEqual(models.sort());
      for (const row of rows) {
        const group = kept.filter((c) => c.model === row.model);
        for (const name of names) expectNumber(row[name], EXPECTED[name](group), `${String(row.model)} ${name}`);
      }
    });

    it('per day and property, with time buckets as ISO strings', async () => {
      const rows = await runMetrics(store.sql, { metrics: ['requests', 'cost', 'p95_latency'], dimensions: ['property.symbol'], timeBucket: 'hour', filters: { projectId: P } });
      const groups = new Map<string, CallRecord[]>();
      for (const call of CALLS) {
        const bucket = new Date(Math.floor(call.started_at / 3_600_000) * 3_600_000).toISOString();
        const key = `${bucket}|${call.properties.symbol}`;
        groups.set(key, [...(groups.get(key) ?? []), call]);
      }
      expect(rows).toHaveLength(groups.size);
      for (const row of rows) {
        const group = groups.get(`${String(row.bucket)}|${String(row.property_symbol)}`);
        expect(group, `${String(row.bucket)} ${String(row.property_symbol)}`).toBeDefined();
        expectNumber(row.requests, group!.length, 'requests');
        expectNumber(row.cost, EXPECTED.cost(group!), 'cost');
        expectNumber(row.p95_latency, EXPECTED.p95_latency(group!), 'p95_latency');
      }
    });
  });

  describe('projects, keys, cost settings, budgets, providers', () => {
    it('projects: ensure is idempotent, get and list', async () => {
      const first = await store.projects.ensure('proj-x', 'X');
      const again = await store.projects.ensure('proj-x', 'renamed');
      expect(again).toEqual(first);
      expect(first.name).toBe('X');
      expect(await store.projects.get('nope')).toBeNull();
      expect((await store.projects.list()).map((p) => p.id)).toEqual(expect.arrayContaining([P, 'proj-x']));
    });

    it('api keys: insert, find by hash, list, change settings and expiry, revoke once, count active', async () => {
      const before = await store.apiKeys.countActive();
      // A tokens limit past 2^31 needs the wider column.
      const key = { id: 'k1', project_id: 'proj-x', name: 'ci', prefix: 'lp_abc', hash: 'hash-1', scopes: ['read', 'ingest'] as ('read' | 'ingest')[], created_at: T0, revoked_at: null, rate_limit_rpm: 30, rate_limit_tpm: 5_000_000_000, allowed_models: ['gpt-4o', 'anthropic/*'], expires_at: T0 + 86_400_000 };
      await store.apiKeys.insert(key);
      const { rate_limit_rpm: _rpm, rate_limit_tpm: _tpm, allowed_models: _models, expires_at: _expires, ...unlimited } = key;
      await store.apiKeys.insert({ ...unlimited, id: 'k2', hash: 'hash-2', created_at: T0 + 1 });
      expect(await store.apiKeys.findByHash('hash-1')).toEqual(key);
      expect(await store.apiKeys.findByHash('hash-2')).toMatchObject({ rate_limit_rpm: null, rate_limit_tpm: null, allowed_models: null, expires_at: null });
      expect(await store.apiKeys.updateSettings('proj-x', 'k2', { rate_limit_rpm: 5, rate_limit_tpm: null, allowed_models: ['mistral/*'], expires_at: T0 + 3_600_000 })).toBe(true);
      expect(await store.apiKeys.get('proj-x', 'k2')).toMatchObject({ rate_limit_rpm: 5, rate_limit_tpm: null, allowed_models: ['mistral/*'], expires_at: T0 + 3_600_000 });
      expect(await store.apiKeys.updateSettings('proj-x', 'k2', { rate_limit_rpm: 5, rate_limit_tpm: null, allowed_models: ['mistral/*'], expires_at: null })).toBe(true);
      expect((await store.apiKeys.get('proj-x', 'k2'))!.expires_at).toBeNull();
      expect(await store.apiKeys.updateSettings('other', 'k2', { rate_limit_rpm: 1, rate_limit_tpm: 1, allowed_models: null, expires_at: null })).toBe(false);
      expect(await store.apiKeys.get('proj-x', 'k1')).toEqual(key);
      expect(await store.apiKeys.get('other', 'k1')).toBeNull();
      expect((await store.apiKeys.list('proj-x')).map((k) => k.id)).toEqual(['k1', 'k2']);
      expect(await store.apiKeys.countActive()).toBe(before + 2);
      expect(await store.apiKeys.revoke('proj-x', 'k1', T0 + 5)).toBe(true);
      expect(await store.apiKeys.revoke('proj-x', 'k1', T0 + 6)).toBe(false);
      expect(await store.apiKeys.updateSettings('proj-x', 'k1', { rate_limit_rpm: 1, rate_limit_tpm: null, allowed_models: null, expires_at: null })).toBe(false);
      expect((await store.apiKeys.findByHash('hash-1'))!.revoked_at).toBe(T0 + 5);
      expect(await store.apiKeys.countActive()).toBe(before + 1);
      await expect(store.apiKeys.insert({ ...key, id: 'k3' })).rejects.toThrow();
    });

    it('price overrides: upsert replaces, all, delete', async () => {
      const override = { project_id: 'proj-x', model: 'm1', cost_per_1k_input_tokens: 0.5, cost_per_1k_output_tokens: null, electricity_cost_per_hour: null, updated_at: T0 };
      await store.priceOverrides.upsert(override);
      await store.priceOverrides.upsert({ ...override, cost_per_1k_output_tokens: 1.5, updated_at: T0 + 1 });
      await store.priceOverrides.upsert({ ...override, model: 'local-1', cost_per_1k_input_tokens: null, electricity_cost_per_hour: 0.2 });
      expect(await store.priceOverrides.all()).toEqual([
        { ...override, model: 'local-1', cost_per_1k_input_tokens: null, electricity_cost_per_hour: 0.2 },
        { ...override, cost_per_1k_output_tokens: 1.5, updated_at: T0 + 1 },
      ]);
      expect(await store.priceOverrides.delete('proj-x', 'm1')).toBe(true);
      expect(await store.priceOverrides.delete('proj-x', 'm1')).toBe(false);
      expect(await store.priceOverrides.all()).toHaveLength(1);
    });

    it('budgets: insert, get, list per project and all, update, delete', async () => {
      const budget = { id: 'b1', project_id: 'proj-x', name: 'monthly', budget_type: 'monthly' as const, amount: 12.5, scope: 'model' as const, scope_value: 'gpt-a', action: 'block' as const, is_active: true, created_at: T0, updated_at: T0 };
      await store.budgets.insert(budget);
      await store.budgets.insert({ ...budget, id: 'b2', project_id: 'proj-y', scope: 'project' as never, scope_value: null, created_at: T0 + 1 });
      expect(await store.budgets.get('proj-x', 'b1')).toEqual(budget);
      expect(await store.budgets.get('proj-y', 'b1')).toBeNull();
      expect((await store.budgets.list('proj-x')).map((b) => b.id)).toEqual(['b1']);
      expect((await store.budgets.list()).map((b) => b.id)).toEqual(expect.arrayContaining(['b1', 'b2']));
      await store.budgets.update({ ...budget, name: 'renamed', amount: 20, action: 'alert' as never, is_active: false, updated_at: T0 + 9 });
      expect(await store.budgets.get('proj-x', 'b1')).toEqual({ ...budget, name: 'renamed', amount: 20, action: 'alert', is_active: false, updated_at: T0 + 9 });
      expect(await store.budgets.delete('proj-x', 'b1')).toBe(true);
      expect(await store.budgets.delete('proj-x', 'b1')).toBe(false);
    });

    it('alerts: rules put and replaced, one open event per rule, resolved once, listed newest first', async () => {
      const rule = {
        id: 'rule-1', project_id: 'proj-x', name: 'High Latency Alert', metric: 'latency' as const, operator: 'gt' as const, threshold: 5000.5, window_minutes: 5,
        provider: 'openai', model: null, is_active: true, webhook_url: 'https://hooks.example.com/loupe', webhook_secret_sealed: 'sealed:abc', created_at: T0, updated_at: T0,
      };
      await store.alerts.putRule(rule);
      await store.alerts.putRule({ ...rule, id: 'rule-2', project_id: 'proj-y', created_at: T0 + 1 });
      expect(await store.alerts.getRule('proj-x', 'rule-1')).toEqual(rule);
      expect(await store.alerts.getRule('proj-y', 'rule-1')).toBeNull();
      expect((await store.alerts.listRules('proj-x')).map((r) => r.id)).toEqual(['rule-1']);
      expect((await store.alerts.listRules()).map((r) => r.id)).toEqual(expect.arrayContaining(['rule-1', 'rule-2']));
      await store.alerts.putRule({ ...rule, threshold: 100, provider: null, is_active: false, updated_at: T0 + 5 });
      expect(await store.alerts.getRule('proj-x', 'rule-1')).toEqual({ ...rule, threshold: 100, provider: null, is_active: false, updated_at: T0 + 5 });

      const event = {
        id: 'event-1', project_id: 'proj-x', rule_id: 'rule-1', rule_name: rule.name, metric: rule.metric, operator: rule.operator, threshold: 100, metric_value: 6500.25,
        message: 'High Latency Alert: latency (6500.25) gt 100.0', triggered_at: T0 + MIN, resolved_at: null, resolved_value: null, webhook_status: null,
      };
      expect(await store.alerts.openEvent(event)).toBe(true);
      // A second open event for the same rule is refused while the first is open.
      expect(await store.alerts.openEvent({ ...event, id: 'event-1b', triggered_at: T0 + 2 * MIN })).toBe(false);
      expect(await store.alerts.listEvents({ projectId: 'proj-x', open: true, limit: 10 })).toEqual([event]);
      await store.alerts.setWebhookStatus('proj-x', 'event-1', 'delivered');
      const resolved = await store.alerts.resolveOpen('proj-x', 'rule-1', T0 + 3 * MIN, 42.5);
      expect(resolved).toEqual({ ...event, webhook_status: 'delivered', resolved_at: T0 + 3 * MIN, resolved_value: 42.5 });
      expect(await store.alerts.resolveOpen('proj-x', 'rule-1', T0 + 4 * MIN, 1)).toBeNull();
      expect(await store.alerts.resolveOpen('proj-y', 'rule-1', T0 + 4 * MIN, 1)).toBeNull();
      // Once resolved, the rule may open again.
      expect(await store.alerts.openEvent({ ...event, id: 'event-2', triggered_at: T0 + 5 * MIN })).toBe(true);
      expect((await store.alerts.listEvents({ projectId: 'proj-x', limit: 10 })).map((e) => e.id)).toEqual(['event-2', 'event-1']);
      expect((await store.alerts.listEvents({ projectId: 'proj-x', open: false, limit: 10 })).map((e) => e.id)).toEqual(['event-1']);
      expect((await store.alerts.listEvents({ projectId: 'proj-x', ruleId: 'rule-2', limit: 10 }))).toEqual([]);
      expect((await store.alerts.listEvents({ projectId: 'proj-x', limit: 1 })).map((e) => e.id)).toEqual(['event-2']);
      await store.alerts.putEvent({ ...event, id: 'event-3', project_id: 'proj-y', rule_id: 'rule-2', resolved_at: T0 + 9 * MIN, resolved_value: 0 });
      expect((await store.alerts.listEvents({ limit: 10 })).map((e) => e.id)).toEqual(expect.arrayContaining(['event-1', 'event-2', 'event-3']));
      expect(await store.alerts.deleteRule('proj-x', 'rule-1')).toBe(true);
      expect(await store.alerts.deleteRule('proj-x', 'rule-1')).toBe(false);
    });

    it('suggestions: put and replaced, newest first per project and all, delete', async () => {
      const suggestion = {
        id: 'sug-1', project_id: 'proj-x', key: 'performance:gpt-a', suggestion_type: 'performance' as const, model_name: 'gpt-a', title: 'High Latency Detected',
        description: 'Average latency is 2500 ms', priority: 'high' as const, potential_improvement: '40% lower average latency', is_implemented: false,
        created_at: T0, updated_at: T0, implemented_at: null,
      };
      await store.suggestions.put(suggestion);
      await store.suggestions.put({ ...suggestion, id: 'sug-2', key: 'cost:gpt-a', suggestion_type: 'cost', created_at: T0 + 1 });
      await store.suggestions.put({ ...suggestion, id: 'sug-3', project_id: 'proj-y' });
      expect(await store.suggestions.get('proj-x', 'sug-1')).toEqual(suggestion);
      expect(await store.suggestions.get('proj-y', 'sug-1')).toBeNull();
      expect((await store.suggestions.list('proj-x')).map((s) => s.id)).toEqual(['sug-2', 'sug-1']);
      expect((await store.suggestions.list()).map((s) => s.id)).toEqual(expect.arrayContaining(['sug-1', 'sug-2', 'sug-3']));
      const implemented = { ...suggestion, is_implemented: true, implemented_at: T0 + 5, updated_at: T0 + 5, description: 'changed' };
      await store.suggestions.put(implemented);
      expect(await store.suggestions.get('proj-x', 'sug-1')).toEqual(implemented);
      expect(await store.suggestions.delete('proj-x', 'sug-2')).toBe(true);
      expect(await store.suggestions.delete('proj-x', 'sug-2')).toBe(false);
    });

    it('providers and health: upsert, ordered list, delete removes health', async () => {
      const provider = {
        name: 'zeta', display_name: 'Zeta', type: 'openai', provider_type: 'remote' as const, base_url: 'https://zeta.example/v1', api_key_sealed: 'sealed',
        models: ['z-1', 'z-2'], priority: 2, timeout_seconds: 30, circuit_breaker_threshold: 5, circuit_breaker_timeout: 60, max_retries: 1, is_enabled: true,
        allow_client_key: true, source: 'api' as const, created_at: T0, updated_at: T0,
      };
      const before = (await store.providers.list()).length;
      await store.providers.upsert(provider);
      await store.providers.upsert({ ...provider, name: 'alpha', priority: 2, api_key_sealed: null, models: [], allow_client_key: false });
      await store.providers.upsert({ ...provider, priority: 1, updated_at: T0 + 1 });
      const listed = await store.providers.list();
      expect(listed).toHaveLength(before + 2);
      expect(listed.find((p) => p.name === 'zeta')).toEqual({ ...provider, priority: 1, updated_at: T0 + 1 });
      expect(listed.filter((p) => p.name === 'alpha' || p.name === 'zeta').map((p) => [p.name, p.allow_client_key])).toEqual([['zeta', true], ['alpha', false]]);
      const health = { name: 'zeta', circuit_state: 'open' as const, failure_count: 3, total_requests: 10, successful_requests: 7, failed_requests: 3, avg_response_time_ms: 120.5, last_success_at: T0, last_failure_at: null, updated_at: T0 };
      await store.providers.saveHealth(health);
      await store.providers.saveHealth({ ...health, failure_count: 4, updated_at: T0 + 2 });
      expect((await store.providers.listHealth()).find((h) => h.name === 'zeta')).toEqual({ ...health, failure_count: 4, updated_at: T0 + 2 });
      expect(await store.providers.delete('zeta')).toBe(true);
      expect(await store.providers.delete('zeta')).toBe(false);
      expect((await store.providers.listHealth()).find((h) => h.name === 'zeta')).toBeUndefined();
    });
  });

  describe('outcomes and research config', () => {
    const outcome = (i: number, overrides: Partial<OutcomeRecord> = {}): OutcomeRecord => ({
      id: `o-${i}`, project_id: P, target: CALLS[i]!.id, target_type: 'call', session_id: CALLS[i]!.session_id ?? null, name: i % 2 ? 'trade' : 'review', status: i % 3 === 0 ? 'win' : i % 3 === 1 ? 'loss' : 'open',
      value: i % 3 === 2 ? null : (i % 3 === 0 ? 1 : -1) * (i + 0.5), closed_at: i % 3 === 2 ? null : T0 + i * 1000, lesson: i % 4 === 0 ? `lesson ${i}` : null,
      properties: { desk: `d${i % 2}` }, created_at: T0 + i * MIN, updated_at: T0 + i * MIN, ...overrides,
    });
    const OUTCOMES = Array.from({ length: 12 }, (_, i) => outcome(i));

    it('insertMany, get, existingIds; an existing id is refused unless upserting', async () => {
      await store.outcomes.insertMany(OUTCOMES);
      expect(await store.outcomes.get(P, 'o-4')).toEqual(OUTCOMES[4]);
      expect(await store.outcomes.get('other', 'o-4')).toBeNull();
      expect((await store.outcomes.existingIds(['o-1', 'o-99', 'o-3'])).sort()).toEqual(['o-1', 'o-3']);
      await expect(store.outcomes.insertMany([outcome(1, { name: 'again' })])).rejects.toThrow();
      expect(await store.outcomes.get(P, 'o-1')).toEqual(OUTCOMES[1]);
      await store.outcomes.insertMany([outcome(1, { status: 'win', value: 9 }), outcome(40, { target: 'sess-1', target_type: 'session', session_id: 'sess-1' })], { upsert: true });
      expect(await store.outcomes.get(P, 'o-1')).toEqual(outcome(1, { status: 'win', value: 9 }));
      expect((await store.outcomes.get(P, 'o-40'))!.target_type).toBe('session');
    });

    it('update patches only the given fields and bumps updated_at', async () => {
      const updated = await store.outcomes.update(P, 'o-2', { status: 'win', value: 3.25, closed_at: T0 + 99, lesson: 'hold longer', properties: { desk: 'd9' } });
      expect(updated).toMatchObject({ id: 'o-2', status: 'win', value: 3.25, closed_at: T0 + 99, lesson: 'hold longer', properties: { desk: 'd9' }, name: OUTCOMES[2]!.name });
      expect(updated!.updated_at).toBeGreaterThan(T0 + 1_000_000);
      expect((await store.outcomes.update(P, 'o-2', { closed_at: null }))!.closed_at).toBeNull();
      expect(await store.outcomes.update('other', 'o-2', { status: 'loss' })).toBeNull();
    });

    it('list filters, orders newest first and counts', async () => {
      const all = await store.outcomes.list({ projectId: P, limit: 100, offset: 0 });
      expect(all.total).toBe(13);
      expect(all.items.map((o) => o.id)).toEqual([...all.items].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1)).map((o) => o.id));
      const trades = await store.outcomes.list({ projectId: P, name: 'trade', status: ['loss'], limit: 2, offset: 1 });
      const expected = OUTCOMES.filter((o) => o.name === 'trade' && o.status === 'loss' && o.id !== 'o-1').sort((a, b) => b.created_at - a.created_at);
      expect(trades.total).toBe(expected.length);
      expect(trades.items.map((o) => o.id)).toEqual(expected.slice(1, 3).map((o) => o.id));
      // A page past the end still counts what matches; nothing matching counts 0.
      expect(await store.outcomes.list({ projectId: P, name: 'trade', status: ['loss'], limit: 2, offset: 50 })).toEqual({ items: [], total: expected.length });
      expect(await store.outcomes.list({ projectId: P, name: 'no such name', limit: 2, offset: 0 })).toEqual({ items: [], total: 0 });
      const windowed = await store.outcomes.list({ projectId: P, from: T0 + 3 * MIN, to: T0 + 6 * MIN, limit: 10, offset: 0 });
      expect(windowed.items.map((o) => o.id)).toEqual(['o-5', 'o-4', 'o-3']);
      expect((await store.outcomes.list({ projectId: P, target: 'sess-1', targetType: 'session', limit: 10, offset: 0 })).items.map((o) => o.id)).toEqual(['o-40']);
      // By session: the outcome on the session and those on its calls.
      const onSession = [...OUTCOMES.filter((o) => CALLS[Number(o.id.slice(2))]!.session_id === 'sess-1').map((o) => o.id), 'o-40'];
      expect(onSession.length).toBeGreaterThan(1);
      const bySession = await store.outcomes.list({ projectId: P, sessionId: 'sess-1', limit: 100, offset: 0 });
      expect(bySession.items.map((o) => o.id).sort()).toEqual(onSession.sort());
      expect(bySession.total).toBe(onSession.length);
      // By the deciding call: the target call, or the last call of a target session.
      const lastOfSession = CALLS.filter((c) => c.session_id === 'sess-1').sort((a, b) => b.started_at - a.started_at)[0]!;
      const decider = (o: OutcomeRecord) => (o.target_type === 'session' ? lastOfSession : CALLS.find((c) => c.id === o.target)!);
      const stored = [...OUTCOMES.filter((o) => o.id !== 'o-1'), outcome(1, { status: 'win', value: 9 }), outcome(40, { target: 'sess-1', target_type: 'session', session_id: 'sess-1' })];
      for (const [label, decidingCall, keep] of [
        ['model', { projectId: P, model: [lastOfSession.model] }, (c: CallRecord) => c.model === lastOfSession.model],
        ['agent and status', { projectId: P, agent: 'planner', status: ['success' as const] }, (c: CallRecord) => c.agent === 'planner' && c.status === 'success'],
        ['property', { projectId: P, properties: { symbol: 'TSLA' } }, (c: CallRecord) => c.properties.symbol === 'TSLA'],
      ] as const) {
        const expectedIds = stored.filter((o) => keep(decider(o))).map((o) => o.id).sort();
        expect(expectedIds.length, label).toBeGreaterThan(0);
        expect(expectedIds.length, label).toBeLessThan(stored.length);
        const listed = await store.outcomes.list({ projectId: P, decidingCall, limit: 100, offset: 0 });
        expect(listed.items.map((o) => o.id).sort(), label).toEqual(expectedIds);
        expect(listed.total, label).toBe(expectedIds.length);
        const second = await store.outcomes.list({ projectId: P, decidingCall, limit: 2, offset: 1 });
        expect(second.items.map((o) => o.id), label).toEqual(listed.items.slice(1, 3).map((o) => o.id));
        expect(second.total, label).toBe(expectedIds.length);
        expect((await store.outcomes.list({ projectId: P, decidingCall, limit: 2, offset: 99 })).total, label).toBe(expectedIds.length);
      }
      // The call's start narrows by the call's time, not the outcome's (from/to).
      const callFrom = T0 + 5 * 7 * MIN;
      const timedIds = stored.filter((o) => decider(o).agent === 'writer' && decider(o).started_at >= callFrom && decider(o).started_at < callFrom + 30 * MIN).map((o) => o.id).sort();
      expect(timedIds.length).toBeGreaterThan(0);
      const timed = await store.outcomes.list({ projectId: P, decidingCall: { projectId: P, from: callFrom, to: callFrom + 30 * MIN, agent: 'writer' }, limit: 100, offset: 0 });
      expect(timed.items.map((o) => o.id).sort()).toEqual(timedIds);
    });

    it('research config: put, get, replace', async () => {
      expect(await store.researchConfig.get(P)).toBeNull();
      await store.researchConfig.put(P, { loops: [{ name: 'a', every: 3 }], note: 'ü "q"' }, T0);
      await store.researchConfig.put(P, { loops: [], note: 'second' }, T0 + 5);
      expect(await store.researchConfig.get(P)).toEqual({ document: { loops: [], note: 'second' }, updated_at: T0 + 5 });
    });
  });
});

/** What differs between two servers by construction: their keys, generated ids, clocks. */
const PER_SERVER = new Set(['api_key_id', 'created_at', 'updated_at', 'last_seen', 'first_seen']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Numbers rounded to 9 significant digits, so float summation order cannot tell engines apart. */
function normalized(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toPrecision(9));
  if (typeof value === 'string' && UUID.test(value)) return '<uuid>';
  if (Array.isArray(value)) return value.map(normalized);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, PER_SERVER.has(k) ? '<per server>' : normalized(v)]));
  }
  return value;
}

/** RFC 4180 cells; a quoted empty cell reads as empty, like an unquoted one. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') row.push(cell), (cell = '');
    else if (char === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else if (char !== '\r') cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const INGEST_KEY = 'lp_contract_ingest_key_0123456789abcdef';

describe('HTTP routes answer the same on both engines, with figures computed from the rows', () => {
  const servers = new Map<TestEngine, TestServer>();
  const range = `from=${new Date(T0 - 86_400_000).toISOString()}&to=${new Date(T0 + 2 * 86_400_000).toISOString()}`;
  const ingested = CALLS.map(({ project_id: _p, api_key_id: _k, price_source: _s, ...call }) => ({
    ...call, started_at: new Date(call.started_at).toISOString(),
    // Without an end, a call with no latency keeps none (ingestion would derive one).
    ended_at: call.ended_at === null || call.latency_ms === null ? null : new Date(call.ended_at).toISOString(),
  }));
  const outcomes = CALLS.filter((_, i) => i % 3 === 1).map((call, i) => ({
    id: `http-o-${i}`, target: call.id, name: 'trade', status: i % 4 === 0 ? 'open' : i % 2 ? 'win' : 'loss', ...(i % 4 === 0 ? {} : { value: (i % 2 ? 1 : -1) * (i + 1) }),
    ...(i % 5 === 0 ? { lesson: 'Cut losses early.' } : {}),
  }));

  beforeAll(async () => {
    for (const engine of ENGINES) {
      const server = await startTestServer({}, engine);
      servers.set(engine, server);
      // One key id on both servers: exports carry the api_key_id of each call.
      await server.store.apiKeys.insert({ id: 'contract-ingest', project_id: 'default', name: 'ingest', prefix: keyPrefix(INGEST_KEY), hash: hashKeySecret(INGEST_KEY), scopes: ['ingest'], created_at: T0, revoked_at: null });
      const recorded = await server.request('POST', '/api/v1/calls', { body: ingested, key: INGEST_KEY });
      expect(recorded.statusCode, recorded.body).toBe(200);
      const posted = await server.request('POST', '/api/v1/outcomes', { body: outcomes });
      expect(posted.statusCode, posted.body).toBe(201);
      const budget = await server.request('POST', '/api/v1/budgets', { body: { name: 'all time', budget_type: 'total', amount: 100, action: 'alert' } });
      expect(budget.statusCode, budget.body).toBe(201);
    }
  });
  afterAll(async () => {
    for (const server of servers.values()) await server.close();
  });

  async function both(path: string): Promise<unknown> {
    const answers: unknown[] = [];
    for (const engine of ENGINES) {
      const response = await servers.get(engine)!.request('GET', path);
      expect(response.statusCode, `${engine} ${path}: ${response.body}`).toBe(200);
      answers.push(response.headers['content-type']?.toString().startsWith('application/json') ? normalized(response.json()) : response.body);
    }
    expect(answers[1], path).toEqual(answers[0]);
    return answers[0];
  }

  const ROUTES = [
    'analytics/overview', 'analytics/performance', 'analytics/models', 'analytics/providers', 'analytics/agents', 'analytics/users',
    'analytics/usage-trends?interval=hour&group_by=model', 'analytics/usage-trends?interval=day', 'analytics/cost-trend?interval=hour',
    ...['model', 'provider', 'agent', 'user', 'tag'].map((by) => `analytics/cost-breakdown?by=${by}`), 'analytics/errors', 'analytics/trends',
    'analytics/heatmap?rows=property.symbol&cols=model', 'analytics/heatmap?rows=agent&metric=win_rate',
    ...['model-performance', 'pnl-timeline', 'cost-vs-return', 'pipelines', 'calibration', 'signal-reliability', 'lessons'].map((r) => `analytics/outcomes/${r}`),
    'logs/stats', 'logs?limit=20&sort=cost_usd&order=desc', 'logs?search=needle&limit=50', 'logs?tag=batch&status=error&limit=50', 'sessions', 'sessions?agent=planner&sort=cost',
    'sessions/sess-1/summary', `requests/${CALLS[8]!.id}`, `requests/${CALLS[8]!.request_id}`, 'outcomes?limit=50', 'budgets',
  ];
  it.each(ROUTES)('GET /api/v1/%s', async (route) => {
    await both(`/api/v1/${route}${route.includes('?') ? '&' : '?'}${range}`);
  });

  it('session messages are the same', async () => {
    await both('/api/v1/sessions/sess-2/messages');
  });

  it('exports: json and ndjson byte for byte, csv cell for cell', async () => {
    for (const format of ['json', 'ndjson']) await both(`/api/v1/export/${format}?${range}&include_content=true`);
    // DuckDB writes its CSV lines in SQL and quotes every text cell; the other writer quotes
    // only where needed. Both are RFC 4180, so the parsed cells must match.
    const tables: string[][][] = [];
    for (const engine of ENGINES) {
      const response = await servers.get(engine)!.request('GET', `/api/v1/export/csv?${range}&include_content=true`);
      expect(response.statusCode).toBe(200);
      tables.push(parseCsv(response.body));
    }
    expect(tables[0]).toHaveLength(CALLS.length + 1);
    expect(tables[1]).toEqual(tables[0]);
  });

  it('overview, per-model and cost figures equal the values computed from the rows', async () => {
    const overview = (await both(`/api/v1/analytics/overview?${range}`)) as Record<string, Record<string, unknown>>;
    const text = JSON.stringify(overview);
    for (const figure of [EXPECTED.requests(CALLS), EXPECTED.total_tokens(CALLS)]) expect(text).toContain(String(figure));
    const models = (await both(`/api/v1/analytics/models?${range}`)) as { models: Record<string, unknown>[] };
    for (const model of models.models) {
      const group = CALLS.filter((c) => c.model === model.model && (model.provider === undefined || c.provider === model.provider));
      expect(model.requests, String(model.model)).toBe(group.length);
      expectNumber(model.p50_latency, EXPECTED.p50_latency(group), `${String(model.model)} p50`);
    }
    const costs = (await both(`/api/v1/analytics/cost-breakdown?by=provider&${range}`)) as Record<string, unknown>;
    expect(JSON.stringify(costs)).toContain(String(normalized(EXPECTED.cost(CALLS.filter((c) => c.provider === 'openai')))));
  });
});

describe.each(ENGINES)('retention on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keeps today and the days before it within the period, removes whole older days', async () => {
    const now = Date.UTC(2026, 10, 20, 15, 30);
    expect(retentionCutoff(3, now)).toBe(Date.UTC(2026, 10, 18));
    const ages = [0, 1, 2, 3, 10, 45].map((days) => now - days * 86_400_000);
    // The first and last millisecond around the cutoff.
    const edge = [Date.UTC(2026, 10, 18), Date.UTC(2026, 10, 18) - 1];
    const calls = [...ages, ...edge].map((at, i) => makeCall(900 + i, { project_id: i % 2 ? P : 'other', started_at: at, ended_at: null }));
    expect(await server.store.calls.insertBatch(calls.map((c) => write(c)))).toEqual(calls.map(() => 'created'));
    const kept = calls.filter((c) => c.started_at >= Date.UTC(2026, 10, 18));
    expect(await applyRetention(server.store, 3, now)).toBe(calls.length - kept.length);
    expect((await server.store.calls.count(P)) + (await server.store.calls.count('other'))).toBe(kept.length);
    for (const call of calls) expect(await server.store.calls.get(call.project_id, call.id), call.id).toEqual(kept.includes(call) ? call : null);
    // A removed call's id is free again; a kept one is still a duplicate.
    const removed = calls.find((c) => !kept.includes(c))!;
    expect(await server.store.calls.insertBatch([write(removed), write(kept[0]!)])).toEqual(['created', 'duplicate']);
    expect(await applyRetention(server.store, 3, now)).toBe(1);
  });
});
