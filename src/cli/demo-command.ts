// `loupe demo`: fills a store with seeded synthetic calls and outcomes, directly when no
// server holds the store, or through a running server's API with --url and --key.
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { generateDemo } from '../demo/generate-demo.js';
import { PreparePool } from '../ingest/prepare-pool.js';
import { writeDemoToServer, writeDemoToStore, type DemoTotals } from '../demo/write-demo.js';
import { StoreLockedError } from '../store/duckdb/duckdb-store.js';
import { openStore } from '../store/open-store.js';

interface DemoFlags {
  calls: string;
  days: string;
  seed: string;
  project: string;
  url?: string;
  key?: string;
  content: boolean;
}

function positiveInteger(name: string, value: string, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) throw new Error(`--${name} must be a whole number from 1 to ${max}, got ${value}`);
  return parsed;
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const calls = positiveInteger('calls', flags.calls, 100_000_000);
  const options = { calls, days: positiveInteger('days', flags.days, 3650), seed: positiveInteger('seed', flags.seed, 2 ** 31), withContent: flags.content };
  const started = performance.now();
  const progress = (totals: DemoTotals) => {
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`\r  ${totals.calls.toLocaleString('en')} / ${calls.toLocaleString('en')} calls, ${totals.outcomes.toLocaleString('en')} outcomes, ${Math.round(totals.calls / seconds).toLocaleString('en')} calls/s   `);
  };
  let totals: DemoTotals;
  if (flags.url) {
    if (!flags.key) throw new Error('--url needs --key (an API key with the ingest scope)');
    totals = await writeDemoToServer({ url: flags.url, key: flags.key }, generateDemo(options, 2000), progress);
  } else {
    const store = await openStore(loadConfig()).catch((error: unknown) => {
      if (error instanceof StoreLockedError) throw new Error(`${error.message}\n  run: loupe demo --url http://127.0.0.1:4000 --key <an ingest key>`);
      throw error;
    });
    try {
      const pool = new PreparePool(undefined, { searchWords: store.calls.keepsSearchWords });
      const prepare = (calls: unknown[]) => pool.prepare(Buffer.from(JSON.stringify(calls)), { projectId: flags.project, apiKeyId: null }, calls.length).then((body) => body.prepared);
      try {
        totals = await writeDemoToStore(store, generateDemo(options), { projectId: flags.project, prepare, onProgress: progress });
      } finally {
        await pool.close();
      }
    } finally {
      await store.close();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write('\n');
  process.stdout.write(`demo: ${totals.calls.toLocaleString('en')} calls and ${totals.outcomes.toLocaleString('en')} outcomes in ${seconds.toFixed(1)} s (${Math.round(totals.calls / seconds).toLocaleString('en')} calls/s)\n`);
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('fill the store with realistic synthetic calls and outcomes (seeded, repeatable)')
    .option('--calls <n>', 'number of calls', '10000')
    .option('--days <n>', 'spread them over the last n days', '30')
    .option('--seed <n>', 'generator seed: the same seed makes the same data', '42')
    .option('--project <id>', 'project to fill (direct mode)', 'default')
    .option('--url <url>', 'send through a running server instead of opening the store')
    .option('--key <key>', 'API key for --url')
    .option('--no-content', 'leave prompts and responses empty (very large runs)')
    .action(runDemo);
}
