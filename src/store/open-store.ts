// Chooses the store engine from the configuration: PostgreSQL when DATABASE_URL is set,
// otherwise the embedded DuckDB file under the data directory.
import type { LoupeConfig } from '../config/schema.js';
import { openDuckDbStore } from './duckdb/duckdb-store.js';
import type { Store } from './ports.js';
import { openPostgresStore } from './postgres/postgres-store.js';

export async function openStore(config: Readonly<LoupeConfig>): Promise<Store> {
  if (config.database_url) {
    return openPostgresStore({ databaseUrl: config.database_url });
  }
  return openDuckDbStore({ dataDir: config.data_dir, memoryLimit: config.duckdb_memory_limit, checkpointThreshold: config.duckdb_checkpoint_threshold, cacheTrimIntervalMs: config.duckdb_cache_trim_seconds * 1000, ...(config.duckdb_threads ? { threads: config.duckdb_threads } : {}) });
}
