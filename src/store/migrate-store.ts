// Applies the pending schema migrations of the configured store and reports them, for
// `loupe migrate` (every store also migrates itself when it opens).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LoupeConfig } from '../config/schema.js';
import { DuckDbPool } from './duckdb/connection-pool.js';
import { migrateDuckDb } from './duckdb/migrations.js';
import { migratePostgres } from './postgres/migrations.js';
import { CallPartitions } from './postgres/partitions.js';
import { createPgPool } from './postgres/pg-pool.js';

export interface MigrationReport {
  engine: 'duckdb' | 'postgres';
  applied: number[];
}

export async function migrateStore(config: Readonly<LoupeConfig>): Promise<MigrationReport> {
  if (config.database_url) {
    const pool = createPgPool({ connectionString: config.database_url, max: 2 });
    try {
      const applied = await migratePostgres(pool);
      await new CallPartitions(pool).createAhead();
      return { engine: 'postgres', applied };
    } finally {
      await pool.end();
    }
  }
  let path = ':memory:';
  if (config.data_dir !== ':memory:') {
    mkdirSync(config.data_dir, { recursive: true });
    path = join(config.data_dir, 'loupe.duckdb');
  }
  const pool = await DuckDbPool.open({ path, memoryLimit: config.duckdb_memory_limit, readers: 1 });
  try {
    return { engine: 'duckdb', applied: await pool.write((connection) => migrateDuckDb(connection)) };
  } finally {
    await pool.close();
  }
}
