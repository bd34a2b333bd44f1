// The store brings DuckDB's cache of table blocks back down on its own, on a timer, when the
// instance is otherwise idle; with the timer off the cache stays as the last scan left it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../ports.js';
import { openDuckDbStore } from './duckdb-store.js';

const MB = 1024 * 1024;
const directories: string[] = [];
const stores: Store[] = [];

async function storeWithCachedBlocks(cacheTrimIntervalMs: number): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-cache-trim-'));
  directories.push(dataDir);
  const store = await openDuckDbStore({ dataDir, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0, cacheTrimIntervalMs, cacheKeepBytes: 2 * MB });
  stores.push(store);
  // Text that compresses poorly, so that its blocks are many megabytes once read.
  await store.sql.query("CREATE TABLE t AS SELECT range AS x, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS body FROM range(400000)");
  await store.sql.query('CHECKPOINT');
  return store;
}

async function cachedMb(store: Store): Promise<number> {
  const [row] = await store.sql.query<{ mb: number }>("SELECT coalesce(sum(memory_usage_bytes), 0) / 1048576 AS mb FROM duckdb_memory() WHERE tag = 'BASE_TABLE'");
  return Number(row!.mb);
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('the DuckDB store trims its cache of table blocks', () => {
  it('down to what it keeps, on its timer, once a scan has filled it', async () => {
    const store = await storeWithCachedBlocks(100);
    await store.sql.query('SELECT count(DISTINCT body) AS n FROM t');
    const filled = await cachedMb(store);
    expect(filled).toBeGreaterThan(8);
    await expect.poll(() => cachedMb(store), { timeout: 5000, interval: 50 }).toBeLessThanOrEqual(2);
    // The data is all there: what was evicted is read again from the file.
    expect(await store.sql.query('SELECT count(DISTINCT body) AS n FROM t')).toEqual([{ n: 400000 }]);
  });

  it('not at all when its timer is off', async () => {
    const store = await storeWithCachedBlocks(0);
    await store.sql.query('SELECT count(DISTINCT body) AS n FROM t');
    const filled = await cachedMb(store);
    expect(filled).toBeGreaterThan(8);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await cachedMb(store)).toBeGreaterThan(filled - 1);
  });
});
