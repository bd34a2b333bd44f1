// Keys' gateway rate limits through real HTTP to a fake OpenAI upstream: requests and tokens per
// minute, refused with OpenAI's 429 and Retry-After before any provider is called, recorded as
// free refusals; limits set at creation and changed later; bad input by field. And failed
// attempts that produced no answer count no tokens and no cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, statusAnswer, openAiProviderAt, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;
const BODY = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Describe the picture' }] };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  server = await startTestServer({ providers: [{ ...openAiProviderAt(upstream, ['gpt-4o']), max_retries: 0 }] });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

async function newKey(body: Record<string, unknown>) {
  const created = await server.request('POST', '/api/v1/keys', { body: { name: 'limited', scopes: ['gateway'], ...body } });
  expect(created.statusCode, created.body).toBe(201);
  return created.json() as { id: string; key: string; rate_limit_rpm: number | null; rate_limit_tpm: number | null };
}
const chat = (key: string) => server.request('POST', '/v1/chat/completions', { key, body: BODY });
async function stored(id: string) {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${id}`)).json() as Record<string, unknown>;
}

describe('gateway rate limits per key', () => {
  it('admits a key its requests per minute, then answers 429 with Retry-After without calling the provider', async () => {
    const key = await newKey({ rate_limit_rpm: 2 });
    expect([key.rate_limit_rpm, key.rate_limit_tpm]).toEqual([2, null]);
    const listed = ((await server.request('GET', '/api/v1/keys')).json() as { data: { id: string; rate_limit_rpm: number | null }[] }).data.find((k) => k.id === key.id);
    expect(listed?.rate_limit_rpm).toBe(2);

    const sentBefore = upstream.requests.length;
    expect((await chat(key.key)).statusCode).toBe(200);
    expect((await chat(key.key)).statusCode).toBe(200);
    const refused = await chat(key.key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(refused.json().error.message).toContain('2 requests per minute');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect([refused.headers['x-ratelimit-limit-requests'], refused.headers['x-ratelimit-remaining-requests']]).toEqual(['2', '0']);
    expect(upstream.requests.length - sentBefore).toBe(2);

    // The refusal is a call of its own: an error that used nothing.
    const call = await stored(String(refused.headers['x-loupe-call-id']));
    expect(call).toMatchObject({ status: 'error', http_status: 429, error_type: 'rate_limited', prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, model: 'gpt-4o' });
    // Another key has its own minute.
    expect((await server.request('POST', '/v1/chat/completions', { body: BODY })).statusCode).toBe(200);
  });

  it('counts the tokens of recorded calls against a tokens-per-minute limit', async () => {
    const key = await newKey({ rate_limit_tpm: 1000 });
    // openai/chat.json reports 1,200 tokens: the first call is admitted and takes the minute's room.
    const first = await chat(key.key);
    expect(first.statusCode).toBe(200);
    await server.recorder.settled();
    const refused = await chat(key.key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded' });
    expect(refused.headers['x-ratelimit-limit-tokens']).toBe('1000');
  });

  it('applies a changed limit at once, keeps the one not given, and removes one set to null', async () => {
    const key = await newKey({ rate_limit_rpm: 1, rate_limit_tpm: 1_000_000 });
    expect((await chat(key.key)).statusCode).toBe(200);
    expect((await chat(key.key)).statusCode).toBe(429);
    const changed = await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { rate_limit_rpm: null } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ id: key.id, rate_limit_rpm: null, rate_limit_tpm: 1_000_000 });
    expect((await chat(key.key)).statusCode).toBe(200);
  });

  it('refuses bad limits by field, unknown or revoked keys, and callers without admin', async () => {
    const key = await newKey({});
    const cases: [string, string, Record<string, unknown>, number, string][] = [
      ['POST', '/api/v1/keys', { name: 'x', scopes: ['gateway'], rate_limit_rpm: 0 }, 400, 'rate_limit_rpm'],
      ['POST', '/api/v1/keys', { name: 'x', scopes: ['gateway'], rate_limit_tpm: 1.5 }, 400, 'rate_limit_tpm'],
      ['PATCH', `/api/v1/keys/${key.id}`, { rate_limit_rpm: -3 }, 400, 'rate_limit_rpm'],
      ['PATCH', `/api/v1/keys/${key.id}`, { rate_limit_rpm: '5' }, 400, 'rate_limit_rpm'],
      ['PATCH', `/api/v1/keys/${key.id}`, {}, 400, 'rate_limit'],
      ['PATCH', `/api/v1/keys/${key.id}`, { rate_limit_rpm: 5, scopes: ['admin'] }, 400, 'scopes'],
      ['PATCH', '/api/v1/keys/no-such-key', { rate_limit_rpm: 5 }, 404, 'key'],
    ];
    for (const [method, url, body, status, text] of cases) {
      const response = await server.request(method as 'POST', url, { body });
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(body)}`).toBe(status);
      expect(response.body).toContain(text);
    }
    const reader = await server.createKey('default', ['read']);
    expect((await server.request('PATCH', `/api/v1/keys/${key.id}`, { key: reader, body: { rate_limit_rpm: 5 } })).statusCode).toBe(403);
    expect((await server.request('DELETE', `/api/v1/keys/${key.id}`)).statusCode).toBe(200);
    expect((await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { rate_limit_rpm: 5 } })).statusCode).toBe(404);
  });
});

describe('keys that expire', () => {
  it('works until its expiry and is refused from that moment, on every route and even when cached', async () => {
    const expiresAt = Date.now() + 700;
    const key = await newKey({ expires_at: new Date(expiresAt).toISOString() });
    expect(key).toMatchObject({ expires_at: new Date(expiresAt).toISOString(), expired: false });
    // Used, so its lookup is cached, before it expires.
    expect((await chat(key.key)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
    const refused = await chat(key.key);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('expired');
    const listed = ((await server.request('GET', '/api/v1/keys')).json() as { data: { id: string; expired: boolean }[] }).data.find((entry) => entry.id === key.id);
    expect(listed?.expired).toBe(true);
    // Nor does it open a dashboard session.
    expect((await server.request('POST', '/api/v1/session/login', { key: null, body: { key: key.key } })).statusCode).toBe(401);
  });

  it('takes an expiry at creation or later, null to lift it, and refuses one already past by name', async () => {
    const key = await newKey({});
    expect(key).toMatchObject({ expires_at: null, expired: false });
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const set = await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { expires_at: later } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ expires_at: later, rate_limit_rpm: null });
    expect((await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { expires_at: null } })).json()).toMatchObject({ expires_at: null });
    for (const [method, url, body] of [
      ['POST', '/api/v1/keys', { name: 'x', scopes: ['read'], expires_at: '2020-01-01T00:00:00Z' }],
      ['POST', '/api/v1/keys', { name: 'x', scopes: ['read'], expires_at: 'next tuesday' }],
      ['POST', '/api/v1/keys', { name: 'x', scopes: ['read'], expires_at: Date.now() + 20 * 366 * 86_400_000 }],
      ['PATCH', `/api/v1/keys/${key.id}`, { expires_at: Date.now() - 1000 }],
    ] as const) {
      const response = await server.request(method, url, { body });
      expect(response.statusCode, `${method} ${JSON.stringify(body)}`).toBe(400);
      expect(response.body).toContain('expires_at');
    }
    expect((await chat(key.key)).statusCode).toBe(200);
  });
});

describe('models a key may ask for', () => {
  it('refuses a model the key may not use with 403 before any provider, and lists only its models', async () => {
    const key = await newKey({ allowed_models: ['openai/gpt-4o-mini', 'anthropic/*'] });
    expect(key).toMatchObject({ allowed_models: ['openai/gpt-4o-mini', 'anthropic/*'] });
    const sentBefore = upstream.requests.length;
    const refused = await chat(key.key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_allowed', param: 'model' });
    expect(upstream.requests.length).toBe(sentBefore);
    const call = await stored(String(refused.headers['x-loupe-call-id']));
    expect(call).toMatchObject({ status: 'error', http_status: 403, error_type: 'model_not_allowed', prompt_tokens: 0, cost_usd: 0 });
    const models = (await server.request('GET', '/v1/models', { key: key.key })).json() as { data: { id: string }[] };
    expect(models.data).toEqual([]);

    // The bare name, the provider and model, or all of the provider's models admit it.
    for (const allowed of [['gpt-4o'], ['openai/gpt-4o'], ['openai/*']]) {
      const changed = await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { allowed_models: allowed } });
      expect(changed.json()).toMatchObject({ allowed_models: allowed });
      expect((await chat(key.key)).statusCode, allowed.join()).toBe(200);
      expect(((await server.request('GET', '/v1/models', { key: key.key })).json() as { data: { id: string }[] }).data.map((model) => model.id)).toEqual(['openai/gpt-4o']);
    }
    // Replays and comparisons go through the gateway for the same key: no way around its models or limits.
    const replayed = await server.request('POST', '/api/v1/replay', { key: key.key, body: { provider: 'openai', model: 'gpt-4o', prompt: 'hi' } });
    expect(replayed.statusCode).toBe(200);
    expect((await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { allowed_models: ['anthropic/*'], rate_limit_rpm: 1 } })).statusCode).toBe(200);
    const sentBefore2 = upstream.requests.length;
    const notAllowed = await server.request('POST', '/api/v1/replay', { key: key.key, body: { provider: 'openai', model: 'gpt-4o', prompt: 'hi' } });
    expect([notAllowed.statusCode, notAllowed.json().error?.code ?? notAllowed.json().error_code]).toEqual([403, 'model_not_allowed']);
    const compared = await server.request('POST', '/api/v1/replay/compare', { key: key.key, body: { prompt: 'hi', targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'openai', model: 'gpt-4o' }] } });
    expect(compared.statusCode, compared.body).toBe(200);
    expect((compared.json() as { results: { http_status: number }[] }).results.map((result) => result.http_status)).toEqual([403, 403]);
    expect(upstream.requests.length).toBe(sentBefore2);
    expect((await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { allowed_models: null, rate_limit_rpm: null } })).json()).toMatchObject({ allowed_models: null });
    const bad = await server.request('PATCH', `/api/v1/keys/${key.id}`, { body: { allowed_models: [] } });
    expect([bad.statusCode, bad.body.includes('allowed_models')]).toEqual([400, true]);
  });
});

describe('failed attempts', () => {
  it('count no tokens and no cost when the provider gave no answer', async () => {
    upstream.enqueue(statusAnswer(500, '{"error":{"message":"boom","type":"server_error"}}'));
    const failed = await server.request('POST', '/v1/chat/completions', { body: BODY });
    expect(failed.statusCode).toBe(500);
    const call = await stored(String(failed.headers['x-loupe-call-id']));
    expect(call).toMatchObject({ status: 'error', http_status: 500, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 });
  });
});
