// The embedded store: one DuckDB file under the data directory, migrated on open.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../ports.js';
import { DuckDbApiKeyRepository } from './api-keys-repository.js';
import { DuckDbCallRepository } from './calls-repository.js';
import { DuckDbPool } from './connection-pool.js';
import { migrateDuckDb } from './migrations.js';
import { RollupFolder } from './rollups.js';
import { CallSearchIndex } from './search-index.js';
import { DuckDbOutcomeRepository } from './outcomes-repository.js';
import { DuckDbResearchConfigRepository } from './research-config-repository.js';
import { DuckDbBudgetRepository } from './budgets-repository.js';
import { DuckDbAlertRepository } from './alerts-repository.js';
import { DuckDbSuggestionRepository } from './suggestions-repository.js';
import { DuckDbPriceOverrideRepository } from './price-overrides-repository.js';
import { DuckDbProjectRepository } from './projects-repository.js';
import { DuckDbProviderRepository } from './providers-repository.js';
import { BackgroundLoop } from '../background-loop.js';

export interface DuckDbStoreOptions {
  /** Directory holding loupe.duckdb, or ':memory:' for tests. */
  dataDir: string;
  memoryLimit?: string;
  /**
   * DuckDB checkpoints when its WAL reaches this size. At the default 16 MB a checkpoint ran
   * every few ingestion batches and tripled the average commit (17 ms against 5 ms per
   * 1,300 rows, measured); 256 MB keeps commits short at the price of rarer, longer pauses.
   */
  checkpointThreshold?: string;
  threads?: number;
  /** How often the search indexer picks up new rows; 0 leaves indexing to the caller. */
  searchIndexIntervalMs?: number;
  /** How often new calls are folded into the rollups; 0: only when deletes or retention need it (tests). */
  rollupFoldIntervalMs?: number;
  /**
   * How often DuckDB's cache of the table blocks it has read is brought back to
   * `cacheKeepBytes` when larger (DuckDbPool.trimCachedBlocks); 0: never. Without, the cache only
   * grows, up to `memoryLimit`: a search, the sessions list and pipelines at 1M calls left
   * 132 MB cached, and every further range or column adds to it (measured).
   */
  cacheTrimIntervalMs?: number;
  cacheKeepBytes?: number;
}

const CACHE_KEEP_BYTES = 64 * 1024 * 1024;

export class StoreLockedError extends Error {}

export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  let path = ':memory:';
  if (options.dataDir !== ':memory:') {
    mkdirSync(options.dataDir, { recursive: true });
    path = join(options.dataDir, 'loupe.duckdb');
  }
  let pool: DuckDbPool;
  try {
    pool = await DuckDbPool.open({ path, memoryLimit: options.memoryLimit ?? '1GB', checkpointThreshold: options.checkpointThreshold ?? '256MB', threads: options.threads });
  } catch (error) {
    const message = (error as Error).message;
    if (/lock/i.test(message)) {
      throw new StoreLockedError(`${path} is held by another Loupe process; talk to it through its API (${message})`);
    }
    throw error;
  }
  await pool.write((connection) => migrateDuckDb(connection));
  const searchIndex = new CallSearchIndex(pool);
  const interval = options.searchIndexIntervalMs ?? 2_000;
  if (interval > 0) searchIndex.start(interval);
  const rollups = new RollupFolder(pool);
  const foldInterval = options.rollupFoldIntervalMs ?? 2_000;
  if (foldInterval > 0) rollups.start(foldInterval);
  // A trim waits for a moment when nothing runs on the instance and holds new work back while
  // it lasts (15-45 ms); a busy instance is simply not trimmed on that tick.
  const cacheKeep = options.cacheKeepBytes ?? CACHE_KEEP_BYTES;
  const cacheTrim = new BackgroundLoop(async () => {
    await pool.trimCachedBlocks(cacheKeep);
  });
  const trimInterval = options.cacheTrimIntervalMs ?? 0;
  if (trimInterval > 0) cacheTrim.start(trimInterval);
  return {
    kind: 'duckdb',
    calls: new DuckDbCallRepository(pool, searchIndex),
    projects: new DuckDbProjectRepository(pool),
    apiKeys: new DuckDbApiKeyRepository(pool),
    priceOverrides: new DuckDbPriceOverrideRepository(pool),
    budgets: new DuckDbBudgetRepository(pool),
    alerts: new DuckDbAlertRepository(pool),
    suggestions: new DuckDbSuggestionRepository(pool),
    // @anchor pricing
    providers: new DuckDbProviderRepository(pool),
    // @anchor gateway
    outcomes: new DuckDbOutcomeRepository(pool),
    researchConfig: new DuckDbResearchConfigRepository(pool),
    // @anchor outcomes
    // @anchor live
    sql: { dialect: 'duckdb', query: (sql, params) => pool.query(sql, params), releaseFreedMemory: () => pool.releaseFreedMemory(), trimCachedBlocks: () => pool.trimCachedBlocks() },
    ping: async () => {
      await pool.query('SELECT 1 AS ok');
    },
    close: async () => {
      await cacheTrim.stop();
      await searchIndex.stop();
      await rollups.stop();
      await pool.close();
    },
  };
}
