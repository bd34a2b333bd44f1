// The scale-out store: any number of Loupe instances on one PostgreSQL database, migrated on open.
import type { Store } from '../ports.js';
import { PgApiKeyRepository } from './api-keys-repository.js';
import { PgBudgetRepository } from './budgets-repository.js';
import { PgAlertRepository } from './alerts-repository.js';
import { PgSuggestionRepository } from './suggestions-repository.js';
import { PgCallRepository } from './calls-repository.js';
import { migratePostgres } from './migrations.js';
import { channelName, NotifyBroadcast } from './notify-broadcast.js';
import { PgSharedRateUsage } from './shared-rate-usage.js';
import { PgOutcomeRepository } from './outcomes-repository.js';
import { CallPartitions } from './partitions.js';
import { createPgPool, queryRows } from './pg-pool.js';
import { PgPriceOverrideRepository } from './price-overrides-repository.js';
import { PgProjectRepository } from './projects-repository.js';
import { PgProviderRepository } from './providers-repository.js';
import { PgResearchConfigRepository } from './research-config-repository.js';
import { PgRollupFolder } from './rollup-queue.js';
import { PgSearchIndexer } from './search-indexer.js';

export interface PostgresStoreOptions {
  databaseUrl: string;
  poolSize?: number;
  /** How often the search indexer looks for queued rows; 0 leaves indexing to the caller. */
  searchIndexIntervalMs?: number;
  /** How often queued calls are folded into the rollups; 0: only when a rebuild needs it (tests). */
  rollupFoldIntervalMs?: number;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = createPgPool({ connectionString: options.databaseUrl, max: options.poolSize });
  const partitions = new CallPartitions(pool);
  try {
    await migratePostgres(pool);
    await partitions.createAhead();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  partitions.startAhead();
  const searchIndexer = new PgSearchIndexer(pool);
  // Often, so few rows wait in the queue: a search reads queued rows raw (~5 µs each).
  const interval = options.searchIndexIntervalMs ?? 250;
  if (interval > 0) searchIndexer.start(interval);
  const rollupFolder = new PgRollupFolder(pool);
  // A fold a second: under load it takes many batches at once (every 250 ms cut two writers'
  // rate by a fifth), while reads take the queued calls raw, about 10 µs each
  // (docs/BENCHMARKS.md): at most a second of calls.
  const foldInterval = options.rollupFoldIntervalMs ?? 1_000;
  if (foldInterval > 0) rollupFolder.start(foldInterval);
  const broadcast = new NotifyBroadcast(pool, options.databaseUrl, await channelName(pool));
  return {
    kind: 'postgres',
    calls: new PgCallRepository(pool, partitions),
    projects: new PgProjectRepository(pool),
    apiKeys: new PgApiKeyRepository(pool),
    priceOverrides: new PgPriceOverrideRepository(pool),
    budgets: new PgBudgetRepository(pool),
    alerts: new PgAlertRepository(pool),
    suggestions: new PgSuggestionRepository(pool),
    providers: new PgProviderRepository(pool),
    outcomes: new PgOutcomeRepository(pool),
    researchConfig: new PgResearchConfigRepository(pool),
    broadcast,
    rateUsage: new PgSharedRateUsage(pool),
    sql: { dialect: 'postgres', query: (sql, params) => queryRows(pool, sql, params) },
    ping: async () => {
      await pool.query('SELECT 1 AS ok');
    },
    close: async () => {
      partitions.stop();
      await searchIndexer.stop();
      await rollupFolder.stop();
      await pool.end();
    },
  };
}
