// A spool left by an outage is replayed at start-up; killing the process (SIGKILL) in the
// middle of that replay and starting it again loses nothing and stores nothing twice.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeCall } from '../src/domain/normalize-call.js';
import { SpoolFile } from '../src/recorder/spool-file.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { spawnLoupe, type SpawnedServer } from './helpers/spawn-server.js';

const RECORDS = 30_000;

let schema: PgTestSchema;
let dataDir: string;
let client: pg.Client;
const started: SpawnedServer[] = [];

beforeAll(async () => {
  schema = await createPgTestSchema();
  dataDir = mkdtempSync(join(tmpdir(), 'loupe-spool-crash-'));
  client = new pg.Client({ connectionString: schema.url });
  await client.connect();
});
afterAll(async () => {
  for (const server of started) if (server.process.exitCode === null) server.process.kill('SIGKILL');
  await client?.end();
  await schema?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function storedCalls(): Promise<{ rows: number; ids: number }> {
  const exists = (await client.query<{ present: boolean }>("SELECT to_regclass('calls') IS NOT NULL AS present")).rows[0]!.present;
  if (!exists) return { rows: 0, ids: 0 };
  const row = (await client.query<{ rows: string; ids: string }>('SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM calls')).rows[0]!;
  return { rows: Number(row.rows), ids: Number(row.ids) };
}

function start(): Promise<SpawnedServer> {
  return spawnLoupe({ DATABASE_URL: schema.url, LOUPE_DATA_DIR: dataDir, LOUPE_CONFIG: join(dataDir, 'loupe.json') }, 60_000).then((server) => {
    started.push(server);
    return server;
  });
}

describe('spool replay interrupted by kill -9', () => {
  it('completes on the next start with every spooled call stored exactly once', async () => {
    const day = Date.UTC(2026, 10, 22);
    const spool = new SpoolFile(join(dataDir, 'spool'), 1024 ** 3);
    for (let offset = 0; offset < RECORDS; offset += 5000) {
      await spool.append(Array.from({ length: 5000 }, (_, i) => ({
        bodyHash: '',
        call: normalizeCall({ id: `spooled-${offset + i}`, provider: 'openai', model: 'gpt-4o', started_at: day + (offset + i) * 1000, prompt_tokens: 10, completion_tokens: 5 }, { projectId: 'default', apiKeyId: null }),
      })));
    }
    await spool.close();
    // Small replay chunks, so the kill lands between commits of one replay.
    writeFileSync(join(dataDir, 'loupe.json'), JSON.stringify({ recorder: { max_batch: 300 } }));

    const first = await start();
    const deadline = Date.now() + 60_000;
    let before = await storedCalls();
    while (before.rows === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      before = await storedCalls();
    }
    first.process.kill('SIGKILL');
    await first.exited;
    before = await storedCalls();
    // The kill came mid-replay: some calls were stored, not all.
    expect(before.rows).toBeGreaterThan(0);
    expect(before.rows).toBeLessThan(RECORDS);
    expect(readdirSync(join(dataDir, 'spool')).some((name) => name.startsWith('segment-'))).toBe(true);

    const second = await start();
    const until = Date.now() + 90_000;
    for (;;) {
      const health = await (await fetch(`${second.url}/health`)).json() as { spool: { state: string; records: number } };
      if (health.spool.records === 0 && health.spool.state === 'ok') break;
      if (Date.now() > until) throw new Error(`replay did not finish: ${JSON.stringify(health)}\n${second.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await storedCalls()).toEqual({ rows: RECORDS, ids: RECORDS });
    const sample = (await client.query<{ prompt_tokens: string; ms: string }>("SELECT prompt_tokens, extract(epoch FROM started_at) * 1000 AS ms FROM calls WHERE id = 'spooled-12345'")).rows[0]!;
    expect([Number(sample.prompt_tokens), Number(sample.ms)]).toEqual([10, day + 12_345_000]);
    expect(readdirSync(join(dataDir, 'spool')).filter((name) => name.startsWith('segment-'))).toEqual([]);
    second.process.kill('SIGTERM');
    await second.exited;
  }, 180_000);
});
