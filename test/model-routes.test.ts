// Routes of the config file through real HTTP to two fake OpenAI-format upstreams: a route's
// name asked for as a model reaches its targets under their own model names, in the order of
// its strategy (as listed, drawn by weight, fastest first), falls back across providers and
// models, is recorded and priced per target, respects keys' allowed models, is listed in
// /v1/models and /api/v1/routes; config mistakes name their key.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/load-config.js';
import { fixture, sseFixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let primary: FakeUpstream;
let backup: FakeUpstream;
let server: TestServer;
const CHAT = fixture('openai/chat.json');
/** The recorded answer as another model gives it: a call is priced as the model that answered. */
const answeredAs = (model: string) => CHAT.replace('"gpt-4o-2024-08-06"', JSON.stringify(model));
const ask = (model: string, extra: Record<string, unknown> = {}, key?: string) =>
  server.request('POST', '/v1/chat/completions', { ...(key ? { key } : {}), body: { model, messages: [{ role: 'user', content: 'Describe the picture' }], ...extra } });
const sentModels = (upstream: FakeUpstream, from: number) => upstream.requests.slice(from).map((request) => (request.json() as { model: string }).model);

interface StoredCall {
  id: string; request_id: string; provider: string; model: string; status: string; attempt: number; is_fallback: boolean; original_provider: string | null;
  cost_usd: number | null; properties: Record<string, string>;
}
/** Every attempt of the request a call belongs to, in order. */
async function callsOf(callId: string): Promise<StoredCall[]> {
  await server.recorder.settled();
  const details = (await server.request('GET', `/api/v1/requests/${callId}`)).json() as { calls: { id: string }[] };
  return Promise.all(details.calls.map(async (row) => (await server.request('GET', `/api/v1/logs/${row.id}`)).json() as StoredCall));
}

beforeAll(async () => {
  [primary, backup] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  primary.respondWith({ kind: 'json', body: CHAT });
  backup.respondWith({ kind: 'json', body: CHAT });
  server = await startTestServer({
    providers: [
      { name: 'openai', type: 'openai', base_url: primary.baseUrl, api_key: 'sk-openai', models: ['gpt-4o', 'gpt-4o-mini', 'o3-mini'], max_retries: 0 },
      { name: 'backup', type: 'openai-compatible', base_url: backup.baseUrl, models: ['llama-3-70b', 'llama-3-8b', 'phi-3'], max_retries: 0 },
    ],
    routes: [
      { name: 'smart', targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'backup', model: 'llama-3-70b' }] },
      { name: 'tiers', targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'openai', model: 'gpt-4o-mini' }] },
      { name: 'balanced', strategy: 'weighted', targets: [{ provider: 'openai', model: 'gpt-4o-mini', weight: 3 }, { provider: 'backup', model: 'llama-3-8b', weight: 1 }] },
      // Speeds are kept per target, whatever route sends to it: targets of no other route.
      { name: 'quick', strategy: 'latency', targets: [{ provider: 'openai', model: 'o3-mini' }, { provider: 'backup', model: 'phi-3' }] },
      // A route may carry the name of a model it replaces.
      { name: 'gpt-4o', targets: [{ provider: 'backup', model: 'llama-3-70b' }, { provider: 'openai', model: 'gpt-4o' }] },
    ],
  });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([primary?.close(), backup?.close()]);
});

describe('model routes', () => {
  it("sends a route's call to its first target under the target's model, recorded and priced as that model", async () => {
    const sentBefore = primary.requests.length;
    const answer = await ask('smart');
    expect(answer.statusCode, answer.body).toBe(200);
    // The answer is the upstream's, byte for byte.
    expect(answer.body).toBe(CHAT);
    expect(sentModels(primary, sentBefore)).toEqual(['gpt-4o']);
    const [call] = await callsOf(String(answer.headers['x-loupe-call-id']));
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o', status: 'success', is_fallback: false, original_provider: null, properties: { route: 'smart' } });
    // openai/chat.json: 1,000 prompt tokens of which 400 cached, 200 completion tokens.
    // gpt-4o: $2.50 per million input, $1.25 cached, $10 output.
    expect(call!.cost_usd).toBeCloseTo((600 * 2.5 + 400 * 1.25 + 200 * 10) / 1e6, 9);
  });

  it('falls back to the next target, under its own model, when the first fails', async () => {
    const [primaryBefore, backupBefore] = [primary.requests.length, backup.requests.length];
    primary.enqueue(statusAnswer(500, JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })));
    backup.enqueue({ kind: 'json', body: answeredAs('llama-3-70b') });
    const answer = await ask('smart');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(sentModels(primary, primaryBefore)).toEqual(['gpt-4o']);
    expect(sentModels(backup, backupBefore)).toEqual(['llama-3-70b']);
    const calls = await callsOf(String(answer.headers['x-loupe-call-id']));
    expect(calls.map((call) => [call.attempt, call.provider, call.model, call.status, call.is_fallback, call.original_provider])).toEqual([
      [1, 'openai', 'gpt-4o', 'error', false, null],
      [2, 'backup', 'llama-3-70b', 'success', true, 'openai'],
    ]);
    expect(calls.every((call) => call.properties.route === 'smart')).toBe(true);
    // Not in the price catalog: unpriced, never $0.
    expect(calls[1]!.cost_usd).toBeNull();
  });

  it('counts a move to another model of the same provider as a fallback', async () => {
    const sentBefore = primary.requests.length;
    primary.enqueue(statusAnswer(503, JSON.stringify({ error: { message: 'busy', type: 'server_error' } })), { kind: 'json', body: answeredAs('gpt-4o-mini-2024-07-18') });
    const answer = await ask('tiers');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(sentModels(primary, sentBefore)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    const calls = await callsOf(String(answer.headers['x-loupe-call-id']));
    expect(calls.map((call) => [call.model, call.is_fallback, call.original_provider])).toEqual([['gpt-4o', false, null], ['gpt-4o-mini', true, 'openai']]);
    // gpt-4o-mini: $0.15 per million input, $0.075 cached, $0.60 output.
    expect(calls[1]!.cost_usd).toBeCloseTo((600 * 0.15 + 400 * 0.075 + 200 * 0.6) / 1e6, 9);
  });

  it('takes a route over the providers listing a model of the same name', async () => {
    const [primaryBefore, backupBefore] = [primary.requests.length, backup.requests.length];
    expect((await ask('gpt-4o')).statusCode).toBe(200);
    expect(sentModels(backup, backupBefore)).toEqual(['llama-3-70b']);
    expect(primary.requests.length).toBe(primaryBefore);
    // Naming the provider still reaches it directly.
    expect((await ask('openai/gpt-4o')).statusCode).toBe(200);
    expect(sentModels(primary, primaryBefore)).toEqual(['gpt-4o']);
  });

  it('spreads a weighted route by its weights', async () => {
    const [primaryBefore, backupBefore] = [primary.requests.length, backup.requests.length];
    const requests = 400;
    for (let i = 0; i < requests; i++) expect((await ask('balanced')).statusCode).toBe(200);
    const toPrimary = primary.requests.length - primaryBefore;
    expect(toPrimary + backup.requests.length - backupBefore).toBe(requests);
    // Weights 3 : 1, so 300 expected; the standard deviation is √(400 × ¾ × ¼) ≈ 8.7: five of them either way.
    expect(toPrimary).toBeGreaterThanOrEqual(257);
    expect(toPrimary).toBeLessThanOrEqual(343);
    expect(sentModels(backup, backupBefore).every((model) => model === 'llama-3-8b')).toBe(true);
  });

  it('sends a latency route to the target that answered fastest, once each was measured', async () => {
    primary.respondWith({ kind: 'json', body: CHAT, delayMs: 150 });
    try {
      const [primaryBefore, backupBefore] = [primary.requests.length, backup.requests.length];
      // Neither measured: the first as listed, then the other one, unmeasured.
      for (let i = 0; i < 2; i++) expect((await ask('quick')).statusCode).toBe(200);
      expect([primary.requests.length - primaryBefore, backup.requests.length - backupBefore]).toEqual([1, 1]);
      for (let i = 0; i < 8; i++) expect((await ask('quick')).statusCode).toBe(200);
      expect([primary.requests.length - primaryBefore, backup.requests.length - backupBefore]).toEqual([1, 9]);

      const routes = (await server.request('GET', '/api/v1/routes')).json() as { routes: { name: string; strategy: string; targets: { provider: string; model: string; weight: number; provider_enabled: boolean; circuit_state: string; latency_ms: number | null; latency_answers: number; ttft_answers: number }[] }[] };
      const quick = routes.routes.find((route) => route.name === 'quick')!;
      expect(quick.strategy).toBe('latency');
      const [slow, fast] = quick.targets;
      expect(slow).toMatchObject({ provider: 'openai', model: 'o3-mini', weight: 1, provider_enabled: true, circuit_state: 'closed', latency_answers: 1, ttft_answers: 0 });
      expect(fast).toMatchObject({ provider: 'backup', model: 'phi-3', latency_answers: 9 });
      expect(slow!.latency_ms!).toBeGreaterThanOrEqual(150);
      expect(fast!.latency_ms!).toBeLessThan(slow!.latency_ms!);
      expect(routes.routes.map((route) => route.name)).toEqual(['smart', 'tiers', 'balanced', 'quick', 'gpt-4o']);
    } finally {
      primary.respondWith({ kind: 'json', body: CHAT });
    }
  });

  it('measures streamed answers of a latency route apart, by their first token', async () => {
    primary.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt') });
    backup.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt') });
    try {
      const answer = await ask('quick', { stream: true });
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.body).toContain('data: [DONE]');
      const routes = (await server.request('GET', '/api/v1/routes')).json() as { routes: { name: string; targets: { provider: string; ttft_ms: number | null; ttft_answers: number }[] }[] };
      const streamed = routes.routes.find((route) => route.name === 'quick')!.targets.filter((target) => target.ttft_answers > 0);
      // Streams had no measure yet: the first target as listed.
      expect(streamed).toHaveLength(1);
      expect(streamed[0]!.provider).toBe('openai');
      expect(streamed[0]!.ttft_ms).toBeGreaterThanOrEqual(0);
    } finally {
      primary.respondWith({ kind: 'json', body: CHAT });
      backup.respondWith({ kind: 'json', body: CHAT });
    }
  });

  it("skips a disabled provider's targets without counting it as a fallback", async () => {
    expect((await server.request('POST', '/api/v1/providers/openai/enable', { body: { enabled: false } })).statusCode).toBe(200);
    try {
      const primaryBefore = primary.requests.length;
      const answer = await ask('smart');
      expect(answer.statusCode, answer.body).toBe(200);
      expect(primary.requests.length).toBe(primaryBefore);
      const calls = await callsOf(String(answer.headers['x-loupe-call-id']));
      expect(calls.map((call) => [call.provider, call.model, call.is_fallback])).toEqual([['backup', 'llama-3-70b', false]]);
      // A route whose every target is disabled is no model at all.
      const tiers = await ask('tiers');
      expect(tiers.statusCode).toBe(404);
      expect(tiers.json().error.code).toBe('model_not_found');
    } finally {
      expect((await server.request('POST', '/api/v1/providers/openai/enable', { body: { enabled: true } })).statusCode).toBe(200);
    }
  });

  it("uses only the targets a key's allowed models cover, or all of them when it allows the route", async () => {
    const key = async (allowed: string[]) => {
      const created = await server.request('POST', '/api/v1/keys', { body: { name: 'routes', scopes: ['gateway'], allowed_models: allowed } });
      expect(created.statusCode, created.body).toBe(201);
      return (created.json() as { key: string }).key;
    };
    const backupOnly = await key(['backup/*']);
    const primaryBefore = primary.requests.length;
    const answer = await ask('smart', {}, backupOnly);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(primary.requests.length).toBe(primaryBefore);
    const calls = await callsOf(String(answer.headers['x-loupe-call-id']));
    expect(calls.map((call) => [call.provider, call.model, call.is_fallback])).toEqual([['backup', 'llama-3-70b', false]]);

    const refused = await ask('tiers', {}, backupOnly);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('model_not_allowed');
    expect(primary.requests.length).toBe(primaryBefore);

    // The route itself allowed: every target, fallbacks included.
    const routeKey = await key(['tiers']);
    primary.enqueue(statusAnswer(500, '{"error":{"message":"down"}}'));
    const fallback = await ask('tiers', {}, routeKey);
    expect(fallback.statusCode, fallback.body).toBe(200);
    expect(sentModels(primary, primaryBefore)).toEqual(['gpt-4o', 'gpt-4o-mini']);

    // /v1/models lists the routes a key can reach.
    const listed = (await server.request('GET', '/v1/models', { key: backupOnly })).json() as { data: { id: string; owned_by: string }[] };
    expect(listed.data.filter((model) => model.owned_by === 'loupe-route').map((model) => model.id)).toEqual(['smart', 'balanced', 'quick', 'gpt-4o']);
    const all = (await server.request('GET', '/v1/models')).json() as { data: { id: string; owned_by: string }[] };
    expect(all.data.filter((model) => model.owned_by === 'loupe-route').map((model) => model.id)).toEqual(['smart', 'tiers', 'balanced', 'quick', 'gpt-4o']);
    expect(all.data.map((model) => model.id)).toContain('openai/gpt-4o-mini');
  });

  it('offers the routes with an enabled target for comparisons, and compares a route with a model', async () => {
    const offered = async () => ((await server.request('GET', '/api/v1/replay/models')).json() as { routes: string[] }).routes;
    expect(await offered()).toEqual(['smart', 'tiers', 'balanced', 'quick', 'gpt-4o']);
    expect(((await server.request('GET', '/api/v1/replay/models?provider=backup')).json() as { routes: string[] }).routes).toEqual([]);
    expect((await server.request('POST', '/api/v1/providers/openai/enable', { body: { enabled: false } })).statusCode).toBe(200);
    try {
      expect(await offered()).toEqual(['smart', 'balanced', 'quick', 'gpt-4o']);
    } finally {
      expect((await server.request('POST', '/api/v1/providers/openai/enable', { body: { enabled: true } })).statusCode).toBe(200);
    }
    const [primaryBefore, backupBefore] = [primary.requests.length, backup.requests.length];
    const compared = await server.request('POST', '/api/v1/replay/compare', { body: { prompt: 'hi', targets: [{ model: 'tiers' }, { provider: 'backup', model: 'phi-3' }] } });
    expect(compared.statusCode, compared.body).toBe(200);
    type Compared = { comparison_id: string; results: { target: { provider: string | null; model: string }; provider: string; model: string; status: string }[]; summary: { cheapest: { provider: string; model: string } } };
    const comparison = compared.json() as Compared;
    const targets = (read: Compared) => read.results.map((result) => [result.target.provider, result.target.model, result.provider, result.model, result.status]);
    expect(targets(comparison)).toEqual([
      [null, 'tiers', 'openai', 'gpt-4o', 'success'],
      ['backup', 'phi-3', 'backup', 'phi-3', 'success'],
    ]);
    expect([sentModels(primary, primaryBefore), sentModels(backup, backupBefore)]).toEqual([['gpt-4o'], ['phi-3']]);
    // The only priced answer (phi-3 has no published price) names the model that gave it.
    expect(comparison.summary.cheapest).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    // Read back from its calls, the route is still the target.
    await server.recorder.settled();
    const read = (await server.request('GET', `/api/v1/replay/comparisons/${comparison.comparison_id}`)).json() as Compared;
    expect(targets(read)).toEqual(targets(comparison));
    expect(read.summary.cheapest).toEqual(comparison.summary.cheapest);
  });

  it('refuses /api/v1/routes without a key', async () => {
    expect((await server.request('GET', '/api/v1/routes', { key: null })).statusCode).toBe(401);
  });
});

describe('model routes in the config', () => {
  const provider = { name: 'openai', type: 'openai', api_key: 'sk-x', models: ['gpt-4o'] };
  const configError = (routes: unknown) => {
    try {
      loadConfig({}, { providers: [provider], routes });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('the config was accepted');
  };

  it('names the key of each mistake', () => {
    expect(configError([{ name: 'a', targets: [] }])).toContain('routes.0.targets: ');
    expect(configError([{ name: 'a', strategy: 'random', targets: [{ provider: 'openai', model: 'gpt-4o' }] }])).toContain('routes.0.strategy: ');
    expect(configError([{ name: 'a', targets: [{ provider: 'openai', model: 'gpt-4o', weight: 0 }] }])).toContain('routes.0.targets.0.weight: ');
    expect(configError([{ name: 'a', targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'openai', model: 'gpt-4o' }] }])).toContain('routes.0.targets.1: lists openai/gpt-4o twice');
    expect(configError([{ name: 'a', targets: [{ provider: 'openai', model: 'gpt-4o' }] }, { name: 'a', targets: [{ provider: 'openai', model: 'gpt-4o' }] }])).toContain("routes.1.name: a route named 'a' is defined twice");
    expect(configError([{ name: 'a', targets: [{ provider: 'openai', model: 'gpt-4o', region: 'eu' }] }])).toContain('routes.0.targets.0');
  });

  it('refuses at boot a route naming a provider that does not exist', async () => {
    const started = startTestServer({ providers: [provider], routes: [{ name: 'a', targets: [{ provider: 'openai', model: 'gpt-4o' }, { provider: 'nowhere', model: 'x' }] }] });
    await expect(started).rejects.toMatchObject({ field: 'routes.0.targets.1.provider', message: "no provider named 'nowhere'" });
  });

  it('keeps a provider added through the API that a route names from being removed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'loupe-routes-'));
    const upstream = await startFakeUpstream();
    try {
      const first = await startTestServer({ data_dir: dataDir, upstream_allowlist: ['127.0.0.1'] }, 'duckdb');
      const added = await first.request('POST', '/api/v1/providers', { body: { name: 'lab', type: 'vllm', base_url: upstream.baseUrl, models: ['qwen'] } });
      expect(added.statusCode, added.body).toBe(201);
      await first.close();

      const second = await startTestServer({ data_dir: dataDir, upstream_allowlist: ['127.0.0.1'], routes: [{ name: 'local', targets: [{ provider: 'lab', model: 'qwen' }] }] }, 'duckdb');
      try {
        const refused = await second.request('DELETE', '/api/v1/providers/lab');
        expect(refused.statusCode).toBe(409);
        expect(refused.json().error.message).toContain("'local'");
        expect((await second.request('GET', '/api/v1/providers/lab')).statusCode).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await upstream.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
