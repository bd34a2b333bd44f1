// Three Loupe processes on one PostgreSQL database: a live client on one instance hears the
// calls recorded by another, and a key revoked on one is refused by the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { spawnLoupe, type SpawnedServer } from './helpers/spawn-server.js';

const KEY = 'lp_scale_out_admin_key_0123456789abcdef';
let schema: PgTestSchema;
let instances: SpawnedServer[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  schema = await createPgTestSchema();
  // Started one after another so the first applies the migrations; the others find them done.
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-scale-out-'));
    dirs.push(dir);
    instances.push(await spawnLoupe({ DATABASE_URL: schema.url, LOUPE_ADMIN_KEY: KEY, LOUPE_DATA_DIR: dir, LOUPE_SECRET_KEY: 'c2NhbGUtb3V0LXNoYXJlZC1zZWNyZXQtMDEyMzQ1Njc4OQ==' }));
  }
}, 120_000);
afterAll(async () => {
  for (const instance of instances) {
    instance.process.kill('SIGTERM');
    await instance.exited;
  }
  instances = [];
  await schema?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function post(instance: SpawnedServer, path: string, body: unknown, key = KEY): Promise<Response> {
  return fetch(`${instance.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('three instances on one database', () => {
  it('a live client on instance A receives the calls recorded by instance C', async () => {
    const socket = new WebSocket(`${instances[0]!.url.replace('http', 'ws')}/api/v1/live`);
    const events: { type: string; data: Record<string, unknown> }[] = [];
    socket.addEventListener('message', (message) => events.push(JSON.parse(String(message.data)) as (typeof events)[number]));
    await new Promise((resolve) => socket.addEventListener('open', resolve));
    socket.send(JSON.stringify({ type: 'auth', key: KEY }));
    await expect.poll(() => events.some((event) => event.type === 'connected'), { timeout: 5000 }).toBe(true);
    try {
      // Instances relay events once they hear that another one has subscribers (announced
      // every second): probe until A hears C, then check the calls under test.
      let probes = 0;
      await expect.poll(async () => {
        await post(instances[2]!, '/api/v1/calls', { id: `probe-${++probes}`, provider: 'openai', model: 'gpt-4o' });
        return events.some((event) => event.type === 'log_created');
      }, { timeout: 5000, interval: 300 }).toBe(true);
      events.length = 0;
      const response = await post(instances[2]!, '/api/v1/calls', [
        { id: 'from-c-1', provider: 'openai', model: 'gpt-4o', prompt_tokens: 7 },
        { id: 'from-c-2', provider: 'openai', model: 'gpt-4o', prompt_tokens: 9 },
      ]);
      expect(response.status).toBe(200);
      await expect.poll(() => events.filter((event) => event.type === 'log_created' && String(event.data.id).startsWith('from-c')).map((event) => event.data.id).sort(), { timeout: 5000 }).toEqual(['from-c-1', 'from-c-2']);
      await expect.poll(() => events.some((event) => event.type === 'stats_updated'), { timeout: 5000 }).toBe(true);
      // Recorded once, visible from every instance.
      for (const instance of instances) {
        const page = await fetch(`${instance.url}/api/v1/logs?days=1&limit=100`, { headers: { authorization: `Bearer ${KEY}` } });
        const ids = ((await page.json()) as { data: { id: string }[] }).data.map((row) => row.id);
        expect(ids.filter((id) => id.startsWith('from-c')).sort()).toEqual(['from-c-1', 'from-c-2']);
        expect(ids).toHaveLength(probes + 2);
      }
    } finally {
      socket.close();
    }
  });

  it('a key revoked on instance A is refused by B and C within 5 s', async () => {
    const created = await post(instances[0]!, '/api/v1/keys', { name: 'short-lived', scopes: ['read'] });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    const read = (instance: SpawnedServer) => fetch(`${instance.url}/api/v1/logs?days=1`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    for (const instance of instances) expect(await read(instance)).toBe(200);
    const revoked = await fetch(`${instances[0]!.url}/api/v1/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY}` } });
    expect(revoked.status).toBe(200);
    const at = Date.now();
    await expect.poll(async () => [await read(instances[1]!), await read(instances[2]!)], { timeout: 5000, interval: 200 }).toEqual([401, 401]);
    expect(Date.now() - at).toBeLessThan(5000);
  });

  it('an alert rule evaluated by every instance at once opens one event, told by one instance', async () => {
    const started = new Date(Date.now() - 60_000).toISOString();
    const recorded = await post(instances[2]!, '/api/v1/calls', [1, 2, 3].map((i) => ({ provider: 'openai', model: 'scale-alert-model', started_at: started, latency_ms: 1000 * i })));
    expect(recorded.status).toBe(200);
    const rule = (await (await post(instances[0]!, '/api/v1/alerts/rules', { name: 'shared', metric: 'latency', operator: 'gt', threshold: 1500, model: 'scale-alert-model' })).json()) as { id: string };
    const answers = await Promise.all(instances.map(async (instance) => ((await (await post(instance, '/api/v1/alerts/evaluate', {})).json()) as { changes: { change: string; event: { metric_value: number } }[] }).changes));
    expect(answers.flat()).toEqual([expect.objectContaining({ change: 'triggered', event: expect.objectContaining({ metric_value: 2000 }) })]);
    const events = (await (await fetch(`${instances[1]!.url}/api/v1/alerts/events?rule_id=${rule.id}`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { events: unknown[] };
    expect(events.events).toHaveLength(1);
  });
});
