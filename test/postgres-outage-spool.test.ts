// PostgreSQL unreachable for 60 s under continuous gateway traffic (a TCP relay in front of it
// is cut): every gateway request is served, the calls wait in the outage spool, and once the
// relay is back every call is in the database exactly once, each announced live once.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { TcpRelay } from './helpers/tcp-relay.js';
import { ADMIN_KEY, startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

const OUTAGE_MS = 60_000;
const WORKERS = 2;
const PAUSE_MS = 25;

let schema: PgTestSchema;
let relay: TcpRelay;
let upstream: FakeUpstream;
let server: TestServer;
let base: string;
let dataDir: string;

beforeAll(async () => {
  schema = await createPgTestSchema();
  relay = await TcpRelay.towards(schema.url);
  upstream = await startFakeUpstream();
  upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  dataDir = mkdtempSync(join(tmpdir(), 'loupe-spool-outage-'));
  server = await startTestServer({
    database_url: relay.through(schema.url),
    data_dir: dataDir,
    providers: [{ name: 'openai', type: 'openai', base_url: upstream.baseUrl, api_key: 'sk-upstream', models: ['gpt-4o'] }],
  }, 'postgres');
  base = await listenOnLoopback(server);
});
afterAll(async () => {
  await server?.close().catch(() => undefined);
  await relay?.cut();
  await upstream?.close();
  await schema?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Served {
  status: number;
  callId: string | null;
}

/** Sends chat completions from a few workers until `stop` is set. */
function gatewayTraffic(stop: { now: boolean }): Promise<Served[]> {
  const served: Served[] = [];
  const worker = async () => {
    while (!stop.now) {
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `hello ${served.length}` }] }),
      });
      await response.arrayBuffer();
      served.push({ status: response.status, callId: response.headers.get('x-loupe-call-id') });
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  };
  return Promise.all(Array.from({ length: WORKERS }, worker)).then(() => served);
}

async function health(): Promise<{ status: number; body: { spool: { state: string; records: number; dropped: number } } }> {
  const response = await fetch(`${base}/health`);
  return { status: response.status, body: await response.json() as never };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('gateway through a 60 s PostgreSQL outage', () => {
  it('serves every request and stores every call exactly once when the store is back', async () => {
    const announced = new Map<string, number>();
    server.liveBus.subscribe('default', (event) => {
      if (event.type !== 'log_created') return;
      const id = (event.data as { id: string }).id;
      announced.set(id, (announced.get(id) ?? 0) + 1);
    });
    const stop = { now: false };
    const traffic = gatewayTraffic(stop);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = await fetch(`${base}/health/gateway`);
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({ status: 'ok', recording: 'store' });

    await relay.cut();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
    const during = await health();
    expect(during.status).toBe(503);
    expect(during.body.spool.state).toBe('outage');
    expect(during.body.spool.records).toBeGreaterThan(0);
    // A load balancer probing the gateway's readiness keeps this instance.
    const gateway = await fetch(`${base}/health/gateway`);
    expect(gateway.status).toBe(200);
    expect(await gateway.json()).toMatchObject({ status: 'degraded', recording: 'spool' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^loupe_spool_records [1-9]\d*$/m);
    expect(metrics).toContain('loupe_spool_state{state="outage"} 1');
    const ingest = await fetch(`${base}/api/v1/calls`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify([{ id: 'during-outage', provider: 'openai', model: 'gpt-4o' }]) });
    expect(ingest.status).toBe(503);
    expect(ingest.headers.get('retry-after')).toBe('5');
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));

    await relay.open();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    stop.now = true;
    const served = await traffic;
    await server.recorder.settled();
    await waitFor(async () => {
      const { body } = await health();
      return body.spool.state === 'ok' && body.spool.records === 0;
    }, 30_000);

    expect(served.filter((answer) => answer.status !== 200)).toEqual([]);
    // 60 s at a pause of 25 ms per worker: far more than a few hundred requests were served.
    expect(served.length).toBeGreaterThan(500);
    const ids = served.map((answer) => answer.callId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(served.length);

    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const rows = (await client.query<{ id: string; copies: string }>('SELECT id, count(*) AS copies FROM calls GROUP BY id')).rows;
      expect(rows.filter((row) => Number(row.copies) !== 1)).toEqual([]);
      expect(rows.map((row) => row.id).sort()).toEqual([...(ids as string[])].sort());
    } finally {
      await client.end();
    }
    expect([...announced.values()].filter((count) => count !== 1)).toEqual([]);
    expect([...announced.keys()].sort()).toEqual([...(ids as string[])].sort());
    expect((await health()).body.spool.dropped).toBe(0);
    expect(readdirSync(join(dataDir, 'spool')).filter((name) => name.startsWith('segment-'))).toEqual([]);
  }, 150_000);
});
