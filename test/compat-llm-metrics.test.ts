// Seed 004 (LLM Metrics) served under /compat/llm-metrics: requests recorded through its own
// record endpoint, then every endpoint answered in the seed's shape with figures computed here
// (totals per provider, success rates in percent, savings against Claude Sonnet's $3 / $15 per
// 1M tokens), its error shape, and the same key rules as the native routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
const BASE = '/compat/llm-metrics/api/llm';

const RECORDS = [
  { provider: 'ollama', model: 'llama3.2', status: 'success', prompt_tokens: 150, completion_tokens: 300, duration_seconds: 0.5, session_id: 'session-123', user_id: 'user-1', metadata: { temperature: 0.7 } },
  { provider: 'ollama', model: 'llama3.2', status: 'success', prompt_tokens: 100, completion_tokens: 200, duration_seconds: 0.7 },
  { provider: 'ollama', model: 'llama3.2', status: 'failed', error_message: 'connection refused', duration_seconds: 0.1 },
  { provider: 'claude', model: 'claude-sonnet-4-20250514', status: 'success', prompt_tokens: 1000, completion_tokens: 500, duration_seconds: 1.2, is_fallback: true, original_provider: 'ollama' },
];

beforeAll(async () => {
  server = await startTestServer({
    providers: [
      { name: 'ollama', display_name: 'Ollama (Local)', type: 'ollama', base_url: 'http://127.0.0.1:11434', models: ['llama3.2'], priority: 1 },
      { name: 'claude', display_name: 'Claude (Anthropic)', type: 'anthropic', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-ant', models: ['claude-sonnet-4-20250514'], priority: 3 },
    ],
  });
  for (const record of RECORDS) {
    const response = await server.request('POST', `${BASE}/record`, { body: record });
    expect(response.json()).toEqual({ success: true, message: 'Request recorded' });
  }
  await server.recorder.settled();
});
afterAll(async () => server.close());

describe('seed 004 at /compat/llm-metrics', () => {
  it('lists providers with numbered ids, status and health', async () => {
    const body = (await server.request('GET', `${BASE}/providers`)).json();
    expect(body.success).toBe(true);
    expect(body.providers.map((provider: { id: number; name: string; status: string; is_enabled: number; provider_type: string }) => [provider.id, provider.name, provider.status, provider.is_enabled, provider.provider_type]))
      .toEqual([[1, 'ollama', 'healthy', 1, 'local'], [2, 'claude', 'healthy', 1, 'remote']]);
    expect(body.providers[0]).toMatchObject({ display_name: 'Ollama (Local)', base_url: 'http://127.0.0.1:11434', priority: 1, circuit_state: 'closed', is_available: 1 });
  });

  it('gives usage per provider with the seed names, success rate in percent', async () => {
    const body = (await server.request('GET', `${BASE}/metrics?days=7`)).json();
    expect(body).toMatchObject({ success: true, days: 7 });
    const ollama = body.metrics.find((row: { provider_name: string }) => row.provider_name === 'ollama');
    expect(ollama).toMatchObject({
      provider_id: 1, display_name: 'Ollama (Local)', provider_type: 'local', total_requests: 3, successful_requests: 2, failed_requests: 1,
      prompt_tokens: 250, completion_tokens: 500, total_tokens: 750, total_cost_usd: 0, fallback_count: 0, success_rate: 66.67,
    });
    expect(ollama.avg_duration_seconds).toBeCloseTo((0.5 + 0.7 + 0.1) / 3, 9);
    const claude = body.metrics.find((row: { provider_name: string }) => row.provider_name === 'claude');
    expect(claude).toMatchObject({ provider_id: 2, total_requests: 1, successful_requests: 1, fallback_count: 1, success_rate: 100 });
    const one = (await server.request('GET', `${BASE}/metrics?provider=ollama&days=30`)).json();
    expect(one.metrics.map((row: { provider_name: string }) => row.provider_name)).toEqual(['ollama']);
  });

  it('gives costs with the savings of the local calls against Claude Sonnet', async () => {
    const body = (await server.request('GET', `${BASE}/costs?days=30`)).json();
    const claudeCost = 1000 * 3e-6 + 500 * 15e-6;
    const hypothetical = (250 + 1000) * 3e-6 + (500 + 500) * 15e-6;
    expect(body.success).toBe(true);
    expect(body.costs).toMatchObject({ total_requests: 4, local_requests: 3, remote_requests: 1, total_tokens: 2250, days: 30 });
    expect(body.costs.total_cost_usd).toBeCloseTo(claudeCost, 12);
    expect(body.costs.hypothetical_claude_cost_usd).toBeCloseTo(hypothetical, 12);
    expect(body.costs.estimated_savings_usd).toBeCloseTo(hypothetical - claudeCost, 12);
    expect(body.costs.savings_percentage).toBeCloseTo(((hypothetical - claudeCost) / hypothetical) * 100, 9);
    expect(body.costs.providers.find((row: { name: string }) => row.name === 'ollama')).toMatchObject({ id: 1, display_name: 'Ollama (Local)', provider_type: 'local', request_count: 3, actual_cost_usd: 0 });
  });

  it("gives today's trend per provider and the health summary", async () => {
    const trends = (await server.request('GET', `${BASE}/trends?days=7`)).json();
    // The day the calls were stored on (a run crossing midnight UTC must not move it).
    const stored = (await server.request('GET', '/api/v1/logs?limit=1&days=7')).json() as { data: { started_at: string }[] };
    const today = stored.data[0]!.started_at.slice(0, 10);
    expect(trends).toMatchObject({ success: true, days: 7 });
    expect(trends.trends).toEqual([
      { date: today, provider_name: 'claude', display_name: 'Claude (Anthropic)', total_requests: 1, successful_requests: 1, total_tokens: 1500, total_cost_usd: expect.closeTo(1000 * 3e-6 + 500 * 15e-6, 12) },
      { date: today, provider_name: 'ollama', display_name: 'Ollama (Local)', total_requests: 3, successful_requests: 2, total_tokens: 750, total_cost_usd: 0 },
    ]);
    expect((await server.request('GET', `${BASE}/health`)).json()).toEqual({
      success: true, health: { total_providers: 2, healthy_providers: 2, degraded_providers: 0, unavailable_providers: 0, local_providers_available: 1, remote_providers_available: 1, has_fallback: true },
    });
  });

  it('disables a provider by its number, and answers mistakes in the seed shape', async () => {
    expect((await server.request('POST', `${BASE}/providers/2/enable`, { body: { enabled: false } })).json()).toEqual({ success: true, message: 'Provider disabled' });
    expect((await server.request('GET', `${BASE}/providers`)).json().providers[1]).toMatchObject({ name: 'claude', is_enabled: 0 });
    expect((await server.request('GET', `${BASE}/health`)).json().health).toMatchObject({ remote_providers_available: 0, has_fallback: false });
    expect((await server.request('POST', `${BASE}/providers/claude/enable`, { body: { enabled: true } })).json()).toEqual({ success: true, message: 'Provider enabled' });
    const missing = await server.request('POST', `${BASE}/providers/9/enable`, { body: { enabled: true } });
    expect([missing.statusCode, missing.json()]).toEqual([404, { success: false, error: 'Provider 9 not found' }]);
    const noFlag = await server.request('POST', `${BASE}/providers/1/enable`, { body: {} });
    expect([noFlag.statusCode, noFlag.json().success]).toEqual([400, false]);
    const noProvider = await server.request('POST', `${BASE}/record`, { body: { model: 'x', status: 'success' } });
    expect([noProvider.statusCode, noProvider.json()]).toEqual([400, { success: false, error: 'Provider name required', field: 'provider' }]);
    const badDays = await server.request('GET', `${BASE}/metrics?days=-3`);
    expect([badDays.statusCode, badDays.json().success]).toEqual([400, false]);
    expect(badDays.json().error).toContain('days');
  });

  it('keeps the native key rules: no key 401, a read key may not record or enable, another project sees none of it', async () => {
    const anonymous = await server.request('GET', `${BASE}/providers`, { key: null });
    expect([anonymous.statusCode, anonymous.json().success]).toEqual([401, false]);
    const reader = await server.createKey('default', ['read']);
    expect((await server.request('POST', `${BASE}/record`, { key: reader, body: RECORDS[0] })).statusCode).toBe(403);
    expect((await server.request('POST', `${BASE}/providers/1/enable`, { key: reader, body: { enabled: false } })).statusCode).toBe(403);
    const elsewhere = await server.createKey('elsewhere', ['read']);
    expect((await server.request('GET', `${BASE}/metrics`, { key: elsewhere })).json().metrics).toEqual([]);
    // X-API-Key, as the seed documents it.
    const byHeader = await server.request('GET', `${BASE}/health`, { key: null, headers: { 'x-api-key': ADMIN_KEY } });
    expect(byHeader.statusCode).toBe(200);
  });

  it('counts timeouts apart from failures and gives each provider its first and last request', async () => {
    const timedOut = await server.request('POST', `${BASE}/record`, { body: { provider: 'ollama', model: 'llama3.2', status: 'timeout', duration_seconds: 30 } });
    expect(timedOut.json()).toEqual({ success: true, message: 'Request recorded' });
    await server.recorder.settled();
    const body = (await server.request('GET', `${BASE}/metrics?days=7`)).json();
    const ollama = body.metrics.find((row: { provider_name: string }) => row.provider_name === 'ollama');
    expect(ollama).toMatchObject({ total_requests: 4, successful_requests: 2, failed_requests: 1, timeout_requests: 1, success_rate: 50 });
    const logs = (await server.request('GET', '/api/v1/logs?provider=ollama&limit=100')).json() as { data: { started_at: string }[] };
    const starts = logs.data.map((row) => row.started_at).sort();
    const seedTime = (iso: string) => iso.slice(0, 19).replace('T', ' ');
    expect([ollama.first_request_at, ollama.last_request_at]).toEqual([seedTime(starts[0]!), seedTime(starts.at(-1)!)]);
    expect(ollama.first_request_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});
