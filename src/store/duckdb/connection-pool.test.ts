// Reader answers must be those of the data as it is now, whatever ran before with the same
// text: DuckDB 1.5 bakes table statistics into a prepared plan, so a statement kept across
// calls (as the pool once did) answered from the data as it was when first prepared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbPool } from './connection-pool.js';

describe('DuckDbPool.query', () => {
  let pool: DuckDbPool;

  beforeEach(async () => {
    pool = await DuckDbPool.open({ path: ':memory:', memoryLimit: '256MB', readers: 1 });
    await pool.write(async (connection) => {
      await connection.run('CREATE TABLE t (x INTEGER, label VARCHAR)');
      await connection.run("INSERT INTO t SELECT range, 'n' || range FROM range(100)");
    });
  });

  afterEach(async () => {
    await pool.close();
  });

  it('counts rows written after the same text last ran, where its filter then matched nothing', async () => {
    const sql = 'SELECT count(*) AS n FROM t WHERE x = 200';
    expect(await pool.query(sql)).toEqual([{ n: 0 }]);
    await pool.write((connection) => connection.run("INSERT INTO t VALUES (200, 'late')"));
    expect(await pool.query(sql)).toEqual([{ n: 1 }]);
  });

  it('counts the NULLs an update brought to a column that had none', async () => {
    const sql = 'SELECT count(*) AS rows, count(label) AS labelled FROM t';
    expect(await pool.query(sql)).toEqual([{ rows: 100, labelled: 100 }]);
    await pool.write((connection) => connection.run('UPDATE t SET label = NULL WHERE x % 4 = 0'));
    expect(await pool.query(sql)).toEqual([{ rows: 100, labelled: 75 }]);
  });

  it('answers the same text with each call’s own values, and after the table changed shape', async () => {
    const sql = 'SELECT * FROM t WHERE x = $1';
    expect(await pool.query(sql, [1])).toEqual([{ x: 1, label: 'n1' }]);
    expect(await pool.query(sql, [2])).toEqual([{ x: 2, label: 'n2' }]);
    await pool.write(async (connection) => {
      await connection.run('DROP TABLE t');
      await connection.run('CREATE TABLE t (x INTEGER, weight DOUBLE)');
      await connection.run('INSERT INTO t VALUES (1, 0.5)');
    });
    expect(await pool.query(sql, [1])).toEqual([{ x: 1, weight: 0.5 }]);
  });
});

describe('DuckDbPool.trimCachedBlocks', () => {
  let pool: DuckDbPool;
  let directory: string;
  const cachedMb = async () => Number((await pool.query<{ mb: number }>(
    "SELECT coalesce(sum(memory_usage_bytes), 0) / 1048576 AS mb FROM duckdb_memory() WHERE tag = 'BASE_TABLE'",
  ))[0]!.mb);
  const limit = async () => (await pool.query<{ limit: string }>("SELECT current_setting('memory_limit') AS \"limit\""))[0]!.limit;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'loupe-trim-'));
    pool = await DuckDbPool.open({ path: join(directory, 'trim.duckdb'), memoryLimit: '512MB', readers: 2 });
    await pool.write(async (connection) => {
      // Text that compresses poorly, so that its blocks are many megabytes once read.
      await connection.run("CREATE TABLE t AS SELECT range AS x, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) || md5((range * 13)::VARCHAR) AS body FROM range(1000000)");
      await connection.run('CHECKPOINT');
    });
  });

  afterEach(async () => {
    await pool.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('drops the table blocks a scan left cached and leaves the memory limit as configured', async () => {
    const before = await limit();
    await pool.query('SELECT count(DISTINCT body) AS n FROM t');
    expect(await cachedMb()).toBeGreaterThan(40);
    expect(await pool.trimCachedBlocks()).toBe(true);
    // Down to the trim's headroom (16 MB by default), which it may keep to the byte.
    expect(await cachedMb()).toBeLessThanOrEqual(16);
    expect(await limit()).toBe(before);
    expect(await pool.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 1000000 }]);
  });

  it('does nothing while other work runs, and holds back work that arrives during a trim', async () => {
    await pool.query('SELECT count(DISTINCT body) AS n FROM t');
    const running = pool.query('SELECT count(DISTINCT body || x::VARCHAR) AS n FROM t');
    expect(await pool.trimCachedBlocks()).toBe(false);
    await running;
    const configured = await limit();
    const trim = pool.trimCachedBlocks();
    // Issued while the limit is lowered: each must run after it is restored, in order.
    const seen: string[] = [];
    const writes = [1, 2, 3].map((n) => pool.write(async (connection) => {
      seen.push(`${n}:${(await connection.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]![0]}`);
    }));
    expect(await trim).toBe(true);
    await Promise.all(writes);
    expect(seen).toEqual([1, 2, 3].map((n) => `${n}:${configured}`));
  });
});
