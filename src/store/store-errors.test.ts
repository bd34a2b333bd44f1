import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from './store-errors.js';

async function duckDbError(sql: string, options: Record<string, string> = {}): Promise<unknown> {
  const instance = await DuckDBInstance.create(':memory:', options);
  const connection = await instance.connect();
  try {
    await connection.run(sql);
    return null;
  } catch (error) {
    return error;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('isStoreUnavailable', () => {
  it('takes DuckDB running out of memory as a passing condition, so a retry or the spool follows', async () => {
    const error = await duckDbError("SELECT string_agg(repeat('x', 100), ',') FROM range(2000000)", { memory_limit: '8MB', threads: '1' });
    expect(error).toBeInstanceOf(Error);
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it('does not take a mistake in the request for an outage', async () => {
    const error = await duckDbError('SELECT * FROM no_such_table');
    expect(error).toBeInstanceOf(Error);
    expect(isStoreUnavailable(error)).toBe(false);
    expect(isStoreUnavailable(new Error('duplicate key value violates unique constraint'))).toBe(false);
  });

  it('recognizes a refused connection by its code', () => {
    expect(isStoreUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
  });
});
