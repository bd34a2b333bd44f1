// Seed 001 (LLM-Lens) under /compat/llm-lens: calls recorded here and through the gateway to a
// fake upstream, then each endpoint in the seed's shape with figures computed here, its form
// writes (alerts, cost settings, budgets, model comparisons), percentages where the seed has
// them, and its exports as the native ones send them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let upstream: FakeUpstream;
const API = '/compat/llm-lens/api';
const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

beforeAll(async () => {
  upstream = await startFakeUpstream();
  upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  server = await startTestServer({ providers: [{ name: 'local', type: 'openai', base_url: upstream.baseUrl, models: ['llama2', 'gpt4all'], max_retries: 0 }] });
  const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  const calls = [
    { id: 'lens-1', provider: 'local', model: 'llama2', started_at: at(30), latency_ms: 1000, ttft_ms: 200, tokens_per_second: 20, is_streaming: true, prompt_tokens: 50, completion_tokens: 75, params: { temperature: 0.7, max_tokens: 100 }, input: [{ role: 'user', content: 'Hello, how are you?' }], output: { role: 'assistant', content: "I'm doing well, thank you for asking!" } },
    { id: 'lens-2', provider: 'local', model: 'llama2', started_at: at(20), latency_ms: 3000, tokens_per_second: 40, prompt_tokens: 10, completion_tokens: 10 },
    { id: 'lens-3', provider: 'local', model: 'gpt4all', started_at: at(10), latency_ms: 500, status: 'error', error_type: 'server_error', error_message: 'crashed', prompt_tokens: 5 },
  ];
  expect((await server.request('POST', '/api/v1/calls', { body: calls })).statusCode).toBe(200);
  await server.recorder.settled();
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

const get = async (path: string) => {
  const response = await server.request('GET', `${API}${path}`);
  expect(response.statusCode, `${path}: ${response.body.slice(0, 200)}`).toBe(200);
  return response.json();
};

describe('seed 001 at /compat/llm-lens', () => {
  it('answers the performance, model and cost analytics with the seed names and scales', async () => {
    const performance = await get('/analytics/performance');
    expect(performance.summary).toEqual({ total_requests: 3, success_rate: 66.67, streaming_requests: 1, avg_performance_score: expect.closeTo(((1000 / 2000) + (1000 / 4000) + 0) / 3, 12) });
    expect(performance.latency_stats).toMatchObject({ mean: 1500, median: 1000 });
    expect(performance.throughput_stats).toEqual({ mean_tokens_per_sec: 30, max_tokens_per_sec: 40, min_tokens_per_sec: 20 });
    expect(performance.model_performance.gpt4all).toMatchObject({ request_count: 1, avg_latency: 500, error_rate: 100, avg_performance_score: 0 });
    const models = await get('/model-performance?hours=24');
    expect(models.time_period_hours).toBe(24);
    expect(models.models.find((row: { model_name: string }) => row.model_name === 'llama2')).toMatchObject({ avg_latency: 2000, avg_throughput: 30, request_count: 2, total_tokens: 145 });
    const costs = await get('/cost-analysis?hours=24');
    expect(Object.keys(costs.cost_breakdown).sort()).toEqual(['gpt4all', 'llama2']);
    expect(costs.cost_breakdown.llama2).toMatchObject({ requests: 2, total_tokens: 145, avg_latency: 2000 });
  });

  it('shows one log as the seed lists its fields', async () => {
    expect(await get('/logs/lens-1')).toEqual({
      id: 'lens-1', model_name: 'llama2', start_time: expect.any(String), end_time: expect.any(String), latency_ms: 1000, prompt_tokens: 50, completion_tokens: 75, total_tokens: 125,
      tokens_per_second: 20, time_to_first_token_ms: 200, performance_score: 0.5, is_streaming: true, temperature: 0.7, max_tokens: 100, request_metadata: { temperature: 0.7, max_tokens: 100 },
      input_text: 'Hello, how are you?', output_text: "I'm doing well, thank you for asking!", error_message: null,
    });
  });

  it('creates alert rules from the seed body, its error_rate in percent, and lists the events they open', async () => {
    const created = await server.request('POST', `${API}/alerts/rules`, { body: { name: 'Errors', metric: 'error_rate', threshold: 30, operator: 'gt', is_active: true } });
    expect(created.json()).toMatchObject({ message: 'Alert rule created successfully' });
    const native = (await server.request('GET', `/api/v1/alerts/rules/${created.json().id}`)).json();
    expect([native.threshold, native.window_minutes]).toEqual([0.3, 5]);
    expect((await get('/alerts/rules')).find((rule: { id: string }) => rule.id === created.json().id)).toMatchObject({ name: 'Errors', metric: 'error_rate', threshold: 30, operator: 'gt', is_active: true });
    // Widen its window to the calls above (1 of 3 failed: 33.33%), then evaluate.
    await server.request('PATCH', `/api/v1/alerts/rules/${created.json().id}`, { body: { window_minutes: 60 } });
    expect((await server.request('POST', '/api/v1/alerts/evaluate')).json().changes).toHaveLength(1);
    const [event] = await get('/alerts/events');
    expect(event).toMatchObject({ rule_name: 'Errors', threshold: 30, resolved_at: null });
    expect(event.metric_value).toBeCloseTo(100 / 3, 9);
  });

  it('takes cost settings and budgets as form fields and lists them in the seed shape', async () => {
    const saved = await server.request('POST', `${API}/cost-settings`, form({ model_name: 'llama2', cost_per_1k_input_tokens: '0.001', cost_per_1k_output_tokens: '0.002', electricity_cost_per_hour: '0.0' }));
    expect(saved.statusCode).toBe(200);
    expect((await get('/cost-settings'))[0]).toMatchObject({ id: 1, model_name: 'llama2', cost_per_1k_input_tokens: 0.001, cost_per_1k_output_tokens: 0.002, electricity_cost_per_hour: 0 });
    const budget = await server.request('POST', `${API}/budgets`, form({ name: 'Monthly AI Budget', budget_type: 'monthly', amount: '100.00' }));
    expect(budget.json()).toMatchObject({ message: 'Budget created successfully' });
    expect((await get('/budgets'))[0]).toMatchObject({ name: 'Monthly AI Budget', budget_type: 'monthly', amount: 100, current_usage: 0, is_active: true });
    const bad = await server.request('POST', `${API}/budgets`, form({ name: 'x', budget_type: 'hourly', amount: '5' }));
    expect([bad.statusCode, bad.json().success]).toEqual([400, false]);
    expect(bad.json().error).toContain('budget_type');
  });

  it('compares two models on a test prompt through the gateway, and lists the comparisons', async () => {
    const compared = await server.request('POST', `${API}/model-comparisons`, form({ comparison_name: 'LLaMA vs GPT4All', model_a: 'llama2', model_b: 'gpt4all', test_prompt: 'Explain quantum computing' }));
    expect(compared.statusCode).toBe(200);
    const row = compared.json();
    expect(row).toMatchObject({ comparison_name: 'LLaMA vs GPT4All', model_a: 'llama2', model_b: 'gpt4all', test_prompt: 'Explain quantum computing', result_a_tokens: 1200, result_b_tokens: 1200 });
    expect(row.winner).toBe(row.result_a_latency <= row.result_b_latency ? 'model_a' : 'model_b');
    expect(JSON.parse(upstream.requests.at(-1)!.body).messages).toEqual([{ role: 'user', content: 'Explain quantum computing' }]);
    await server.recorder.settled();
    const listed = await get('/model-comparisons');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: row.id, comparison_name: 'LLaMA vs GPT4All', test_prompt: 'Explain quantum computing', winner: row.winner });
  });

  it('generates and implements suggestions, and exports as the native routes do', async () => {
    const generated = await server.request('POST', `${API}/optimization-suggestions/generate`);
    expect(generated.json().message).toMatch(/^Generated \d+ optimization suggestions?$/);
    expect(Array.isArray(await get('/optimization-suggestions'))).toBe(true);
    expect((await server.request('POST', `${API}/optimization-suggestions/nope/implement`)).statusCode).toBe(404);
    const csv = await server.request('GET', `${API}/export/csv?hours=24&model=llama2`);
    expect(csv.body).toBe((await server.request('GET', '/api/v1/export/csv?hours=24&model=llama2')).body);
    const json = await server.request('GET', `${API}/export/json?hours=24`);
    expect(JSON.parse(json.body)).toHaveLength(5);
    expect((await server.request('GET', `${API}/logs/lens-1`, { key: null })).statusCode).toBe(401);
  });
});
