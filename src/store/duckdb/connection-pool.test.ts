// The pool keeps reader statements prepared by their text: answers must stay those of a
// fresh statement when values, the catalog or the number of distinct texts change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbPool } from './connection-pool.js';

describe('DuckDbPool.query with kept prepared statements', () => {
  let pool: DuckDbPool;

  beforeEach(async () => {
    pool = await DuckDbPool.open({ path: ':memory:', memoryLimit: '256MB', readers: 1 });
    await pool.write(async (connection) => {
      await connection.run('CREATE TABLE t (x INTEGER, label VARCHAR)');
      await connection.run("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    });
  });

  afterEach(async () => {
    await pool.close();
  });

  it('answers the same text with each call’s own values', async () => {
    const sql = 'SELECT label FROM t WHERE x >= $1 ORDER BY x';
    expect(await pool.query(sql, [3])).toEqual([{ label: 'three' }]);
    expect(await pool.query(sql, [2])).toEqual([{ label: 'two' }, { label: 'three' }]);
    expect(await pool.query(sql, [4])).toEqual([]);
  });

  it('sees a table that was dropped and created again with other columns', async () => {
    const sql = 'SELECT * FROM t WHERE x = $1';
    expect(await pool.query(sql, [1])).toEqual([{ x: 1, label: 'one' }]);
    await pool.write(async (connection) => {
      await connection.run('DROP TABLE t');
      await connection.run('CREATE TABLE t (x INTEGER, weight DOUBLE)');
      await connection.run('INSERT INTO t VALUES (1, 0.5)');
    });
    expect(await pool.query(sql, [1])).toEqual([{ x: 1, weight: 0.5 }]);
  });

  it('reports a failed run and answers the next call with the same text', async () => {
    const sql = 'SELECT CAST($1 AS INTEGER) + x AS sum FROM t WHERE x = 1';
    await expect(pool.query(sql, ['not a number'])).rejects.toThrow(/Could not convert|Conversion/);
    expect(await pool.query(sql, ['41'])).toEqual([{ sum: 42 }]);
  });

  it('answers correctly across more distinct texts than it keeps', async () => {
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 80; n++) {
        expect(await pool.query(`SELECT count(*) + ${n} AS n FROM t WHERE x <= $1`, [2])).toEqual([{ n: 2 + n }]);
      }
    }
  });
});
