// Seed 003 (OpenLLM Monitor) under /compat/openllm-monitor/api: calls recorded here, then every
// endpoint in the seed's shape with the figures those calls give (rates in percent), replays
// through the gateway to fake upstreams answering in OpenAI's format, and the seed's errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let openai: FakeUpstream;
let local: FakeUpstream;
const API = '/compat/openllm-monitor/api';
const GPT_ANSWER = 'The image shows a wooden boardwalk path running through a lush green field or meadow.';

beforeAll(async () => {
  [openai, local] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  local.respondWith({ kind: 'json', body: fixture('openai/chat.json'), delayMs: 120 });
  server = await startTestServer({
    providers: [
      { name: 'openai', type: 'openai', base_url: openai.baseUrl, api_key: 'sk-x', models: ['gpt-4o', 'gpt-4o-mini'], max_retries: 0 },
      { name: 'ollama', type: 'openai', base_url: local.baseUrl, models: ['llama2'], max_retries: 0 },
    ],
  });
  const started = Date.now() - 30 * 60_000;
  const calls = [
    { id: 'log-1', provider: 'openai', model: 'gpt-4o', latency_ms: 1000, prompt_tokens: 1000, completion_tokens: 200, input: [{ role: 'user', content: 'Hello, world!' }], output: { role: 'assistant', content: 'Hello! How can I help you?' } },
    { id: 'log-2', provider: 'openai', model: 'gpt-4o-mini', latency_ms: 2000, prompt_tokens: 100, completion_tokens: 10, input: [{ role: 'user', content: 'Summarize' }], output: { role: 'assistant', content: 'Done.' } },
    { id: 'log-3', provider: 'ollama', model: 'llama2', latency_ms: 3000, status: 'error', error_type: 'server_error', error_message: 'model not loaded', input: 'raw prompt' },
    { id: 'log-4', provider: 'ollama', model: 'llama2', latency_ms: 4000, prompt_tokens: 50, completion_tokens: 50, status: 'timeout' },
  ].map((call, index) => ({ ...call, started_at: new Date(started + index * 60_000).toISOString() }));
  expect((await server.request('POST', '/api/v1/calls', { body: calls })).statusCode).toBe(200);
  await server.recorder.settled();
});
afterAll(async () => {
  await server.close();
  await Promise.all([openai.close(), local.close()]);
});

const get = async (path: string) => {
  const response = await server.request('GET', `${API}${path}`);
  expect(response.statusCode, `${path}: ${response.body.slice(0, 200)}`).toBe(200);
  const body = response.json();
  expect(body.success).toBe(true);
  return body.data;
};
const post = async (path: string, body: unknown) => server.request('POST', `${API}${path}`, { body });

describe('seed 003 at /compat/openllm-monitor/api', () => {
  it('pages logs with their prompt, response, usage and the seed pagination, filtered and sorted', async () => {
    const page = await get('/logs?page=1&limit=3&sortBy=duration&sortOrder=asc');
    expect(page.logs.map((log: { _id: string }) => log._id)).toEqual(['log-1', 'log-2', 'log-3']);
    expect(page.pagination).toEqual({ currentPage: 1, totalPages: 2, totalCount: 4, hasNext: true, hasPrev: false });
    expect(page.logs[0]).toMatchObject({
      provider: 'openai', model: 'gpt-4o', prompt: 'Hello, world!', response: 'Hello! How can I help you?', tokenUsage: { promptTokens: 1000, completionTokens: 200, totalTokens: 1200 },
      duration: 1000, status: 'success', error: null,
    });
    expect(page.logs[0].cost).toBeCloseTo(1000 * 2.5e-6 + 200 * 10e-6, 12);
    expect(page.logs[2]).toMatchObject({ prompt: 'raw prompt', response: null, status: 'error', error: 'model not loaded' });
    const second = await get('/logs?page=2&limit=3&sortBy=duration&sortOrder=asc');
    expect([second.logs.map((log: { _id: string }) => log._id), second.pagination.hasPrev, second.pagination.hasNext]).toEqual([['log-4'], true, false]);
    // "error" in the seed is every call that did not succeed: the timeout too.
    const errors = await get('/logs?status=error&provider=ollama');
    expect(errors.logs.map((log: { _id: string }) => log._id).sort()).toEqual(['log-3', 'log-4']);
    expect((await get('/logs?search=hello')).logs.map((log: { _id: string }) => log._id)).toEqual(['log-1']);
    expect((await get('/logs/log-2')).log).toMatchObject({ _id: 'log-2', prompt: 'Summarize', response: 'Done.' });
  });

  it('gives the log stats and the analytics with the seed names, rates in percent', async () => {
    const stats = await get('/logs/stats?timeframe=24');
    expect(stats.overview).toMatchObject({ totalRequests: 4, successRate: 50, errorRate: 50, avgDuration: 2500, totalTokens: 1200 + 110 + 100 });
    expect(stats.providerStats.find((row: { provider: string }) => row.provider === 'ollama')).toMatchObject({ requests: 2, successRate: 0, avgDuration: 3500 });
    expect(stats.recentActivity[0]).toMatchObject({ _id: 'log-4', status: 'error', duration: 4000 });

    const overall = await get('/analytics/stats');
    expect(overall.overview).toMatchObject({ totalRequests: 4, successfulRequests: 2, failedRequests: 2, successRate: 50, avgDuration: 2500, medianDuration: 2500, totalProviders: 2 });
    const performance = await get('/analytics/performance');
    expect(performance.responseTime).toMatchObject({ avg: 2500, median: 2500 });
    // Linear interpolation over 1000, 2000, 3000, 4000: p95 = 3000 + 0.85 × 1000.
    expect(performance.responseTime.p95).toBeCloseTo(3850, 9);
    expect(performance.errorRate).toEqual({ overall: 50, byProvider: { ollama: 100, openai: 0 } });
    expect((await get('/analytics/errors')).errorRate).toBe(50);
    const costs = await get('/analytics/costs');
    expect(costs.totalCost).toBeCloseTo(1000 * 2.5e-6 + 200 * 10e-6 + 100 * 0.15e-6 + 10 * 0.6e-6, 12);
    expect(costs.costByModel.map((row: { model: string }) => row.model)).toContain('gpt-4o');
    expect(Object.keys(await get('/analytics/providers')).sort()).toEqual(['modelComparison', 'providerComparison', 'recommendations']);
    expect(Object.keys(await get('/analytics/trends')).sort()).toEqual(['insights', 'patterns', 'predictions', 'recommendations']);
    const usage = await get('/analytics/usage?timeframe=2');
    expect(usage.requestVolume.reduce((sum: number, row: { requests: number }) => sum + row.requests, 0)).toBe(4);
    const exported = await server.request('GET', `${API}/analytics/export?format=csv&timeframe=24`);
    expect(exported.headers['content-type']).toMatch(/text\/csv/);
    expect(exported.body).toBe((await server.request('GET', '/api/v1/export/csv?hours=24')).body);
    expect((await get('/analytics/export?timeframe=24')).logs).toHaveLength(4);
  });

  it('lists providers, their stats, recommendations and comparison, and tests a connection', async () => {
    // Same priority: in name order.
    expect((await get('/providers')).providers.map((provider: { name: string }) => provider.name)).toEqual(['ollama', 'openai']);
    expect((await get('/providers/stats')).stats.map((row: { provider: string }) => row.provider).sort()).toEqual(['ollama', 'openai']);
    expect((await get('/providers/comparison')).comparison).toHaveLength(2);
    expect(Array.isArray((await get('/providers/recommendations')).recommendations)).toBe(true);
    openai.respondWith({ kind: 'json', body: fixture('openai/models.json') });
    const connection = await get('/replay/connection/openai');
    expect(connection).toMatchObject({ provider: 'openai', connected: true, message: 'Connection successful' });
    const tested = await post('/providers/test-connection', { provider: 'openai' });
    expect(tested.json()).toMatchObject({ success: true, data: { provider: 'openai', reachable: true, ok: true } });
    openai.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  });

  it('replays a prompt and a log, compares providers, estimates and lists the models', async () => {
    const replay = await post('/replay', { provider: 'openai', model: 'gpt-4o', prompt: 'What is the capital of France?', maxTokens: 100, temperature: 0.7, stream: false });
    expect(replay.json()).toMatchObject({ success: true, data: { response: GPT_ANSWER, tokenUsage: { promptTokens: 1000, completionTokens: 200, totalTokens: 1200 }, provider: 'openai', model: 'gpt-4o' } });
    expect(replay.json().data.cost).toBeCloseTo(600 * 2.5e-6 + 400 * 1.25e-6 + 200 * 10e-6, 12);
    expect(JSON.parse(openai.requests.at(-1)!.body)).toMatchObject({ model: 'gpt-4o', max_tokens: 100, temperature: 0.7, messages: [{ role: 'user', content: 'What is the capital of France?' }] });
    const fromLog = await post('/replay/log/log-1', { provider: 'ollama', model: 'llama2', modifications: { temperature: 0.8 } });
    expect(fromLog.json().data).toMatchObject({ provider: 'ollama', model: 'llama2', response: GPT_ANSWER });
    expect(JSON.parse(local.requests.at(-1)!.body)).toMatchObject({ model: 'llama2', temperature: 0.8, messages: [{ role: 'user', content: 'Hello, world!' }] });
    const compare = await post('/replay/compare', { prompt: 'What is the capital of France?', providers: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'ollama', model: 'llama2' }], maxTokens: 100 });
    const data = compare.json().data;
    expect(data.results.map((result: { provider: string; model: string; success: boolean }) => [result.provider, result.model, result.success])).toEqual([['openai', 'gpt-4o-mini', true], ['ollama', 'llama2', true]]);
    // The local model answers 120 ms later; a provider named ollama is local, priced at $0 a call (as the seed counts it).
    expect(data.comparison).toMatchObject({ fastestProvider: 'openai', cheapestProvider: 'ollama' });
    expect(data.comparison.averageDuration).toBeCloseTo((data.results[0].duration + data.results[1].duration) / 2, 9);
    const estimate = await post('/replay/estimate', { provider: 'openai', model: 'gpt-4o', prompt: 'What is the capital of France?', maxTokens: 100 });
    const native = (await server.request('POST', '/api/v1/estimate', { body: { provider: 'openai', model: 'gpt-4o', prompt: 'What is the capital of France?', max_tokens: 100 } })).json();
    expect(estimate.json().data).toEqual({
      provider: 'openai', model: 'gpt-4o', promptTokens: native.prompt_tokens, maxCompletionTokens: 100, estimatedCost: native.estimated_cost_usd,
      costBreakdown: { promptCost: native.input_cost_usd, completionCost: native.output_cost_usd },
    });
    expect(await get('/replay/models?provider=ollama')).toEqual({ models: { ollama: ['llama2'] } });
  });

  it('deletes one and several logs, and answers mistakes with the seed error codes', async () => {
    const deleted = await server.request('DELETE', `${API}/logs/log-4`);
    expect(deleted.json()).toEqual({ success: true, data: { message: 'Log deleted successfully' } });
    const bulk = await post('/logs/bulk-delete', { ids: ['log-3', 'log-2', 'nope'] });
    expect(bulk.json()).toEqual({ success: true, data: { deletedCount: 2, message: '2 logs deleted successfully' } });
    const missing = await server.request('GET', `${API}/logs/log-4`);
    expect([missing.statusCode, missing.json().success, missing.json().code]).toEqual([404, false, 'NOT_FOUND']);
    const invalid = await post('/replay', { provider: 'openai', prompt: 'x' });
    expect([invalid.statusCode, invalid.json().code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(invalid.json().error).toContain('model');
    const noProvider = await post('/providers/test-connection', {});
    expect([noProvider.statusCode, noProvider.json().code]).toEqual([400, 'VALIDATION_ERROR']);
    const anonymous = await server.request('GET', `${API}/logs`, { key: null });
    expect([anonymous.statusCode, anonymous.json().success]).toEqual([401, false]);
  });
});
