// Seed 000 (LLM analytics tied to outcomes) under /compat/llm-analytics: calls with confidence
// and a symbol, outcomes on them, and each endpoint in the seed's shape: the summary computed
// here, the others exactly the native figures they come from, `days` and `account_id` applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
const BASE = '/compat/llm-analytics/api/v1/llm-analytics';

beforeAll(async () => {
  server = await startTestServer();
  const at = (i: number) => new Date(Date.now() - (i + 1) * 3600_000).toISOString();
  const calls = [
    ...Array.from({ length: 10 }, (_, i) => ({ id: `opus-${i}`, provider: 'anthropic', model: 'claude-opus-4-7', confidence: 0.8, signal: 'BUY', account_id: 'acct-1', properties: { symbol: i % 2 ? 'EURUSD' : 'XAUUSD' }, started_at: at(i), prompt_tokens: 100, completion_tokens: 10 })),
    ...Array.from({ length: 10 }, (_, i) => ({ id: `gpt-${i}`, provider: 'openai', model: 'gpt-4o', confidence: 0.6, signal: 'SELL', account_id: 'acct-2', properties: { symbol: 'EURUSD' }, started_at: at(i), prompt_tokens: 100, completion_tokens: 10 })),
  ];
  expect((await server.request('POST', '/api/v1/calls', { body: calls })).statusCode).toBe(200);
  // claude-opus-4-7: 6 wins of +100, 2 losses of -50; gpt-4o: 3 wins of +100, 5 losses of -50.
  const outcomes = [
    ...Array.from({ length: 8 }, (_, i) => ({ target: `opus-${i}`, status: i < 6 ? 'win' : 'loss', value: i < 6 ? 100 : -50, lesson: i < 6 ? 'Waited for confirmation' : null })),
    ...Array.from({ length: 8 }, (_, i) => ({ target: `gpt-${i}`, status: i < 3 ? 'win' : 'loss', value: i < 3 ? 100 : -50, lesson: i < 3 ? null : 'Stop loss too tight' })),
  ];
  expect((await server.request('POST', '/api/v1/outcomes', { body: outcomes })).statusCode).toBe(201);
  await server.recorder.settled();
});
afterAll(async () => server.close());

const get = async (path: string) => {
  const response = await server.request('GET', path);
  expect(response.statusCode, path).toBe(200);
  return response.json();
};

describe('seed 000 at /compat/llm-analytics', () => {
  it('sums up the calls and their outcomes', async () => {
    expect(await get(`${BASE}/summary`)).toEqual({
      total_calls: 20, total_cost_usd: expect.any(Number), avg_confidence: expect.closeTo(0.7, 12), avg_win_rate: 9 / 16, total_pnl: 6 * 100 - 2 * 50 + 3 * 100 - 5 * 50,
      best_model: 'claude-opus-4-7', most_used_provider: 'anthropic',
    });
    expect(await get(`${BASE}/summary?account_id=acct-2`)).toMatchObject({ total_calls: 10, avg_win_rate: 3 / 8, total_pnl: 50, best_model: 'gpt-4o', most_used_provider: 'openai' });
    expect((await get(`${BASE}/summary?days=30`)).total_calls).toBe(20);
  });

  it('answers every other endpoint with the native figures in the seed shape', async () => {
    const q = 'days=30';
    const performance = await get(`${BASE}/model-performance`);
    expect(performance).toEqual((await get(`/api/v1/analytics/outcomes/model-performance?${q}`)).data);
    expect(performance.find((row: { model: string }) => row.model === 'claude-opus-4-7')).toMatchObject({ provider: 'anthropic', calls: 10, avg_confidence: expect.closeTo(0.8, 12), win_rate: 0.75, total_pnl: 500 });
    const heatmap = await get(`/api/v1/analytics/heatmap?rows=property.symbol&cols=model&metric=win_rate&${q}`);
    expect(await get(`${BASE}/heatmap`)).toEqual({ symbols: heatmap.rows, models: heatmap.cols, data: heatmap.data });
    expect(heatmap.rows).toEqual(['EURUSD', 'XAUUSD']);
    expect(await get(`${BASE}/pnl-timeline`)).toEqual(await get(`/api/v1/analytics/outcomes/pnl-timeline?${q}`));
    expect(await get(`${BASE}/pipelines`)).toEqual((await get(`/api/v1/analytics/outcomes/pipelines?${q}`)).data);
    expect(await get(`${BASE}/cost-trend`)).toEqual((await get(`/api/v1/analytics/cost-trend?interval=day&${q}`)).series);
    const calibration = await get(`${BASE}/learning/confidence-calibration`);
    expect(calibration).toEqual((await get(`/api/v1/analytics/outcomes/calibration?${q}`)).buckets);
    expect(calibration.map((bucket: { count: number }) => bucket.count).reduce((a: number, b: number) => a + b, 0)).toBe(16);
    expect((await get(`${BASE}/learning/signal-reliability`)).map((row: { signal: string; win_rate: number }) => [row.signal, row.win_rate])).toEqual([['BUY', 0.75], ['SELL', 3 / 8]]);
    expect((await get(`${BASE}/learning/lessons`)).map((row: { lesson: string; frequency: number; avg_pnl_impact: number }) => [row.lesson, row.frequency, row.avg_pnl_impact]))
      .toEqual([['waited for confirmation', 6, 100], ['stop loss too tight', 5, -50]]);
    expect(await get(`${BASE}/learning/research-config`)).toEqual((await get('/api/v1/research-config')).config);
  });

  it('refuses a bad window in the seed shape, and keeps the key rules', async () => {
    const bad = await server.request('GET', `${BASE}/summary?days=0`);
    expect([bad.statusCode, bad.json().success]).toEqual([400, false]);
    expect(bad.json().error).toContain('days');
    expect((await server.request('GET', `${BASE}/summary`, { key: null })).statusCode).toBe(401);
    const elsewhere = await server.createKey('elsewhere', ['read']);
    expect((await server.request('GET', `${BASE}/summary`, { key: elsewhere })).json()).toMatchObject({ total_calls: 0, total_pnl: 0, best_model: null });
  });
});
