// `loupe store copy --from <duckdb dir> --to <DATABASE_URL>`: moving up from the embedded
// store to PostgreSQL. The source must not be open in a running server: DuckDB lets one
// process hold the file, and a copy of a store still being written would be out of date.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { openDuckDbStore, StoreLockedError } from '../store/duckdb/duckdb-store.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/ports.js';
import { copyStore } from './store-copy/copy-store.js';

interface CopyFlags {
  from: string;
  to?: string;
  chunkSize: string;
}

async function openSource(directory: string): Promise<Store> {
  if (!existsSync(join(directory, 'loupe.duckdb'))) throw new Error(`--from: ${directory} holds no loupe.duckdb (give the LOUPE_DATA_DIR of the embedded store)`);
  try {
    return await openDuckDbStore({ dataDir: directory, searchIndexIntervalMs: 0 });
  } catch (error) {
    if (error instanceof StoreLockedError) throw new Error(`--from: the store in ${directory} is locked by a running Loupe server; stop it first, then copy (${error.message})`);
    throw error;
  }
}

async function runCopy(flags: CopyFlags): Promise<void> {
  const targetUrl = flags.to ?? process.env.DATABASE_URL;
  if (!targetUrl) throw new Error('--to: give the PostgreSQL URL to copy into (or set DATABASE_URL)');
  if (!/^postgres(ql)?:\/\//.test(targetUrl)) throw new Error('--to: must be a postgres:// URL');
  const chunkSize = Number(flags.chunkSize);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100_000) throw new Error(`--chunk-size must be a whole number from 1 to 100000, got ${flags.chunkSize}`);
  const source = await openSource(flags.from);
  try {
    const target = await openPostgresStore({ databaseUrl: targetUrl });
    try {
      const started = performance.now();
      const report = await copyStore(source, target, { sourceDirectory: flags.from, targetUrl, chunkSize, progress: process.stderr });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const lines = report.tables.map((row) => `  ${row.table.padEnd(28)} ${row.target.toLocaleString('en').padStart(14)}`);
      process.stdout.write(`store copy: ${report.resumed ? 'resumed and ' : ''}finished in ${seconds} s; the target matches the source:\n${lines.join('\n')}\n`);
      process.stdout.write(`  Provider API keys are sealed with the source's secret: run the PostgreSQL instances with LOUPE_SECRET_KEY set to it (${join(flags.from, 'secret.key')} if Loupe generated it).\n`);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

export function registerStoreCommand(program: Command): void {
  const store = program.command('store').description('store administration');
  store
    .command('copy')
    .description('copy an embedded (DuckDB) store into PostgreSQL; resumable, counts verified at the end')
    .requiredOption('--from <dir>', 'data directory of the embedded store (its server stopped)')
    .option('--to <url>', 'PostgreSQL URL to copy into (default: DATABASE_URL)')
    .option('--chunk-size <n>', 'calls and outcomes per transaction', '5000')
    .action(runCopy);
}
