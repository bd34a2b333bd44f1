// A caller's own provider key (x-loupe-provider-key) through real HTTP to fake upstreams: sent
// instead of the provider's key only to providers that take one, never recorded, refused by
// name when nothing serving the model takes one; a caller's 429 does not open the provider's
// circuit; Anthropic's Messages API and token counts carry it as x-api-key; the setting is
// part of the provider registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const CLIENT_KEY = 'sk-proj-caller-owned-0123456789';
const SONNET = 'claude-sonnet-4-20250514';
let byok: FakeUpstream;
let fixed: FakeUpstream;
let quota: FakeUpstream;
let anthropic: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  [byok, fixed, quota, anthropic] = await Promise.all([startFakeUpstream(), startFakeUpstream(), startFakeUpstream(), startFakeUpstream()]);
  for (const upstream of [byok, fixed, quota]) upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  server = await startTestServer({
    upstream_allowlist: ['127.0.0.1'],
    providers: [
      { name: 'byok', type: 'openai', base_url: byok.baseUrl, api_key: 'sk-operator', models: ['gpt-4o'], priority: 1, max_retries: 0, allow_client_key: true },
      { name: 'fixed', type: 'openai-compatible', base_url: fixed.baseUrl, api_key: 'sk-fixed', models: ['gpt-4o', 'fixed-model'], priority: 2, max_retries: 0 },
      { name: 'quota', type: 'openai', base_url: quota.baseUrl, api_key: 'sk-quota', models: ['quota-model'], max_retries: 0, circuit_breaker_threshold: 1, circuit_breaker_timeout: 600, allow_client_key: true },
      { name: 'anthropic', type: 'anthropic', base_url: anthropic.baseUrl, api_key: 'sk-ant-operator', models: [SONNET], max_retries: 0, allow_client_key: true },
    ],
  });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([byok, fixed, quota, anthropic].map((upstream) => upstream?.close()));
});

const chat = (model: string, headers: Record<string, string> = {}) =>
  server.request('POST', '/v1/chat/completions', { headers, body: { model, messages: [{ role: 'user', content: 'Hi' }] } });
const withKey = { 'x-loupe-provider-key': CLIENT_KEY };

describe("a caller's own provider key", () => {
  it("is sent instead of the provider's key, and the call says whose key paid without keeping the key", async () => {
    const answered = await chat('gpt-4o', withKey);
    expect(answered.statusCode, answered.body).toBe(200);
    expect(byok.requests.at(-1)!.headers.authorization).toBe(`Bearer ${CLIENT_KEY}`);
    const plain = await chat('gpt-4o');
    expect(plain.statusCode).toBe(200);
    expect(byok.requests.at(-1)!.headers.authorization).toBe('Bearer sk-operator');
    await server.recorder.settled();
    const stored = (await server.request('GET', `/api/v1/logs/${answered.headers['x-loupe-call-id']}`)).json() as { properties: Record<string, string>; cost_usd: number };
    expect(stored.properties).toEqual({ provider_key: 'client' });
    expect(JSON.stringify(stored)).not.toContain('caller-owned');
    // Priced like any call: gpt-4o, 600 uncached + 400 cached prompt tokens, 200 completion tokens.
    expect(stored.cost_usd).toBeCloseTo((600 * 2.5 + 400 * 1.25 + 200 * 10) / 1e6, 9);
    const plainCall = (await server.request('GET', `/api/v1/logs/${plain.headers['x-loupe-call-id']}`)).json() as { properties: Record<string, string> };
    expect(plainCall.properties).toEqual({});
    const rows = await server.store.sql.query<{ n: number }>("SELECT count(*) AS n FROM calls WHERE CAST(input AS VARCHAR) LIKE '%caller-owned%' OR CAST(params AS VARCHAR) LIKE '%caller-owned%' OR CAST(properties AS VARCHAR) LIKE '%caller-owned%'");
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('never falls back to a provider that does not take it, and is refused by name when none serving the model does', async () => {
    const fixedBefore = fixed.requests.length;
    byok.enqueue(statusAnswer(500, '{"error":{"message":"boom","type":"server_error"}}'));
    const failed = await chat('gpt-4o', withKey);
    // Without the caller's key the call would have gone on to 'fixed'; with it, byok's answer stands.
    expect(failed.statusCode).toBe(500);
    expect(fixed.requests.length).toBe(fixedBefore);

    const refused = await chat('fixed-model', withKey);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'client_key_not_accepted', param: 'x-loupe-provider-key' });
    expect(fixed.requests.length).toBe(fixedBefore);
    expect((await chat('fixed-model')).statusCode).toBe(200);
  });

  it("keeps the cached answers of a caller's key apart from everyone else's", async () => {
    const cached = (headers: Record<string, string>) => server.request('POST', '/v1/chat/completions', { headers: { 'x-loupe-cache': 'true', ...headers }, body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Cache me' }] } });
    const state = async (headers: Record<string, string>) => (await cached(headers)).headers['x-loupe-cache'];
    expect(await state(withKey)).toBe('MISS');
    expect(await state(withKey)).toBe('HIT');
    expect(await state({ 'x-loupe-provider-key': 'sk-another-caller' })).toBe('MISS');
    expect(await state({})).toBe('MISS');
    expect(await state({})).toBe('HIT');
    expect(await state(withKey)).toBe('HIT');
  });

  it('refuses a header that cannot be a key, naming it', async () => {
    for (const value of ['   ', 'k'.repeat(4097)]) {
      const response = await chat('gpt-4o', { 'x-loupe-provider-key': value });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.param).toBe('x-loupe-provider-key');
    }
  });

  it("does not let a caller's 429 open the provider's circuit, while the provider's own 429 does", async () => {
    const health = async () => ((await server.request('GET', '/api/v1/providers/quota')).json() as { health: { circuit_state: string } }).health.circuit_state;
    quota.enqueue(statusAnswer(429, '{"error":{"message":"quota exceeded","type":"insufficient_quota"}}', { 'retry-after': '1' }));
    expect((await chat('quota-model', withKey)).statusCode).toBe(429);
    expect(await health()).toBe('closed');
    expect((await chat('quota-model', withKey)).statusCode).toBe(200);
    quota.enqueue(statusAnswer(429, '{"error":{"message":"slow down","type":"rate_limit_error"}}'));
    expect((await chat('quota-model')).statusCode).toBe(429);
    expect(await health()).toBe('open');
  });

  it("goes to Anthropic as x-api-key for messages and token counts", async () => {
    anthropic.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    const body = { model: SONNET, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };
    expect((await server.request('POST', '/v1/messages', { headers: withKey, body })).statusCode).toBe(200);
    expect(anthropic.requests.at(-1)!.headers['x-api-key']).toBe(CLIENT_KEY);
    anthropic.respondWith({ kind: 'json', body: '{"input_tokens":9}' });
    expect((await server.request('POST', '/v1/messages/count_tokens', { headers: withKey, body })).json()).toEqual({ input_tokens: 9 });
    expect(anthropic.requests.at(-1)!.headers['x-api-key']).toBe(CLIENT_KEY);
    // OpenAI's chat format to Anthropic carries it the same way.
    anthropic.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    expect((await chat(SONNET, withKey)).statusCode).toBe(200);
    expect(anthropic.requests.at(-1)!.headers['x-api-key']).toBe(CLIENT_KEY);
  });

  it('is allowed per provider through the registry API, for providers added there', async () => {
    const created = await server.request('POST', '/api/v1/providers', { body: { name: 'lab', type: 'vllm', base_url: fixed.baseUrl, models: ['lab-model'], allow_client_key: true } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'lab', allow_client_key: true });
    expect((await chat('lab-model', withKey)).statusCode).toBe(200);
    expect(fixed.requests.at(-1)!.headers.authorization).toBe(`Bearer ${CLIENT_KEY}`);
    expect((await server.request('PATCH', '/api/v1/providers/lab', { body: { allow_client_key: false } })).json()).toMatchObject({ allow_client_key: false });
    expect((await chat('lab-model', withKey)).statusCode).toBe(400);
    // A provider of the config file changes it there.
    const refused = await server.request('PATCH', '/api/v1/providers/byok', { body: { allow_client_key: false } });
    expect([refused.statusCode, refused.json().error.field]).toEqual([400, 'allow_client_key']);
    const listed = (await server.request('GET', '/api/v1/providers')).json() as { providers: { name: string; allow_client_key: boolean }[] };
    expect(Object.fromEntries(listed.providers.map((provider) => [provider.name, provider.allow_client_key]))).toMatchObject({ byok: true, fixed: false, lab: false });
    expect((await server.request('DELETE', '/api/v1/providers/lab')).statusCode).toBe(200);
  });
});
