// Performance, per-model recommendation, provider/agent/user breakdowns, period insights and
// the win-rate heatmap, each checked against figures recomputed here from the inserted rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const DAY = 86_400_000;
const P0 = Date.UTC(2026, 6, 10);
const Q0 = Date.UTC(2026, 6, 20);
const iso = (ms: number) => new Date(ms).toISOString();

interface Call {
  id: string; provider: string; model: string; status: 'success' | 'error'; latency_ms: number; cost_usd?: number; ttft_ms?: number;
  tokens_per_second: number; session_id: string; agent: string; user_id: string; tool_calls_count: number; prompt_tokens: number;
  completion_tokens: number; started_at: string; properties: { symbol: string }; error_type?: string; error_message?: string;
}

function makeCalls(): Call[] {
  const calls: Call[] = [];
  const base = (i: number, n: number) => ({
    started_at: iso(P0 + n * 60_000), session_id: `s${i % 5}`, agent: i % 2 ? 'planner' : 'coder', user_id: `u${i % 3}`,
    tool_calls_count: i % 4, prompt_tokens: 100 + i, completion_tokens: 50, properties: { symbol: i % 2 ? 'EURUSD' : 'XAUUSD' },
  });
  for (let i = 0; i < 30; i += 1) {
    calls.push({ ...base(i, calls.length), id: `fc-${i}`, provider: 'p1', model: 'fast-cheap', status: 'success', latency_ms: 200 + 37 * i,
      cost_usd: (1 + (i % 3)) / 1000, ...(i % 2 === 0 ? { ttft_ms: 50 + 3 * i } : {}), tokens_per_second: 20 + i });
  }
  for (let i = 0; i < 25; i += 1) {
    const failed = i === 3 || i === 17;
    calls.push({ ...base(i, calls.length), id: `sp-${i}`, provider: 'p2', model: 'slow-pricey', status: failed ? 'error' : 'success',
      latency_ms: 2000 + 311 * i, ...(i === 24 ? {} : { cost_usd: (10 + (i % 4)) / 1000 }), tokens_per_second: 5 + i / 2,
      ...(failed ? { error_type: i === 3 ? 'rate_limit' : 'server', error_message: 'upstream said no' } : {}) });
  }
  for (let i = 0; i < 5; i += 1) {
    calls.push({ ...base(i, calls.length), id: `ra-${i}`, provider: 'p1', model: 'rare', status: 'success', latency_ms: i === 4 ? 40_000 : 100 + i,
      cost_usd: 0.0001, tokens_per_second: 100 });
  }
  return calls;
}

const calls = makeCalls();
const window = `from=${iso(P0)}&to=${iso(P0 + DAY)}`;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mean = (values: number[]) => sum(values) / values.length;
const costs = (rows: Call[]) => rows.flatMap((row) => (row.cost_usd === undefined ? [] : [row.cost_usd]));
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low]! + (sorted[Math.ceil(position)]! - sorted[low]!) * (position - low);
}

let server: TestServer;
let key: string;

async function get(path: string) {
  const response = await server.request('GET', `/api/v1/analytics/${path}`, { key });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

beforeAll(async () => {
  server = await startTestServer();
  key = await server.createKey('breakdowns', ['read', 'ingest']);
  // Q0: 20 calls; Q0 + 1 day: 30 calls, slower, same price each, the last 3 failed.
  const periods = Array.from({ length: 50 }, (_, i) => ({
    id: `q-${i}`, provider: 'p3', model: 'steady', latency_ms: i < 20 ? 100 : 150, cost_usd: 0.01, status: i >= 47 ? 'error' : 'success',
    started_at: iso(i < 20 ? Q0 + i * 60_000 : Q0 + DAY + i * 60_000),
  }));
  const response = await server.request('POST', '/api/v1/calls', { key, body: [...calls, ...periods] });
  expect(response.statusCode, response.body).toBe(200);
});
afterAll(async () => {
  await server.close();
});

describe('performance', () => {
  it('percentiles, speed, histogram, error rate by provider and the performance score', async () => {
    const answer = await get(`performance?${window}`);
    const latencies = calls.map((call) => call.latency_ms);
    const ttfts = calls.flatMap((call) => (call.ttft_ms === undefined ? [] : [call.ttft_ms]));
    const speeds = calls.map((call) => call.tokens_per_second);
    expect(answer.summary.requests).toBe(calls.length);
    expect(answer.summary.avg_latency).toBeCloseTo(mean(latencies), 9);
    for (const [name, q] of [['p50_latency', 0.5], ['p95_latency', 0.95], ['p99_latency', 0.99]] as const) {
      expect(answer.summary[name]).toBeCloseTo(quantile(latencies, q), 9);
    }
    expect(answer.summary.p95_ttft).toBeCloseTo(quantile(ttfts, 0.95), 9);
    expect(answer.summary.p50_ttft).toBeCloseTo(quantile(ttfts, 0.5), 9);
    expect([answer.summary.min_tokens_per_second, answer.summary.max_tokens_per_second]).toEqual([Math.min(...speeds), Math.max(...speeds)]);
    expect(answer.summary.avg_tokens_per_second).toBeCloseTo(mean(speeds), 9);
    const score = mean(calls.map((call) => (call.status === 'success' ? (100 * 1000) / (1000 + call.latency_ms) : 0)));
    expect(answer.summary.performance_score).toBeCloseTo(score, 9);

    const edges = [0, 250, 500, 1000, 2000, 5000, 10_000, 30_000, Infinity];
    const expected = edges.slice(0, -1).map((low, index) => calls.filter((call) => call.latency_ms >= low && call.latency_ms < edges[index + 1]!).length);
    expect(answer.latency_histogram.map((bucket: { count: number }) => bucket.count)).toEqual(expected);
    expect(answer.latency_histogram.at(-1)).toEqual({ from_ms: 30_000, to_ms: null, count: 1 });

    const p2 = calls.filter((call) => call.provider === 'p2');
    const row = answer.by_provider.find((entry: { provider: string }) => entry.provider === 'p2');
    expect(row.error_rate).toBeCloseTo(p2.filter((call) => call.status === 'error').length / p2.length, 12);
    expect(row.avg_latency).toBeCloseTo(mean(p2.map((call) => call.latency_ms)), 9);
    expect(row.errors).toBe(2);
  });
});

describe('models and their recommendation', () => {
  it('recommends the faster, cheaper model and says by how much the other trails; too few calls get none', async () => {
    const answer = await get(`models?${window}`);
    const byModel = (model: string) => answer.models.find((row: { model: string }) => row.model === model);
    const own = (model: string) => calls.filter((call) => call.model === model);
    const p50 = (model: string) => quantile(own(model).map((call) => call.latency_ms), 0.5);
    const avgCost = (model: string) => mean(costs(own(model)));
    for (const model of ['fast-cheap', 'slow-pricey', 'rare']) {
      expect(byModel(model).requests).toBe(own(model).length);
      expect(byModel(model).p50_latency).toBeCloseTo(p50(model), 9);
      expect(byModel(model).avg_cost_per_call).toBeCloseTo(avgCost(model), 12);
      expect(byModel(model).unpriced_calls).toBe(own(model).filter((call) => call.cost_usd === undefined).length);
    }
    expect(byModel('fast-cheap').recommendation.recommended).toBe(true);
    expect(byModel('fast-cheap').recommendation.reason).toContain(`p50 ${Math.round(p50('fast-cheap'))} ms`);
    const cheaper = Math.round((1 - avgCost('fast-cheap') / avgCost('slow-pricey')) * 100);
    const faster = Math.round((1 - p50('fast-cheap') / p50('slow-pricey')) * 100);
    expect(byModel('slow-pricey').recommendation).toEqual({
      recommended: false, reason: `fast-cheap (recommended) is ${cheaper}% cheaper per call and ${faster}% faster at p50`,
    });
    expect(byModel('rare').recommendation).toBeNull();
  });
});

describe('providers, agents, users', () => {
  it('per provider: cost per 1k tokens of priced calls and the model count', async () => {
    const answer = await get(`providers?${window}`);
    for (const provider of ['p1', 'p2']) {
      const own = calls.filter((call) => call.provider === provider);
      const priced = own.filter((call) => call.cost_usd !== undefined);
      const row = answer.providers.find((entry: { provider: string }) => entry.provider === provider);
      expect(row.requests).toBe(own.length);
      expect(row.models).toBe(new Set(own.map((call) => call.model)).size);
      expect(row.cost_per_1k_tokens).toBeCloseTo((sum(costs(own)) * 1000) / sum(priced.map((call) => call.prompt_tokens + call.completion_tokens)), 12);
      expect(row.success_rate).toBeCloseTo(own.filter((call) => call.status === 'success').length / own.length, 12);
    }
  });

  it('per agent and per user: calls, sessions, tokens, tool calls, cost', async () => {
    for (const [route, field, column] of [['agents', 'agent', 'agent'], ['users', 'users', 'user']] as const) {
      const answer = await get(`${route}?${window}`);
      const list = answer[route] as Record<string, number | string>[];
      const names = [...new Set(calls.map((call) => (column === 'agent' ? call.agent : call.user_id)))];
      expect(list).toHaveLength(names.length);
      for (const name of names) {
        const own = calls.filter((call) => (column === 'agent' ? call.agent : call.user_id) === name);
        const row = list.find((entry) => entry[column] === name)!;
        expect(row, field).toMatchObject({ requests: own.length, sessions: new Set(own.map((call) => call.session_id)).size,
          total_tokens: sum(own.map((call) => call.prompt_tokens + call.completion_tokens)), tool_calls: sum(own.map((call) => call.tool_calls_count)) });
        expect(row.cost).toBeCloseTo(sum(costs(own)), 12);
      }
    }
  });

  it('cost-breakdown by model: shares of cost, unpriced calls and tokens apart', async () => {
    const answer = await get(`cost-breakdown?${window}&by=model`);
    const total = sum(costs(calls));
    expect(answer.total_cost).toBeCloseTo(total, 12);
    expect(answer.unpriced_calls).toBe(1);
    const pricey = answer.rows.find((row: { model: string }) => row.model === 'slow-pricey');
    expect(pricey.share_of_cost).toBeCloseTo(sum(costs(calls.filter((call) => call.model === 'slow-pricey'))) / total, 12);
    expect(pricey.unpriced_tokens).toBe(100 + 24 + 50);
    expect(answer.rows.map((row: { model: string }) => row.model)).toEqual(['slow-pricey', 'fast-cheap', 'rare']);
  });
});

describe('spend per Loupe API key', () => {
  it('breaks cost down by the key that made or recorded each call, named after the key, and filters by it', async () => {
    const R0 = Date.UTC(2026, 6, 25);
    const appA = await server.createKey('breakdowns', ['ingest']);
    const appB = await server.createKey('breakdowns', ['ingest']);
    const send = async (apiKey: string, records: Record<string, unknown>[]) => {
      const response = await server.request('POST', '/api/v1/calls', { key: apiKey, body: records });
      expect(response.statusCode, response.body).toBe(200);
    };
    const record = (id: string, minute: number, cost: number | null) => ({
      id, provider: 'p9', model: cost === null ? 'unlisted-model' : 'steady', started_at: iso(R0 + minute * 60_000), latency_ms: 100, prompt_tokens: 10, completion_tokens: 5,
      ...(cost === null ? {} : { cost_usd: cost }),
    });
    await send(appA, [record('ka-1', 1, 0.002), record('ka-2', 2, 0.002), record('ka-3', 3, 0.0025)]);
    await send(appB, [record('kb-1', 4, 0.01), record('kb-2', 5, 0.011), record('kb-3', 6, null)]);
    const keys = await server.store.apiKeys.list('breakdowns');
    // Each key's id, as its first call says it.
    const idOf = async (callId: string) => ((await server.request('GET', `/api/v1/logs/${callId}`, { key })).json() as { api_key_id: string }).api_key_id;
    const [idA, idB] = [await idOf('ka-1'), await idOf('kb-1')];
    expect(idA).not.toBe(idB);
    await server.store.apiKeys.revoke('breakdowns', idB!, Date.now());
    const named = new Map(keys.map((entry) => [entry.id, entry]));

    const range = `from=${iso(R0)}&to=${iso(R0 + DAY)}`;
    const answer = await get(`cost-breakdown?${range}&by=api_key`);
    expect(answer.rows.map((row: Record<string, unknown>) => [row.api_key, row.requests, row.unpriced_calls, row.key_name, row.key_prefix, row.key_revoked])).toEqual([
      [idB, 3, 1, named.get(idB!)!.name, named.get(idB!)!.prefix, true],
      [idA, 3, 0, named.get(idA!)!.name, named.get(idA!)!.prefix, false],
    ]);
    expect(answer.rows[0].cost).toBeCloseTo(0.021, 12);
    expect(answer.rows[1].cost).toBeCloseTo(0.0065, 12);
    expect(answer.total_cost).toBeCloseTo(0.0275, 12);

    const overviewOfA = await get(`overview?${range}&api_key_id=${idA}`);
    expect([overviewOfA.current.requests, overviewOfA.current.cost]).toEqual([3, expect.closeTo(0.0065, 12)]);
    const logsOfB = await server.request('GET', `/api/v1/logs?${range}&api_key_id=${idB}`, { key });
    expect((logsOfB.json() as { data: { id: string }[] }).data.map((row) => row.id).sort()).toEqual(['kb-1', 'kb-2', 'kb-3']);
    // A key of no call matches nothing, and quotes in the value are data, not SQL.
    expect((await get(`overview?${range}&api_key_id=${encodeURIComponent("x' OR '1'='1")}`)).current.requests).toBe(0);
  });
});

describe('spend per reasoning effort', () => {
  it('groups calls by the effort they asked for, in the chat, Responses or Messages API field, in the cost breakdown and the heatmap', async () => {
    const E0 = Date.UTC(2026, 6, 27);
    const record = (id: string, minute: number, cost: number, params: Record<string, unknown> | null, latency: number) => ({
      id, provider: 'p9', model: 'thinker', started_at: iso(E0 + minute * 60_000), latency_ms: latency, prompt_tokens: 10, completion_tokens: 5, cost_usd: cost,
      ...(params === null ? {} : { params }),
    });
    const response = await server.request('POST', '/api/v1/calls', { key, body: [
      record('re-1', 1, 0.004, { reasoning_effort: 'high', temperature: 1 }, 900),
      record('re-2', 2, 0.006, { reasoning: { effort: 'high' } }, 1100),
      record('re-3', 3, 0.001, { reasoning_effort: 'low' }, 200),
      record('re-4', 4, 0.002, { output_config: { effort: 'low' } }, 300),
      record('re-5', 5, 0.0005, null, 100),
    ] });
    expect(response.statusCode, response.body).toBe(200);
    const range = `from=${iso(E0)}&to=${iso(E0 + DAY)}`;
    const answer = await get(`cost-breakdown?${range}&by=reasoning_effort`);
    expect(answer.rows.map((row: Record<string, unknown>) => [row.reasoning_effort, row.requests])).toEqual([['high', 2], ['low', 2], [null, 1]]);
    expect(answer.rows.map((row: { cost: number }) => row.cost)).toEqual([expect.closeTo(0.01, 12), expect.closeTo(0.003, 12), expect.closeTo(0.0005, 12)]);
    const heat = await get(`heatmap?${range}&rows=reasoning_effort&cols=model&metric=avg_latency`);
    const cell = (effort: string) => heat.data[heat.rows.indexOf(effort)][heat.cols.indexOf('thinker')];
    expect([cell('high'), cell('low')]).toEqual([1000, 250]);
  });
});

describe('errors and insights', () => {
  it('errors by type and model in the window', async () => {
    const answer = await get(`errors?${window}`);
    expect(answer.by_type.map((row: { error_type: string; count: number }) => [row.error_type, row.count]).sort()).toEqual([['rate_limit', 1], ['server', 1]]);
    expect(answer.summary.error_rate).toBeCloseTo(2 / calls.length, 12);
    expect(answer.top_messages).toMatchObject([{ message: 'upstream said no', count: 2 }]);
  });

  it('states the changes against the previous period with their numbers', async () => {
    const answer = await get(`trends?from=${iso(Q0 + DAY)}&to=${iso(Q0 + 2 * DAY)}`);
    expect(answer.previous_period).toEqual({ from: iso(Q0), to: iso(Q0 + DAY) });
    const texts = answer.insights.map((insight: { text: string }) => insight.text);
    expect(texts).toEqual([
      'Requests rose 50%: 20 → 30', 'Error rate rose from 0.0% to 10.0%', 'p95 latency rose 50%: 100 ms → 150 ms', 'Cost rose 50%: $0.20 → $0.30',
    ]);
    expect(answer.insights[1]).toMatchObject({ metric: 'error_rate', previous: 0, change: null });
    expect(answer.insights[1].current).toBeCloseTo(3 / 30, 12);
    expect(answer.insights[0]).toMatchObject({ metric: 'requests', current: 30, previous: 20, change: 0.5 });
  });
});

describe('win-rate heatmap', () => {
  it('counts outcomes on calls and, for a session, on its last call; neutral and open are undecided', async () => {
    const ingest = async (body: unknown) => expect((await server.request('POST', '/api/v1/outcomes', { key, body })).statusCode).toBeLessThan(300);
    // fc-0 is XAUUSD × fast-cheap; session s1's last call in the window is ra-1 (EURUSD × rare).
    await ingest([
      { target: 'fc-0', target_type: 'call', name: 'trade', status: 'win', value: 5 },
      { target: 'fc-2', target_type: 'call', name: 'trade', status: 'loss', value: -2 },
      { target: 'fc-4', target_type: 'call', name: 'trade', status: 'neutral', value: 0 },
      { target: 'fc-6', target_type: 'call', name: 'trade', status: 'open' },
      { target: 'fc-8', target_type: 'call', name: 'review', status: 'win', value: 1 },
      { target: 's1', target_type: 'session', name: 'trade', status: 'win', value: 9 },
    ]);
    const lastOfS1 = calls.filter((call) => call.session_id === 's1').reduce((a, b) => (b.started_at > a.started_at ? b : a));
    expect(lastOfS1.id).toBe('ra-1');
    const answer = await get(`heatmap?${window}&rows=property.symbol&cols=model&metric=win_rate&outcome_name=trade`);
    const cell = (row: string, col: string) => answer.data[answer.rows.indexOf(row)][answer.cols.indexOf(col)];
    expect(cell('XAUUSD', 'fast-cheap')).toBeCloseTo(1 / 2, 12);
    expect(answer.counts[answer.rows.indexOf('XAUUSD')][answer.cols.indexOf('fast-cheap')]).toBe(2);
    expect(cell('EURUSD', 'rare')).toBe(1);
    const all = await get(`heatmap?${window}&rows=property.symbol&metric=win_rate`);
    expect(all.data[all.rows.indexOf('XAUUSD')][all.cols.indexOf('fast-cheap')]).toBeCloseTo(2 / 3, 12);
  });
});
