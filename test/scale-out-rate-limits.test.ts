// Two Loupe processes on one PostgreSQL database hold a key to one rate limit: requests admitted
// by one count against the key on the other once they have exchanged their counts (every
// second), and tokens likewise.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, openAiProviderAt, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { spawnLoupe, type SpawnedServer } from './helpers/spawn-server.js';

const KEY = 'lp_scale_out_rates_admin_key_0123456789ab';
/** Two exchanges and their queries: one instance's count has reached the other. */
const EXCHANGED_MS = 3_000;

let schema: PgTestSchema;
let upstream: FakeUpstream;
const instances: SpawnedServer[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  schema = await createPgTestSchema();
  upstream = await startFakeUpstream();
  upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  const configDir = mkdtempSync(join(tmpdir(), 'loupe-shared-rates-config-'));
  dirs.push(configDir);
  const configPath = join(configDir, 'loupe.json');
  writeFileSync(configPath, JSON.stringify({ providers: [openAiProviderAt(upstream, ['gpt-4o'])] }));
  const secret = randomBytes(32).toString('base64');
  for (let i = 0; i < 2; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-shared-rates-'));
    dirs.push(dir);
    instances.push(await spawnLoupe({ DATABASE_URL: schema.url, LOUPE_ADMIN_KEY: KEY, LOUPE_DATA_DIR: dir, LOUPE_SECRET_KEY: secret, LOUPE_CONFIG: configPath }));
  }
}, 120_000);

afterAll(async () => {
  for (const instance of instances) {
    instance.process.kill('SIGTERM');
    await instance.exited;
  }
  await upstream?.close();
  await schema?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function newKey(limits: Record<string, number>): Promise<string> {
  const response = await fetch(`${instances[0]!.url}/api/v1/keys`, {
    method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'limited', scopes: ['gateway'], ...limits }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

async function chat(instance: SpawnedServer, key: string): Promise<{ status: number; retryAfter: string | null; type: string | null }> {
  const response = await fetch(`${instance.url}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await response.json()) as { error?: { type?: string } };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), type: body.error?.type ?? null };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a key rate limit held by two instances together', () => {
  it('refuses on one instance the requests the other already admitted in the minute', async () => {
    const key = await newKey({ rate_limit_rpm: 3 });
    const [a, b] = [instances[0]!, instances[1]!];
    for (let i = 0; i < 3; i++) expect((await chat(a, key)).status).toBe(200);
    await pause(EXCHANGED_MS);
    const refused = await chat(b, key);
    expect([refused.status, refused.type]).toEqual([429, 'requests']);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await chat(a, key)).status).toBe(429);
  });

  it('splits the minute: requests admitted on each count against the other', async () => {
    const key = await newKey({ rate_limit_rpm: 4 });
    const [a, b] = [instances[0]!, instances[1]!];
    for (let i = 0; i < 2; i++) expect((await chat(a, key)).status).toBe(200);
    await pause(EXCHANGED_MS);
    expect((await chat(b, key)).status).toBe(200);
    expect((await chat(b, key)).status).toBe(200);
    await pause(EXCHANGED_MS);
    expect((await chat(a, key)).status).toBe(429);
    expect((await chat(b, key)).status).toBe(429);
  });

  it('counts the tokens of calls recorded on one instance against the key on the other', async () => {
    // The fixture's call uses 1,200 tokens: one call passes a limit of 1,000.
    const usage = (JSON.parse(fixture('openai/chat.json')) as { usage: { total_tokens: number } }).usage.total_tokens;
    expect(usage).toBeGreaterThan(1_000);
    const key = await newKey({ rate_limit_tpm: 1_000 });
    const [a, b] = [instances[0]!, instances[1]!];
    expect((await chat(a, key)).status).toBe(200);
    await pause(EXCHANGED_MS);
    const refused = await chat(b, key);
    expect([refused.status, refused.type]).toEqual([429, 'tokens']);
  });
});
