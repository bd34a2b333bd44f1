// An acknowledged record survives kill -9: load the server from several clients, kill it
// mid-load, restart it, and find every acknowledged id stored exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { spawnLoupe } from './helpers/spawn-server.js';

const KEY = 'lp_durability_test_key_0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'loupe-durability-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function batch(client: number, round: number) {
  return Array.from({ length: 100 }, (_, i) => ({
    id: `c${client}-r${round}-${i}`,
    provider: 'openai',
    model: 'gpt-4o',
    prompt_tokens: 100,
    completion_tokens: 50,
    input: [{ role: 'user', content: 'x'.repeat(700) }],
    output: { role: 'assistant', content: 'y'.repeat(700) },
  }));
}

describe('kill -9 during ingestion', () => {
  it('keeps every acknowledged record exactly once', async () => {
    const env = { LOUPE_DATA_DIR: dataDir, LOUPE_ADMIN_KEY: KEY };
    const server = await spawnLoupe(env);
    const acknowledged = new Set<string>();
    let stop = false;
    const client = async (clientId: number) => {
      for (let round = 0; !stop && round < 10_000; round++) {
        const items = batch(clientId, round);
        try {
          const response = await fetch(`${server.url}/api/v1/calls`, {
            method: 'POST',
            headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify(items),
          });
          if (response.status === 200) for (const item of items) acknowledged.add(item.id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    // Kill once a few thousand records are acknowledged, while requests are in flight.
    const deadline = Date.now() + 20_000;
    while (acknowledged.size < 3000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    server.process.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await server.exited;
    expect(acknowledged.size).toBeGreaterThanOrEqual(3000);

    // Restart on the same data: the WAL is replayed and the server serves again.
    const restarted = await spawnLoupe(env);
    restarted.process.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);

    const store = await openDuckDbStore({ dataDir });
    try {
      const rows = await store.sql.query<{ id: string; n: number }>('SELECT id, count(*) AS n FROM calls GROUP BY id');
      const stored = new Map(rows.map((row) => [row.id, row.n]));
      const missing = [...acknowledged].filter((id) => stored.get(id) !== 1);
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }
  }, 90_000);
});
