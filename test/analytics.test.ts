// Analytics routes against calls with known values: every figure is recomputed here from
// the rows inserted (percentiles by linear interpolation, as quantile_cont defines them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let key: string;
const DAY = 86_400_000;
const TO = Date.UTC(2026, 9, 10);
const FROM = TO - 3 * DAY;

interface Row {
  id: string; provider: string; model: string; status: 'success' | 'error'; latency_ms: number; ttft_ms?: number; cost_usd?: number;
  started_at: string; user_id: string; tags: string[]; properties: { symbol: string }; total: number; error_message?: string; is_streaming: boolean;
}

const models = ['alpha-1', 'beta-2'];
const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({
  id: `an-${i}`, provider: i % 2 ? 'prov-b' : 'prov-a', model: models[i % 2]!, status: i % 8 === 3 ? 'error' : 'success',
  latency_ms: 100 + ((i * 97) % 1900), ...(i % 3 === 0 ? { ttft_ms: 50 + i } : {}), ...(i % 10 === 9 ? {} : { cost_usd: (i + 1) / 1000 }),
  // Days 0 and 2 of the range hold calls; day 1 holds none.
  started_at: new Date(FROM + (i < 25 ? 0 : 2 * DAY) + i * 60_000).toISOString(),
  user_id: `u${i % 4}`, tags: i % 4 === 0 ? ['prod', 'batch'] : ['prod'], properties: { symbol: i % 3 ? 'AAPL' : 'TSLA' },
  total: 0, ...(i % 8 === 3 ? { error_message: i % 16 === 3 ? 'rate limited' : 'upstream 500' } : {}), is_streaming: i % 2 === 0,
}));
const previous = Array.from({ length: 10 }, (_, i) => ({ id: `prev-${i}`, provider: 'prov-a', model: 'alpha-1', status: 'success', latency_ms: 1000, cost_usd: 0.01, started_at: new Date(FROM - DAY + i * 60_000).toISOString() }));

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low]! + (sorted[Math.ceil(position)]! - sorted[low]!) * (position - low);
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const range = `from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}`;

async function get(path: string, as = key) {
  const response = await server.request('GET', `/api/v1/analytics/${path}`, { key: as });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

beforeAll(async () => {
  server = await startTestServer();
  key = await server.createKey('analytics', ['read', 'ingest']);
  const body = [...rows.map(({ total: _total, ...row }) => ({ ...row, prompt_tokens: 10, completion_tokens: 5 })), ...previous];
  expect((await server.request('POST', '/api/v1/calls', { key, body })).statusCode).toBe(200);
});
afterAll(async () => {
  await server.close();
});

describe('overview', () => {
  it('matches figures computed from the rows, with the previous period and the change', async () => {
    const answer = await get(`overview?${range}`);
    const latencies = rows.map((row) => row.latency_ms);
    const current = answer.current;
    expect(current.requests).toBe(40);
    expect(current.error_rate).toBeCloseTo(rows.filter((row) => row.status === 'error').length / 40, 12);
    expect(current.p50_latency).toBeCloseTo(quantile(latencies, 0.5), 9);
    expect(current.p95_latency).toBeCloseTo(quantile(latencies, 0.95), 9);
    expect(current.p99_latency).toBeCloseTo(quantile(latencies, 0.99), 9);
    expect(current.cost).toBeCloseTo(sum(rows.flatMap((row) => (row.cost_usd === undefined ? [] : [row.cost_usd]))), 12);
    expect(current.unpriced_calls).toBe(rows.filter((row) => row.cost_usd === undefined).length);
    expect(current.unique_users).toBe(4);
    expect(current.streaming_share).toBeCloseTo(0.5, 12);
    expect(current.avg_ttft).toBeCloseTo(sum(rows.flatMap((row) => (row.ttft_ms ? [row.ttft_ms] : []))) / rows.filter((row) => row.ttft_ms).length, 9);
    expect(answer.previous.requests).toBe(10);
    expect(answer.change.requests).toBeCloseTo((40 - 10) / 10, 12);
  });

  it('scopes every figure to the key project', async () => {
    const other = await server.createKey('someone-else', ['read']);
    expect((await get(`overview?${range}`, other)).current.requests).toBe(0);
  });
});

describe('breakdowns and trends', () => {
  it('per model: counts, cost and percentiles', async () => {
    const answer = await get(`models?${range}`);
    for (const model of models) {
      const own = rows.filter((row) => row.model === model);
      const found = answer.models.find((row: { model: string }) => row.model === model);
      expect(found.requests).toBe(own.length);
      expect(found.p95_latency).toBeCloseTo(quantile(own.map((row) => row.latency_ms), 0.95), 9);
      expect(found.cost).toBeCloseTo(sum(own.flatMap((row) => (row.cost_usd === undefined ? [] : [row.cost_usd]))), 12);
    }
  });

  it('usage-trends fills the empty day with zeros', async () => {
    const answer = await get(`usage-trends?${range}&interval=day`);
    expect(answer.series.map((point: { requests: number }) => point.requests)).toEqual([25, 0, 15]);
    expect(answer.series[1].cost).toBe(0);
  });

  it('cost-breakdown by tag counts a call under each of its tags and reports unpriced calls apart', async () => {
    const answer = await get(`cost-breakdown?${range}&by=tag`);
    const tag = (name: string) => answer.rows.find((row: { tag: string }) => row.tag === name);
    const batch = rows.filter((row) => row.tags.includes('batch'));
    expect(tag('batch').requests).toBe(batch.length);
    expect(tag('batch').cost).toBeCloseTo(sum(batch.flatMap((row) => (row.cost_usd === undefined ? [] : [row.cost_usd]))), 12);
    expect(tag('prod').unpriced_calls).toBe(rows.filter((row) => row.cost_usd === undefined).length);
  });

  it('errors: types, top messages and rate by provider', async () => {
    const answer = await get(`errors?${range}`);
    const failed = rows.filter((row) => row.status === 'error');
    const messages = new Map<string, number>();
    for (const row of failed) messages.set(row.error_message!, (messages.get(row.error_message!) ?? 0) + 1);
    expect(answer.top_messages.map((m: { message: string; count: number }) => [m.message, m.count]).sort()).toEqual([...messages].sort());
    const provA = rows.filter((row) => row.provider === 'prov-a');
    expect(answer.by_provider.find((row: { provider: string }) => row.provider === 'prov-a').error_rate).toBeCloseTo(provA.filter((row) => row.status === 'error').length / provA.length, 12);
  });

  it('heatmap of success rate, property × model, and of win rate from outcomes', async () => {
    const answer = await get(`heatmap?${range}&rows=property.symbol&cols=model&metric=success_rate`);
    expect(answer.rows).toEqual(['AAPL', 'TSLA']);
    expect(answer.cols).toEqual(models);
    const cell = rows.filter((row) => row.properties.symbol === 'TSLA' && row.model === 'alpha-1');
    expect(answer.data[1][0]).toBeCloseTo(cell.filter((row) => row.status === 'success').length / cell.length, 12);
    const outcomes = [
      { target: 'an-0', status: 'win', value: 10 }, { target: 'an-6', status: 'loss', value: -5 }, { target: 'an-12', status: 'win', value: 3 },
    ];
    expect((await server.request('POST', '/api/v1/outcomes', { key: await server.createKey('analytics', ['ingest']), body: outcomes })).statusCode).toBeLessThan(300);
    const wins = await get(`heatmap?${range}&rows=property.symbol&metric=win_rate`);
    expect(wins.data[wins.rows.indexOf('TSLA')][wins.cols.indexOf('alpha-1')]).toBeCloseTo(2 / 3, 12);
  });
});

describe('bad input', () => {
  it('refuses an unknown dimension, an unknown metric and a series too long to draw', async () => {
    const bad = async (path: string, field: string) => {
      const response = await server.request('GET', `/api/v1/analytics/${path}`, { key });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.field).toBe(field);
    };
    await bad('heatmap?rows=password', 'rows');
    await bad('heatmap?rows=model&metric=vibes', 'metric');
    await bad('usage-trends?days=1000&interval=hour', 'interval');
    await bad('overview?colour=blue', 'colour');
  });
});
