// Three Loupe processes on one PostgreSQL database enforce one block budget and share their
// circuit breakers: 200 concurrent gateway calls spread across them admit exactly what the
// budget allows, a hold left by a killed instance expires, and a circuit opened through one
// instance is refused by another within the sync interval, then probed once by all of them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, statusAnswer, type FakeAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { spawnLoupe, type SpawnedServer } from './helpers/spawn-server.js';

const KEY = 'lp_scale_out_budget_admin_key_0123456789';
/** Shared by the instances, so each can open the provider keys the others sealed. */
const SECRET = randomBytes(32).toString('base64');
/** Holds of the instance killed below are given back after this long (LOUPE_BUDGET_HOLD_TTL_SECONDS). */
const HOLD_TTL_S = 2;
/** A circuit opened here stays open this long before a probe (circuit_breaker_timeout). */
const OPEN_S = 4;

let schema: PgTestSchema;
let db: pg.Client;
let upstream: FakeUpstream;
let flaky: FakeUpstream;
let instances: SpawnedServer[] = [];
const dirs: string[] = [];
/** Live events received by a client of each of the three instances. */
const heard: { type: string; data: Record<string, unknown> }[][] = [];
const sockets: WebSocket[] = [];

async function listen(instance: SpawnedServer): Promise<void> {
  const socket = new WebSocket(`${instance.url.replace('http', 'ws')}/api/v1/live`);
  const events: (typeof heard)[number] = [];
  socket.addEventListener('message', (message) => events.push(JSON.parse(String(message.data)) as (typeof events)[number]));
  await new Promise((resolve) => socket.addEventListener('open', resolve));
  socket.send(JSON.stringify({ type: 'auth', key: KEY }));
  for (let waited = 0; !events.some((event) => event.type === 'connected'); waited += 20) {
    if (waited > 5_000) throw new Error(`no 'connected' from ${instance.url}/api/v1/live`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  sockets.push(socket);
  heard.push(events);
}

/** The events of one type each client heard, as [field values...] per event. */
function heardBy(type: string, fields: string[], where: (data: Record<string, unknown>) => boolean): unknown[][][] {
  return heard.map((events) => events.filter((event) => event.type === type && where(event.data)).map((event) => fields.map((field) => event.data[field])));
}

async function spawnInstance(configPath: string, extraEnv: Record<string, string> = {}): Promise<SpawnedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-shared-budgets-'));
  dirs.push(dir);
  return spawnLoupe({
    DATABASE_URL: schema.url, LOUPE_ADMIN_KEY: KEY, LOUPE_DATA_DIR: dir, LOUPE_SECRET_KEY: SECRET,
    LOUPE_CONFIG: configPath, ...extraEnv,
  });
}

let configPath = '';
beforeAll(async () => {
  schema = await createPgTestSchema();
  upstream = await startFakeUpstream();
  flaky = await startFakeUpstream();
  const configDir = mkdtempSync(join(tmpdir(), 'loupe-shared-budgets-config-'));
  dirs.push(configDir);
  configPath = join(configDir, 'loupe.json');
  writeFileSync(configPath, JSON.stringify({
    providers: [
      { name: 'openai', type: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test', models: ['gpt-4o'], max_retries: 0 },
      { name: 'flaky', type: 'openai', base_url: flaky.baseUrl, api_key: 'sk-test', models: ['m-shared', 'm-solo'], priority: 1, max_retries: 0, circuit_breaker_threshold: 2, circuit_breaker_timeout: OPEN_S },
      { name: 'backup', type: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test', models: ['m-shared'], priority: 2, max_retries: 0 },
    ],
  }));
  instances.push(await spawnInstance(configPath));
  // Set before the other instances start, so every one prices with it. Worst case per call:
  // 1,000 output tokens at $0.005 per 1k = $0.005 (prompts are free); the fixture's answer
  // has 200 completion tokens, so a call costs $0.001.
  const priced = await api(instances[0]!, 'POST', '/api/v1/cost-settings', { model: 'gpt-4o', cost_per_1k_input_tokens: 0, cost_per_1k_output_tokens: 0.005 });
  expect(priced.status).toBeLessThan(300);
  for (let i = 1; i < 3; i++) instances.push(await spawnInstance(configPath));
  db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  for (const instance of instances) await listen(instance);
  // Instances relay events once they hear that another has subscribers (announced every second).
  await new Promise((resolve) => setTimeout(resolve, 2_500));
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const instance of instances) {
    if (instance.process.exitCode === null) instance.process.kill('SIGTERM');
    await instance.exited;
  }
  instances = [];
  await db?.end();
  await upstream?.close();
  await flaky?.close();
  await schema?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function api(instance: SpawnedServer, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${instance.url}${path}`, {
    method, headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function chat(instance: SpawnedServer, model: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${instance.url}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 }),
  });
}

/** An answer held until `open()`: every admission is decided while the admitted calls are in flight. */
function gated(answer: FakeAnswer): { answer: FakeAnswer; open: () => void } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return { answer: { ...answer, ...(answer.kind === 'json' ? { gate } : {}) }, open };
}

/** 200 concurrent calls spread over the three instances; resolves with how many were admitted. */
async function wave(tag: string): Promise<{ admitted: number; refused: number; statuses: number[] }> {
  const held = gated({ kind: 'json', body: fixture('openai/chat.json'), headers: { 'content-type': 'application/json' } });
  upstream.respondWith(held.answer);
  const before = upstream.requests.length;
  let refused = 0;
  const calls = Array.from({ length: 200 }, (_, i) => chat(instances[i % 3]!, 'gpt-4o', { 'x-loupe-tags': tag }).then(async (response) => {
    if (response.status === 429) refused += 1;
    await response.text();
    return response.status;
  }));
  // Open the gate once every call is decided (refused, or arrived upstream); bounded.
  for (let waited = 0; refused + (upstream.requests.length - before) < 200 && waited < 30_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const admitted = upstream.requests.length - before;
  held.open();
  const statuses = await Promise.all(calls);
  return { admitted, refused, statuses };
}

async function budgetOn(instance: SpawnedServer, id: string): Promise<{ current_usage: number; reserved: number }> {
  return (await (await api(instance, 'GET', `/api/v1/budgets/${id}`)).json()) as { current_usage: number; reserved: number };
}

describe('a block budget shared by three instances', () => {
  it('admits exactly what the budget allows from 200 concurrent calls, twice, and stores the spend of the recorded calls', async () => {
    const limit = 0.1;
    const worstCase = (1000 * 0.005) / 1000;
    const actual = (200 * 0.005) / 1000;
    const created = await api(instances[0]!, 'POST', '/api/v1/budgets', { name: 'shared cap', budget_type: 'daily', amount: limit, scope: 'tag', scope_value: 'wave', action: 'block' });
    expect(created.status).toBe(201);
    const budget = (await created.json()) as { id: string };
    // An alert budget on the same calls: its 80% and 100% are announced once, to every instance.
    const alert = (await (await api(instances[1]!, 'POST', '/api/v1/budgets', { name: 'wave alert', budget_type: 'daily', amount: 0.02, scope: 'tag', scope_value: 'wave', action: 'alert' })).json()) as { id: string };
    // Instances learn of a budget made elsewhere within 2 s; wait until each enforces it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const first = await wave('wave');
    const expectedFirst = Math.floor(limit / worstCase + 1e-9);
    expect(first.admitted).toBe(expectedFirst);
    expect(first.statuses.filter((status) => status === 200)).toHaveLength(expectedFirst);
    expect(first.statuses.filter((status) => status === 429)).toHaveLength(200 - expectedFirst);
    // Every hold is replaced by the call's real cost, on every instance's view.
    for (const instance of instances) {
      await expect.poll(() => budgetOn(instance, budget.id), { timeout: 10_000 }).toEqual(expect.objectContaining({ reserved: 0, current_usage: expect.closeTo(expectedFirst * actual, 9) }));
    }

    const second = await wave('wave');
    const expectedSecond = Math.floor((limit - expectedFirst * actual) / worstCase + 1e-9);
    expect(second.admitted).toBe(expectedSecond);
    const spent = (expectedFirst + expectedSecond) * actual;
    await expect.poll(() => budgetOn(instances[2]!, budget.id), { timeout: 10_000 }).toEqual(expect.objectContaining({ reserved: 0, current_usage: expect.closeTo(spent, 9) }));

    // The stored spend is the sum of the recorded calls' costs: each counted once.
    await expect.poll(async () => {
      const rows = await db.query<{ calls: string; cost: number | null }>("SELECT count(*) AS calls, sum(cost_usd) AS cost FROM calls WHERE 'wave' = ANY(tags) AND status = 'success'");
      return [Number(rows.rows[0]!.calls), rows.rows[0]!.cost];
    }, { timeout: 10_000 }).toEqual([expectedFirst + expectedSecond, expect.closeTo(spent, 9)]);
    // Announced by whichever instances settled the crossing calls: once each, in any order.
    const crossings = () => heardBy('budget_exceeded', ['threshold'], (data) => data.budget_id === alert.id).map((events) => events.flat().sort());
    await expect.poll(crossings, { timeout: 10_000 }).toEqual([[0.8, 1], [0.8, 1], [0.8, 1]]);
    const counter = await db.query<{ spent_nanos: string }>('SELECT spent_nanos FROM budget_usage WHERE budget_id = $1 ORDER BY period_start LIMIT 1', [budget.id]);
    expect(Number(counter.rows[0]!.spent_nanos)).toBe(Math.round(spent * 1e9));
  }, 90_000);

  it('gives back the hold of an instance killed mid-call within its expiry', async () => {
    const created = await api(instances[0]!, 'POST', '/api/v1/budgets', { name: 'one at a time', budget_type: 'total', amount: 0.0075, scope: 'tag', scope_value: 'hold', action: 'block' });
    const budget = (await created.json()) as { id: string };
    // Only this instance's holds expire quickly: the others keep the default, so a slow machine
    // cannot let a live hold lapse under them.
    const doomed = await spawnInstance(configPath, { LOUPE_BUDGET_HOLD_TTL_SECONDS: String(HOLD_TTL_S) });
    instances.push(doomed);
    // The new instance answers a call that never finishes: its $0.005 hold stays.
    const never = gated({ kind: 'json', body: fixture('openai/chat.json'), headers: { 'content-type': 'application/json' } });
    upstream.respondWith(never.answer);
    const before = upstream.requests.length;
    const stuck = chat(doomed, 'gpt-4o', { 'x-loupe-tags': 'hold' }).catch(() => null);
    await expect.poll(() => upstream.requests.length, { timeout: 10_000 }).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const refused = await chat(instances[0]!, 'gpt-4o', { 'x-loupe-tags': 'hold' });
    expect(refused.status).toBe(429);
    expect((await budgetOn(instances[1]!, budget.id)).reserved).toBeCloseTo(0.005, 9);

    doomed.process.kill('SIGKILL');
    await doomed.exited;
    const killedAt = Date.now();
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json'), headers: { 'content-type': 'application/json' } });
    // Its holds are extended no more: within the expiry (plus a poll), the budget admits again.
    let admittedAfter = 0;
    await expect.poll(async () => {
      const response = await chat(instances[1]!, 'gpt-4o', { 'x-loupe-tags': 'hold' });
      await response.text();
      admittedAfter = Date.now() - killedAt;
      return response.status;
    }, { timeout: 10_000, interval: 200 }).toBe(200);
    expect(admittedAfter).toBeLessThan((HOLD_TTL_S + 1.5) * 1000);
    never.open();
    await stuck;
  }, 60_000);
});

describe('circuit breakers shared by three instances', () => {
  it('a circuit opened through A is refused by B within the sync bound, and one probe goes through across all instances', async () => {
    flaky.respondWith(statusAnswer(500, '{"error":{"message":"boom","type":"server_error"}}'));
    // Two failures through A reach the threshold of 2.
    for (let i = 0; i < 2; i++) {
      const response = await chat(instances[0]!, 'flaky/m-solo');
      expect(response.status).toBe(500);
      await response.text();
    }
    const openedAt = Date.now();
    // The provider answers again: B learns that the circuit is open only from the shared state.
    flaky.respondWith({ kind: 'json', body: fixture('openai/chat.json'), headers: { 'content-type': 'application/json' } });
    const flakyBefore = flaky.requests.length;
    // B refuses at once (fast fail, no upstream request) once it has read the state.
    let failedFastAfter = 0;
    await expect.poll(async () => {
      const response = await chat(instances[1]!, 'flaky/m-solo');
      const body = (await response.json()) as { error?: { code?: string } };
      failedFastAfter = Date.now() - openedAt;
      return [response.status, body.error?.code];
    }, { timeout: 3_000, interval: 50 }).toEqual([503, 'provider_unavailable']);
    expect(failedFastAfter).toBeLessThan(1_500);
    // From then on B sends the open provider nothing.
    const flakyAfterSync = flaky.requests.length;
    for (let i = 0; i < 5; i++) expect((await chat(instances[1]!, 'flaky/m-solo')).status).toBe(503);
    expect(flaky.requests.length).toBe(flakyAfterSync);
    expect(flakyAfterSync - flakyBefore).toBeLessThanOrEqual(Math.ceil(failedFastAfter / 50) + 1);
    // A bare model name on C falls back to the next provider without trying the open one.
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json'), headers: { 'content-type': 'application/json' } });
    await expect.poll(async () => {
      const before = flaky.requests.length;
      const response = await chat(instances[2]!, 'm-shared');
      await response.text();
      return [response.status, flaky.requests.length - before];
    }, { timeout: 3_000, interval: 50 }).toEqual([200, 0]);
    const providers = (await (await api(instances[2]!, 'GET', '/api/v1/providers')).json()) as { providers: { name: string; health: { circuit_state: string } }[] };
    expect(providers.providers.find((provider) => provider.name === 'flaky')!.health.circuit_state).toBe('open');

    // Once the open period is over, nine calls over the three instances send one probe.
    const probe = gated({ kind: 'json', body: fixture('openai/chat.json'), headers: { 'content-type': 'application/json' } });
    flaky.respondWith(probe.answer);
    const { rows } = await db.query<{ open_until: number }>("SELECT extract(epoch FROM open_until) * 1000 AS open_until FROM provider_health WHERE name = 'flaky'");
    const wait = Number(rows[0]!.open_until) - Date.now() + 1_200;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    const beforeProbe = flaky.requests.length;
    const probes = Array.from({ length: 9 }, (_, i) => chat(instances[i % 3]!, 'flaky/m-solo').then(async (response) => {
      await response.text();
      return response.status;
    }));
    await expect.poll(() => flaky.requests.length - beforeProbe, { timeout: 10_000 }).toBe(1);
    // The eight others were refused while the probe was in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));
    probe.open();
    const statuses = await Promise.all(probes);
    expect(flaky.requests.length - beforeProbe).toBe(1);
    expect(statuses.sort()).toEqual([200, 503, 503, 503, 503, 503, 503, 503, 503]);
    // The probe's success closed the circuit for everyone.
    flaky.respondWith({ kind: 'json', body: fixture('openai/chat.json'), headers: { 'content-type': 'application/json' } });
    for (const instance of instances.slice(0, 3)) {
      await expect.poll(async () => {
        const response = await chat(instance, 'flaky/m-solo');
        await response.text();
        return response.status;
      }, { timeout: 3_000, interval: 100 }).toBe(200);
    }
    // Each change was announced once, by the instance that made it, and heard on every instance.
    const changes = () => heardBy('provider_status_changed', ['from', 'to'], (data) => data.provider === 'flaky');
    const once = [['closed', 'open'], ['open', 'half_open'], ['half_open', 'closed']];
    await expect.poll(changes, { timeout: 10_000 }).toEqual([once, once, once]);
  }, 60_000);
});
