// Routing, fallback, circuit breakers and the provider registry over real HTTP, against two
// fake upstreams; plus the outbound URL checks on providers added through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../src/live/event-bus.js';
import { fixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let primary: FakeUpstream;
let backup: FakeUpstream;
let server: TestServer;
const events: LiveEvent[] = [];

beforeAll(async () => {
  primary = await startFakeUpstream();
  backup = await startFakeUpstream();
  server = await startTestServer({
    upstream_allowlist: ['127.0.0.1'],
    providers: [
      { name: 'primary', type: 'openai', base_url: primary.baseUrl, api_key: 'sk-primary-secret', models: ['gpt-4o'], priority: 1, max_retries: 0, circuit_breaker_threshold: 2, circuit_breaker_timeout: 600 },
      { name: 'backup', type: 'openai', base_url: backup.baseUrl, api_key: 'sk-backup', models: ['gpt-4o'], priority: 2, max_retries: 0 },
    ],
  });
  server.liveBus.subscribe('*', (event) => events.push(event));
});
afterAll(async () => {
  await server.close();
  await primary.close();
  await backup.close();
});

const chat = () => server.request('POST', '/v1/chat/completions', { body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } });

describe('fallback and circuit breaker', () => {
  it('falls back to the next provider on a 5xx and records both attempts under one request id', async () => {
    primary.respondWith({ kind: 'json', status: 500, body: '{"error":{"message":"boom","type":"server_error"}}' });
    backup.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const response = await chat();
    expect(response.statusCode).toBe(200);
    await server.recorder.settled();
    const answered = (await server.store.calls.get('default', response.headers['x-loupe-call-id'] as string))!;
    expect([answered.provider, answered.is_fallback, answered.original_provider, answered.attempt]).toEqual(['backup', true, 'primary', 2]);
    const attempts = await server.store.sql.query<{ provider: string; status: string; http_status: number }>('SELECT provider, status, http_status FROM calls WHERE request_id = $1 ORDER BY attempt', [answered.request_id]);
    expect(attempts).toEqual([{ provider: 'primary', status: 'error', http_status: 500 }, { provider: 'backup', status: 'success', http_status: 200 }]);
    // The first attempt carries the request's id; request details find the chain by either id.
    for (const id of [answered.request_id, answered.id]) {
      const details = await server.request('GET', `/api/v1/requests/${id}`);
      expect(details.statusCode, details.body).toBe(200);
      const { request_id: requestId, attempts, calls } = details.json() as { request_id: string; attempts: number; calls: { id: string; provider: string; attempt: number }[] };
      expect([requestId, attempts]).toEqual([answered.request_id, 2]);
      expect(calls.map((call) => [call.id, call.provider, call.attempt])).toEqual([[answered.request_id, 'primary', 1], [answered.id, 'backup', 2]]);
      const messages = await server.request('GET', `/api/v1/requests/${id}/messages`);
      expect((messages.json() as { call_id: string }).call_id).toBe(answered.id);
    }
  });

  it('opens the circuit after the threshold, then skips the provider, and says so in health and events', async () => {
    await chat();
    const before = primary.requests.length;
    const third = await chat();
    expect(third.statusCode).toBe(200);
    expect(primary.requests.length).toBe(before);
    const listed = (await server.request('GET', '/api/v1/providers')).json().providers;
    const health = listed.find((p: { name: string }) => p.name === 'primary').health;
    expect([health.circuit_state, health.is_available, health.failed_requests]).toEqual(['open', false, 2]);
    expect(events.some((event) => event.type === 'provider_status_changed' && (event.data as { provider: string; to: string }).to === 'open')).toBe(true);
    expect((await server.request('GET', '/api/v1/health')).json()).toEqual({
      total_providers: 2, healthy_providers: 1, degraded_providers: 0, unavailable_providers: 1,
      local_providers_available: 0, remote_providers_available: 1, has_fallback: false,
    });
    // Persisted without the gateway waiting for it.
    const stored = () => server.store.sql.query<{ circuit_state: string }>("SELECT circuit_state FROM provider_health WHERE name = 'primary'").then((rows) => rows[0]?.circuit_state);
    await expect.poll(stored, { timeout: 5_000 }).toBe('open');
  });

  it('answers 503 when every provider that serves the model is unavailable', async () => {
    await server.request('POST', '/api/v1/providers/backup/enable', { body: { enabled: false } });
    const response = await chat();
    expect([response.statusCode, response.json().error.code]).toEqual([503, 'provider_unavailable']);
    await server.request('POST', '/api/v1/providers/backup/enable', { body: { enabled: true } });
  });
});

describe('provider registry API', () => {
  it('never returns keys, and seals them at rest', async () => {
    const listed = (await server.request('GET', '/api/v1/providers')).json();
    expect(JSON.stringify(listed)).not.toContain('sk-primary-secret');
    expect(listed.providers[0].has_api_key).toBe(true);
    const rows = await server.store.sql.query<{ api_key_sealed: string }>('SELECT api_key_sealed FROM providers');
    expect(rows.every((row) => !row.api_key_sealed.includes('sk-'))).toBe(true);
  });

  it('refuses base URLs that reach private, loopback or link-local addresses, in every spelling', async () => {
    for (const url of ['http://169.254.169.254/latest', 'http://[::1]:8080/v1', 'http://[::ffff:127.0.0.2]/v1', 'http://2130706434/v1', 'http://0.0.0.0/v1', 'http://10.1.2.3/v1', 'http://user:pass@api.example.com/v1', 'file:///etc/passwd']) {
      const response = await server.request('POST', '/api/v1/providers', { body: { name: 'sneaky', type: 'openai', base_url: url } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.field).toBe('base_url');
    }
  });

  it('adds an allow-listed local provider, tests it, routes to it by name, and removes it', async () => {
    const local = await startFakeUpstream();
    try {
      const created = await server.request('POST', '/api/v1/providers', { body: { name: 'lab', type: 'vllm', base_url: local.baseUrl, api_key: 'sk-lab', models: ['qwen'] } });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ name: 'lab', source: 'api', provider_type: 'local', has_api_key: true });
      local.respondWith({ kind: 'json', body: '{"object":"list","data":[{"id":"qwen","object":"model"}]}' });
      const test = (await server.request('POST', '/api/v1/providers/lab/test')).json();
      expect(test).toMatchObject({ reachable: true, ok: true, status: 200, models: ['qwen'] });
      expect(local.requests.at(-1)!.headers.authorization).toBe('Bearer sk-lab');
      local.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
      const routed = await server.request('POST', '/v1/chat/completions', { body: { model: 'lab/qwen', messages: [{ role: 'user', content: 'hi' }] } });
      expect(routed.statusCode).toBe(200);
      expect(JSON.parse(local.requests.at(-1)!.body).model).toBe('qwen');
      expect((await server.request('DELETE', '/api/v1/providers/primary')).statusCode).toBe(400);
      expect((await server.request('DELETE', '/api/v1/providers/lab')).statusCode).toBe(200);
      expect((await server.request('GET', '/api/v1/providers/lab')).statusCode).toBe(404);
    } finally {
      await local.close();
    }
  });

  it('applies breaker settings changed through the API to the next failure', async () => {
    const shaky = await startFakeUpstream();
    try {
      expect((await server.request('POST', '/api/v1/providers', { body: { name: 'shaky', type: 'vllm', base_url: shaky.baseUrl, models: ['shaky-model'], max_retries: 0 } })).statusCode).toBe(201);
      shaky.respondWith({ kind: 'json', status: 500, body: '{"error":{"message":"boom","type":"server_error"}}' });
      const call = () => server.request('POST', '/v1/chat/completions', { body: { model: 'shaky-model', messages: [{ role: 'user', content: 'hi' }] } });
      const state = async () => (await server.request('GET', '/api/v1/providers/shaky')).json().health.circuit_state as string;
      // The default threshold is 5: one failure leaves the circuit closed.
      expect((await call()).statusCode).toBe(500);
      expect(await state()).toBe('closed');
      const patched = await server.request('PATCH', '/api/v1/providers/shaky', { body: { circuit_breaker_threshold: 2, circuit_breaker_timeout: 900 } });
      expect(patched.statusCode).toBe(200);
      expect((await call()).statusCode).toBe(500);
      expect(await state()).toBe('open');
      // Open for the new 900 s: refused without a request upstream.
      const sent = shaky.requests.length;
      expect((await call()).statusCode).toBe(503);
      expect(shaky.requests.length).toBe(sent);
    } finally {
      await server.request('DELETE', '/api/v1/providers/shaky');
      await shaky.close();
    }
  });

  it('reports an unreachable provider without leaking its error text', async () => {
    await server.request('POST', '/api/v1/providers', { body: { name: 'gone', type: 'openai', base_url: 'http://127.0.0.1:9/v1' } });
    const test = (await server.request('POST', '/api/v1/providers/gone/test')).json();
    expect(test).toMatchObject({ reachable: false, ok: false });
    expect(test.error).toMatch(/^could not connect \(/);
    await server.request('DELETE', '/api/v1/providers/gone');
  });
});
