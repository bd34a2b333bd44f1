// Two Loupe processes on one PostgreSQL database follow each other's settings: a provider
// added, changed, switched off and removed through one instance's API is routed to (or not) by
// the other; a cost setting made on one prices the calls the other records; a project's content
// switch changed on one drops content on the other. Each within a few seconds (the notice
// through the database), well before the periodic read that backs it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { spawnLoupe, type SpawnedServer } from './helpers/spawn-server.js';

const KEY = 'lp_scale_out_settings_admin_key_0123456789';
/** Shared by the instances, so each can open the provider keys the other sealed. */
const SECRET = randomBytes(32).toString('base64');
/** Under the 10 s periodic read: only the notice can make it. */
const FOLLOW_MS = 4_000;

let schema: PgTestSchema;
let upstream: FakeUpstream;
let a: SpawnedServer;
let b: SpawnedServer;
const dirs: string[] = [];

async function spawnInstance(): Promise<SpawnedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-shared-settings-'));
  dirs.push(dir);
  return spawnLoupe({
    DATABASE_URL: schema.url, LOUPE_ADMIN_KEY: KEY, LOUPE_DATA_DIR: dir, LOUPE_SECRET_KEY: SECRET,
    LOUPE_UPSTREAM_ALLOWLIST: '127.0.0.1',
  });
}

beforeAll(async () => {
  schema = await createPgTestSchema();
  upstream = await startFakeUpstream();
  a = await spawnInstance();
  b = await spawnInstance();
}, 120_000);

afterAll(async () => {
  for (const instance of [a, b]) {
    if (!instance) continue;
    instance.process.kill('SIGTERM');
    await instance.exited;
  }
  await upstream?.close();
  await schema?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Provider { models: string[]; is_enabled: boolean; health: { circuit_state: string } }
interface StoredCall { cost_usd: number | null; price_source: string; input: unknown; output: unknown }

/** An answer's status and body, read as the shape the caller names. */
async function api<T = unknown>(instance: SpawnedServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${instance.url}${path}`, {
    method, headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
}

const chat = (instance: SpawnedServer, model: string) => api(instance, 'POST', '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });

/** Polls until `read` gives `expected`, and says how long that took. */
async function follows<T>(read: () => Promise<T>, expected: T): Promise<number> {
  const at = Date.now();
  await expect.poll(read, { timeout: FOLLOW_MS, interval: 100 }).toEqual(expected);
  return Date.now() - at;
}

describe('settings changed on one instance, followed by the other', () => {
  it('routes to a provider added on the other instance, and follows its changes and removal', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    expect((await chat(b, 'lab-model')).status).toBe(404);
    const added = await api(a, 'POST', '/api/v1/providers', { name: 'lab', type: 'vllm', base_url: upstream.baseUrl, api_key: 'sk-lab-shared', models: ['lab-model'], max_retries: 0 });
    expect(added.status, JSON.stringify(added.json) + a.output()).toBe(201);
    expect(await follows(async () => (await api(b, 'GET', '/api/v1/providers/lab')).status, 200)).toBeLessThan(FOLLOW_MS);
    const routed = await chat(b, 'lab-model');
    expect(routed.status).toBe(200);
    // The key sealed by A is opened by B (the same secret) and sent upstream.
    expect(upstream.requests.at(-1)!.headers.authorization).toBe('Bearer sk-lab-shared');

    expect((await api(a, 'PATCH', '/api/v1/providers/lab', { models: ['lab-model-2'], circuit_breaker_threshold: 1, circuit_breaker_timeout: 900 })).status).toBe(200);
    await follows(async () => (await api<Provider>(b, 'GET', '/api/v1/providers/lab')).json.models, ['lab-model-2']);
    expect((await chat(b, 'lab-model')).status).toBe(404);
    expect((await chat(b, 'lab-model-2')).status).toBe(200);
    // The threshold of 1 set on A opens the circuit on B's first failure.
    upstream.respondWith({ kind: 'json', status: 500, body: '{"error":{"message":"boom","type":"server_error"}}' });
    expect((await chat(b, 'lab-model-2')).status).toBe(500);
    await follows(async () => (await api<Provider>(b, 'GET', '/api/v1/providers/lab')).json.health.circuit_state, 'open');
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });

    expect((await api(a, 'POST', '/api/v1/providers/lab/enable', { enabled: false })).status).toBe(200);
    await follows(async () => (await api<Provider>(b, 'GET', '/api/v1/providers/lab')).json.is_enabled, false);

    expect((await api(a, 'DELETE', '/api/v1/providers/lab')).status).toBe(200);
    await follows(async () => (await api(b, 'GET', '/api/v1/providers/lab')).status, 404);
    expect((await api<{ data: { id: string }[] }>(b, 'GET', '/v1/models')).json.data.map((model) => model.id)).not.toContain('lab-model-2');
  });

  it('prices the calls one instance records with a cost setting made on the other', async () => {
    const record = async (id: string) => {
      const posted = await api(b, 'POST', '/api/v1/calls', { id, provider: 'acme', model: 'acme-priced', prompt_tokens: 1_000, completion_tokens: 2_000 });
      expect(posted.status).toBe(201);
      const stored = (await api<StoredCall>(b, 'GET', `/api/v1/logs/${id}`)).json;
      return [stored.cost_usd, stored.price_source] as const;
    };
    expect(await record('before-setting')).toEqual([null, 'unpriced']);
    const set = await api(a, 'POST', '/api/v1/cost-settings', { model: 'acme-priced', cost_per_1k_input_tokens: 0.5, cost_per_1k_output_tokens: 1.25 });
    expect(set.status).toBe(200);
    await follows(async () => (await api<{ settings: { model: string }[] }>(b, 'GET', '/api/v1/cost-settings')).json.settings.map((setting) => setting.model), ['acme-priced']);
    // 1,000 prompt tokens at $0.50 per 1k and 2,000 completion tokens at $1.25 per 1k.
    const [cost, source] = await record('after-setting');
    expect(source).toBe('override');
    expect(cost).toBeCloseTo(1_000 / 1_000 * 0.5 + 2_000 / 1_000 * 1.25, 9);

    expect((await api(a, 'DELETE', '/api/v1/cost-settings/acme-priced')).status).toBe(200);
    await follows(async () => (await api<{ settings: unknown[] }>(b, 'GET', '/api/v1/cost-settings')).json.settings, []);
    expect(await record('after-removal')).toEqual([null, 'unpriced']);
  });

  it('drops content on one instance once the other switches its capture off', async () => {
    const stored = async (id: string) => {
      await api(b, 'POST', '/api/v1/calls', { id, provider: 'openai', model: 'gpt-4o', input: [{ role: 'user', content: 'kept?' }], output: 'answer' });
      const call = (await api<StoredCall>(b, 'GET', `/api/v1/logs/${id}`)).json;
      return [call.input === null, call.output === null];
    };
    expect(await stored('capture-on')).toEqual([false, false]);
    expect((await api(a, 'PATCH', '/api/v1/project', { capture_content: false })).status).toBe(200);
    let attempt = 0;
    const took = await follows(() => stored(`capture-off-${++attempt}`), [true, true]);
    expect(took).toBeLessThan(FOLLOW_MS);
    expect((await api(a, 'PATCH', '/api/v1/project', { capture_content: true })).status).toBe(200);
  });
});
