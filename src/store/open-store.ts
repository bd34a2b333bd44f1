// Chooses the store engine from the configuration: PostgreSQL when DATABASE_URL is set,
// otherwise the embedded DuckDB file under the data directory, opened on the event loop's
// thread unless duckdb_worker_thread asks for a thread of its own. In-process is the default
// because the worker measured no latency gain on a two-core machine while costing about 40 MB
// and 10–20 % more CPU per call (docs/BENCHMARKS.md); with cores to spare it keeps DuckDB's
// synchronous work off the thread that serves requests.
import type { LoupeConfig } from '../config/schema.js';
import { openDuckDbStore } from './duckdb/duckdb-store.js';
import { WorkerDuckDbStore } from './duckdb-worker/worker-store.js';
import type { Store } from './ports.js';
import { openPostgresStore } from './postgres/postgres-store.js';

export async function openStore(config: Readonly<LoupeConfig>): Promise<Store> {
  if (config.database_url) {
    return openPostgresStore({ databaseUrl: config.database_url });
  }
  const options = { dataDir: config.data_dir, memoryLimit: config.duckdb_memory_limit, checkpointThreshold: config.duckdb_checkpoint_threshold, ...(config.duckdb_threads ? { threads: config.duckdb_threads } : {}) };
  return config.duckdb_worker_thread ? WorkerDuckDbStore.open(options) : openDuckDbStore(options);
}
