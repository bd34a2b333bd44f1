// A pg connection pool whose rows look like the embedded store's: timestamps as epoch ms,
// 64-bit integers and numerics as numbers, JSON as its text. Sessions run in UTC (a startup
// option) because the schema stores UTC wall-clock times in `timestamp` columns, as DuckDB does.
import pg from 'pg';

type Parser = (text: string) => unknown;

const asNumber: Parser = (text) => Number(text);
const asUtcMs: Parser = (text) => {
  if (text === 'infinity') return Number.POSITIVE_INFINITY;
  if (text === '-infinity') return Number.NEGATIVE_INFINITY;
  return Date.parse(`${text.replace(' ', 'T')}Z`);
};
const asMs: Parser = (text) => Date.parse(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
const asText: Parser = (text) => text;

const OIDS = { int8: 20, numeric: 1700, timestamp: 1114, timestamptz: 1184, json: 114, jsonb: 3802 };
const PARSERS = new Map<number, Parser>([
  [OIDS.int8, asNumber],
  [OIDS.numeric, asNumber],
  [OIDS.timestamp, asUtcMs],
  [OIDS.timestamptz, asMs],
  [OIDS.json, asText],
  [OIDS.jsonb, asText],
]);

const ARRAY_OIDS = new Map<number, number>([[1016, OIDS.int8], [1231, OIDS.numeric], [1115, OIDS.timestamp]]);

const builtinParser = pg.types.getTypeParser as (oid: number, format: 'text' | 'binary') => Parser;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): Parser {
    const own = PARSERS.get(oid);
    if (own && format !== 'binary') return own;
    const element = ARRAY_OIDS.get(oid);
    if (element !== undefined && format !== 'binary') {
      const parseArray = builtinParser(1009, 'text') as (text: string) => (string | null)[];
      const parse = PARSERS.get(element)!;
      return (text) => parseArray(text).map((item) => (item === null ? null : parse(item)));
    }
    return builtinParser(oid, format ?? 'text');
  },
};

export interface PgPoolOptions {
  connectionString: string;
  max?: number;
}

/**
 * Session settings every connection starts with: UTC (see above), and no JIT compilation.
 * PostgreSQL compiles a statement whose estimated cost passes jit_above_cost, and Loupe's
 * analytics statements are wide: compiling one took 200–650 ms, more than it ever saved on
 * their rollup reads or on raw scans of a day or 30 days at 10M calls (docs/BENCHMARKS.md).
 */
const SESSION_OPTIONS = '-c TimeZone=UTC -c jit=off';

/** The URL with SESSION_OPTIONS added to its startup options (kept: a search_path there). */
function withSessionOptions(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    url.searchParams.set('options', `${url.searchParams.get('options') ?? ''} ${SESSION_OPTIONS}`.trim());
    return url.toString();
  } catch {
    return connectionString;
  }
}

export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withSessionOptions(options.connectionString),
    max: options.max ?? 10,
    // A database that does not answer fails the request instead of holding it indefinitely.
    connectionTimeoutMillis: 5000,
    types,
    application_name: 'loupe',
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export async function queryRows<Row = Record<string, unknown>>(runner: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  const result = await runner.query(sql, params as unknown[]);
  return result.rows as Row[];
}

/**
 * A client taken from the pool. While a client is checked out the pool no longer listens for
 * its errors, so a server that goes away between two of its queries (mid-transaction, or
 * during a COPY) would raise an uncaught 'error' and end the process; the query in flight
 * fails anyway, which is where the caller learns of it.
 */
export async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (destroy?: boolean | Error) => {
    client.off('error', ignore);
    release(destroy);
  };
  return client;
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await checkout(pool);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
