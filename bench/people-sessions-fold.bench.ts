// What a rollup fold costs DuckDB's writer lane while the day is filling up: N calls already
// stored today, then rounds of M new calls (about two seconds of heavy ingestion) each folded
// by the folder's own function. Baseline, measured in the same run on the same rows: recounting
// today's distinct sessions per agent and per user from its calls, which every fold did before
// the day still filling was left pending. Ratio = fold / recount.
// Usage: npx tsx bench/people-sessions-fold.bench.ts [calls today=1000000] [calls per fold=20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { recomputeDaysStatements } from '../src/analytics/rollups/people-sessions.js';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { migrateDuckDb } from '../src/store/duckdb/migrations.js';
import { foldIntoRollups, inDuckDbTransaction } from '../src/store/duckdb/rollups.js';
import { loadSyntheticCalls } from './synthetic-calls.js';

const args = process.argv.slice(2);
const TODAY_CALLS = Number(args[0] ?? 1_000_000);
const PER_FOLD = Number(args[1] ?? 20_000);
const ROUNDS = 3;
const DAY = 86_400_000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-people-fold-'));
  const pool = await DuckDbPool.open({ path: join(dir, 'loupe.duckdb'), memoryLimit: '1GB', checkpointThreshold: '256MB' });
  try {
    await pool.write((connection) => migrateDuckDb(connection));
    const store = { sql: { dialect: 'duckdb' as const, query: <Row>(sql: string, params?: readonly unknown[]) => pool.query<Row>(sql, params) } };
    const now = Date.now();
    const today = Math.floor(now / DAY) * DAY;
    // The day's calls spread over today so far, however early in the day the benchmark runs;
    // each fold's over the two seconds before now, as the folder finds them.
    const span = (calls: number, ms: number) => ({ days: ms / DAY, endAt: now, calls, withContent: false });
    await loadSyntheticCalls(store, { ...span(TODAY_CALLS, Math.max(1, now - today - 1)), idPrefix: 'day-' });
    await pool.write((connection) => inDuckDbTransaction(connection, () => foldIntoRollups(connection, now)));
    console.log(`rollup fold of ${PER_FOLD.toLocaleString('en-US')} new calls with ${TODAY_CALLS.toLocaleString('en-US')} calls already today (ms; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')})`);
    console.log('| round | fold (the day left pending) | recount of the day (what each fold did before) | fold / recount |');
    console.log('|---|---|---|---|');
    for (let round = 1; round <= ROUNDS; round++) {
      await loadSyntheticCalls(store, { ...span(PER_FOLD, Math.min(2_000, Math.max(1, now - today - 1))), idPrefix: `fold${round}-` });
      let started = performance.now();
      await pool.write((connection) => inDuckDbTransaction(connection, () => foldIntoRollups(connection, now)));
      const fold = performance.now() - started;
      started = performance.now();
      await pool.write((connection) => inDuckDbTransaction(connection, async () => {
        for (const statement of recomputeDaysStatements({ projectId: 'default', days: [today] })) await connection.run(statement.sql, statement.params as DuckDBValue[]);
      }));
      const recount = performance.now() - started;
      console.log(`| ${round} | ${fold.toFixed(1)} | ${recount.toFixed(1)} | ${(fold / recount).toFixed(2)} |`);
    }
    console.log(`load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
