// A PostgreSQL schema of its own for one test server, so test files run in parallel on one
// database. The base URL comes from scripts/ensure-postgres.sh (LOUPE_TEST_DATABASE_URL) or
// DATABASE_URL; when neither is set the local test database is assumed. Unreachable means
// the test fails: these tests are never skipped.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgPool } from '../../src/store/postgres/pg-pool.js';
import { PgRollupFolder } from '../../src/store/postgres/rollup-queue.js';

const DEFAULT_URL = 'postgres://loupe_test:loupe_test@127.0.0.1:5432/loupe_test';

export function pgBaseUrl(): string {
  return process.env.LOUPE_TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_URL;
}

export interface PgTestSchema {
  /** A DATABASE_URL whose connections work in the new schema. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export async function createPgTestSchema(): Promise<PgTestSchema> {
  if (process.env.LOUPE_TEST_PG_ERROR) throw new Error(process.env.LOUPE_TEST_PG_ERROR);
  const base = pgBaseUrl();
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    url: url.toString(),
    schema,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: base });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A schema of its own and a client connected to it, for tests that read the tables directly. */
export async function connectedPgTestSchema(): Promise<{ schema: PgTestSchema; client: pg.Client }> {
  const schema = await createPgTestSchema();
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  return { schema, client };
}

/** Ends what connectedPgTestSchema made; either may be missing when its setup failed. */
export async function closePgTestSchema(schema: PgTestSchema | undefined, client: pg.Client | undefined): Promise<void> {
  await client?.end();
  await schema?.drop();
}

/**
 * Folds every queued call into the rollups, as a store's background folder does, waiting out
 * another folder that holds the lock.
 */
export async function foldPgRollups(url: string): Promise<void> {
  const pool = createPgPool({ connectionString: url, max: 1 });
  try {
    const folder = new PgRollupFolder(pool);
    for (;;) {
      const taken = await folder.runOnce();
      if (taken === 0) return;
      if (taken === null) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await pool.end();
  }
}
