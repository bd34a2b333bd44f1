// Reader answers must be those of the data as it is now, whatever ran before with the same
// text: DuckDB 1.5 bakes table statistics into a prepared plan, so a statement kept across
// calls (as the pool once did) answered from the data as it was when first prepared.
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
