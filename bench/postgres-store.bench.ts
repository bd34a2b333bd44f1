// The PostgreSQL store against the embedded DuckDB store, in the same run on the same data:
// ingestion through CallRepository.insertBatch (2,000-record batches, as the recorder sends
// them; one writer, two at once, with and without the search indexer running beside them), then the dashboard's
// heaviest reads over N calls spread over 30 days: the overview, the per-model, per-agent and
// per-user breakdowns, the cost breakdown by tag, analytics/errors, and filtered logs pages. Every figure is printed with the DuckDB figure of the same run and their
// ratio. PostgreSQL comes from scripts/ensure-postgres.sh
// (or DATABASE_URL); the benchmark works in a schema of its own and drops it at the end.
// Ingestion includes the rollup maintenance (PostgreSQL: in each batch's transaction; DuckDB:
// the folder's runs on the writer lane). Bulk-loaded rows get their rollups rebuilt on
// PostgreSQL (timed); DuckDB's folder takes them in by itself (waited for). Reads run as served (rollups for these 30-day ranges) and, for the
// analytics, forced to scan raw calls too, on both engines in the same run.
// Usage: npx tsx bench/postgres-store.bench.ts [calls=1000000] [ingested=100000]
// LOUPE_BENCH_INGEST_ONLY=1 stops after the ingestion figures.
// LOUPE_BENCH_PG_URL=<url of a schema> and LOUPE_BENCH_DUCKDB_DIR=<data dir> work in (and keep)
// stores from an earlier run: their load is skipped when they already hold the calls (loading
// 10M calls into both takes most of an hour on this machine). Ingestion then adds to them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { costBreakdown, modelBreakdown, peopleBreakdown } from '../src/analytics/breakdowns.js';
import { errorAnalysis } from '../src/analytics/trends.js';
import { overview } from '../src/analytics/overview.js';
import { rawRowsOnly } from '../src/analytics/rollups/rollup-plan.js';
import { ROLLUP_QUEUE_TABLE, ROLLUPS_CAUGHT_UP_SQL } from '../src/analytics/rollups/rollup-schema.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { CallWrite, LogQuery, Store } from '../src/store/ports.js';
import { copyCalls } from '../src/store/postgres/copy-calls.js';
import { pgRollupTableNames, rebuildPgStatements } from '../src/store/postgres/member-rollups.js';
import { createPgPool, inTransaction } from '../src/store/postgres/pg-pool.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { PgRollupFolder } from '../src/store/postgres/rollup-queue.js';
import { PgSearchIndexer } from '../src/store/postgres/search-indexer.js';
import { createPgTestSchema } from '../test/helpers/pg-test-database.js';
import { UNNEST_INSERT_SQL, unnestParameters } from './pg-unnest-insert.js';
import { loadPostgresCalls } from './pg-synthetic-calls.js';
import { loadSyntheticCalls } from './synthetic-calls.js';
import { percentile, timeBounded } from './timing.js';
import { gatewayLikeWrite } from './gateway-like-record.js';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const INGESTED = Number(process.argv[3] ?? 100_000);
const BATCH = 2000;
const RUNS = 10;
const CASE_SECONDS = 60;

const timeCase = (task: () => Promise<unknown>) => timeBounded(RUNS, CASE_SECONDS, task);
const DAY = 86_400_000;


/**
 * Records per second through insertBatch, `writers` loops at once over disjoint ids (as that
 * many Loupe instances, each with its recorder, would write), `prefix` keeping runs apart.
 */
async function ingestionRate(store: Store, prefix: string, writers = 1): Promise<number> {
  const now = Date.now();
  const started = performance.now();
  const perWriter = Math.ceil(INGESTED / writers);
  await Promise.all(Array.from({ length: writers }, async (_, writer) => {
    const first = writer * perWriter;
    const last = Math.min(INGESTED, first + perWriter);
    for (let offset = first; offset < last; offset += BATCH) {
      const writes: CallWrite[] = [];
      for (let i = offset; i < Math.min(last, offset + BATCH); i++) {
        const write = gatewayLikeWrite(i, INGESTED, now);
        writes.push({ ...write, call: { ...write.call, id: `${prefix}-${i}`, request_id: `${prefix}-${i}` } });
      }
      await store.calls.insertBatch(writes);
    }
  }));
  return INGESTED / ((performance.now() - started) / 1000);
}

/**
 * Rows only (no id claim): COPY against the INSERT ... unnest it replaced, batch for batch in
 * alternating order on one connection, so both see the same load and the same table size.
 */
async function copyAgainstUnnest(url: string, store: Store, rounds: number, run: string): Promise<{ copy: number; unnest: number }> {
  const pool = createPgPool({ connectionString: url, max: 1 });
  const now = Date.now();
  const seconds = { copy: 0, unnest: 0 };
  let next = 0;
  try {
    const first = gatewayLikeWrite(INGESTED, INGESTED, now);
    await store.calls.insertBatch([{ ...first, call: { ...first.call, id: `ab-${run}-first`, request_id: `ab-${run}-first` } }]);
    for (let round = 0; round < rounds; round++) {
      for (const method of round % 2 === 0 ? (['copy', 'unnest'] as const) : (['unnest', 'copy'] as const)) {
        const writes: CallWrite[] = [];
        for (let i = 0; i < BATCH; i++, next++) {
          const write = gatewayLikeWrite(next % INGESTED, INGESTED, now);
          writes.push({ ...write, call: { ...write.call, id: `ab-${run}-${next}`, request_id: `ab-${run}-${next}` } });
        }
        const started = performance.now();
        await inTransaction(pool, async (client) => {
          if (method === 'copy') await copyCalls(client, writes);
          else await client.query(UNNEST_INSERT_SQL, unnestParameters(writes));
        });
        seconds[method] += (performance.now() - started) / 1000;
      }
    }
  } finally {
    await pool.end();
  }
  return { copy: (rounds * BATCH) / seconds.copy, unnest: (rounds * BATCH) / seconds.unnest };
}

/**
 * Seconds until the search and rollup queues are empty: waiting on the store's own indexer and
 * folder when `url` is null, otherwise draining them with an indexer and a folder of this
 * process's own (`seconds` gets each one's share).
 */
async function drainSeconds(store: Store, url: string | null, seconds?: { index: number; fold: number }): Promise<number> {
  const started = performance.now();
  if (url !== null) {
    const pool = createPgPool({ connectionString: url, max: 1 });
    try {
      await new PgSearchIndexer(pool).drain();
      const indexed = performance.now();
      await new PgRollupFolder(pool).drain();
      if (seconds) {
        seconds.index = (indexed - started) / 1000;
        seconds.fold = (performance.now() - indexed) / 1000;
      }
    } finally {
      await pool.end();
    }
  }
  const queued = async () => Number((await store.sql.query<{ n: number }>(`SELECT (SELECT count(*) FROM call_search_pending) + (SELECT count(*) FROM ${ROLLUP_QUEUE_TABLE}) AS n`))[0]?.n ?? 0);
  while ((await queued()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  if (!process.env.LOUPE_TEST_DATABASE_URL && !process.env.DATABASE_URL) {
    process.env.LOUPE_TEST_DATABASE_URL = execFileSync('bash', ['scripts/ensure-postgres.sh'], { encoding: 'utf8' }).trim();
  }
  const keptUrl = process.env.LOUPE_BENCH_PG_URL;
  const keptDir = process.env.LOUPE_BENCH_DUCKDB_DIR;
  const schema = keptUrl ? null : await createPgTestSchema();
  const pgUrl = keptUrl ?? schema!.url;
  const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'loupe-bench-pg-'));
  const duck = await openDuckDbStore({ dataDir });
  const pg = await openPostgresStore({ databaseUrl: pgUrl });
  // Ids of this run's ingestion, apart from any earlier run's in a kept store.
  const run = Date.now().toString(36);
  try {
    console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    const duckRate = await ingestionRate(duck, `ing-${run}`);
    // The store's search indexer and rollup folder run in the background (every 250 ms and
    // 1 s, as served), taking the same CPU; sustained counts until they have every row of the run.
    const pgRate = await ingestionRate(pg, `ing-${run}`);
    const pgSustained = INGESTED / (INGESTED / pgRate + (await drainSeconds(pg, null)));
    const pgTwoWriters = await ingestionRate(pg, `ing2-${run}`, 2);
    const twoSustained = INGESTED / (INGESTED / pgTwoWriters + (await drainSeconds(pg, null)));
    const rowsOnly = await copyAgainstUnnest(pgUrl, pg, 20, run);
    await drainSeconds(pg, null);
    // The insert path alone (indexer and folder stopped), then each of them alone over what it queued.
    const quiet = await createPgTestSchema();
    const pgQuiet = await openPostgresStore({ databaseUrl: quiet.url, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
    let quietRate: number;
    const background = { index: 0, fold: 0 };
    try {
      quietRate = await ingestionRate(pgQuiet, `ing-${run}`);
      await drainSeconds(pgQuiet, quiet.url, background);
    } finally {
      await pgQuiet.close();
      await quiet.drop();
    }
    console.log(`\ningestion, ${INGESTED.toLocaleString('en')} records with content in ${BATCH}-record batches (load average ${loadavg()[0]!.toFixed(2)})`);
    console.log('| engine | records/s | ratio to DuckDB |\n|---|---|---|');
    console.log(`| DuckDB (appender, data chunks; rollups folded behind a watermark) | ${duckRate.toFixed(0)} | 1.00 |`);
    console.log(`| PostgreSQL (ids claimed, then COPY; search text and rollups queued), one writer, indexer and folder in the background | ${pgRate.toFixed(0)} | ${(pgRate / duckRate).toFixed(2)} |`);
    console.log(`| PostgreSQL, one writer, until the indexer and the folder have every row | ${pgSustained.toFixed(0)} | ${(pgSustained / duckRate).toFixed(2)} |`);
    console.log(`| PostgreSQL, two writers at once (two instances) | ${pgTwoWriters.toFixed(0)} | ${(pgTwoWriters / duckRate).toFixed(2)} |`);
    console.log(`| PostgreSQL, two writers, until the indexer and the folder have every row | ${twoSustained.toFixed(0)} | ${(twoSustained / duckRate).toFixed(2)} |`);
    console.log(`| PostgreSQL, one writer, indexer and folder stopped (the insert path alone) | ${quietRate.toFixed(0)} | ${(quietRate / duckRate).toFixed(2)} |`);
    console.log(`| PostgreSQL search indexer alone, over that queue | ${(INGESTED / background.index).toFixed(0)} | ${(INGESTED / background.index / duckRate).toFixed(2)} |`);
    console.log(`| PostgreSQL rollup folder alone, over that queue | ${(INGESTED / background.fold).toFixed(0)} | ${(INGESTED / background.fold / duckRate).toFixed(2)} |`);
    console.log(`\nrows only (no id claim), 20 batches each, alternating: COPY against the INSERT ... unnest it replaced`);
    console.log('| indexes | INSERT ... unnest | COPY | COPY / unnest |\n|---|---|---|---|');
    console.log(`| all (no trigram index on calls) | ${rowsOnly.unnest.toFixed(0)} | ${rowsOnly.copy.toFixed(0)} | ${(rowsOnly.copy / rowsOnly.unnest).toFixed(2)} |`);
    if (process.env.LOUPE_BENCH_INGEST_ONLY) return;

    const held = async (store: Store) => Number((await store.sql.query<{ n: number | bigint | string }>("SELECT count(*) AS n FROM calls WHERE project_id = 'default'"))[0]?.n ?? 0);
    if ((await held(duck)) < CALLS) {
      process.stderr.write(`loading ${CALLS.toLocaleString('en')} calls over 30 days into DuckDB...\n`);
      await loadSyntheticCalls(duck, { calls: CALLS, days: 30, withContent: false });
    } else {
      console.log(`DuckDB store kept from an earlier run: ${(await held(duck)).toLocaleString('en')} calls`);
    }
    if ((await held(pg)) < CALLS) {
      process.stderr.write(`loading ${CALLS.toLocaleString('en')} calls over 30 days into PostgreSQL...\n`);
      await loadPostgresCalls(pg, CALLS);
      const started = performance.now();
      for (const statement of rebuildPgStatements()) await pg.sql.query(statement.sql, statement.params);
      console.log(`rollups rebuilt from ${(CALLS + INGESTED).toLocaleString('en')} calls on PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } else {
      console.log(`PostgreSQL store kept from an earlier run: ${(await held(pg)).toLocaleString('en')} calls`);
    }
    const waited = performance.now();
    while (!(await duck.sql.query<{ caught_up: boolean }>(ROLLUPS_CAUGHT_UP_SQL))[0]?.caught_up) await new Promise((resolve) => setTimeout(resolve, 250));
    console.log(`DuckDB's rollup folder had every call ${((performance.now() - waited) / 1000).toFixed(1)} s after the load ended`);
    // The ingestion runs above put hundreds of thousands of calls into today's partition; its
    // statistics are what autovacuum's analyze gives them within a minute (without them the
    // planner scans the whole partition for the minutes at the end of a range).
    for (const table of [...pgRollupTableNames(), 'calls']) await pg.sql.query(`ANALYZE ${table}`);

    const from = Date.now() - 30 * DAY;
    const filters = { projectId: 'default', from };
    const page = (extra: Partial<LogQuery['filters']>): LogQuery => ({ filters: { ...filters, ...extra }, sort: 'started_at', order: 'desc', limit: 50 });
    const cases: [string, (store: Store) => Promise<unknown>][] = [
      ['overview, 30 days (with previous period)', (store) => overview(store.sql, filters)],
      ['per-model breakdown with p50/p95/p99, 30 days', (store) => modelBreakdown(store.sql, filters)],
      ['overview, 30 days, raw scan', (store) => overview(rawRowsOnly(store.sql), filters)],
      ['per-model breakdown, 30 days, raw scan', (store) => modelBreakdown(rawRowsOnly(store.sql), filters)],
      ['per-agent breakdown, 30 days', (store) => peopleBreakdown(store.sql, filters, 'agent')],
      ['per-user breakdown, 30 days', (store) => peopleBreakdown(store.sql, filters, 'user')],
      ['per-agent breakdown, 30 days, raw scan', (store) => peopleBreakdown(rawRowsOnly(store.sql), filters, 'agent')],
      ['per-user breakdown, 30 days, raw scan', (store) => peopleBreakdown(rawRowsOnly(store.sql), filters, 'user')],
      ['cost breakdown by tag, 30 days', (store) => costBreakdown(store.sql, filters, 'tag')],
      ['cost breakdown by tag, 30 days, raw scan', (store) => costBreakdown(rawRowsOnly(store.sql), filters, 'tag')],
      ['errors, 30 days', (store) => errorAnalysis(store.sql, filters)],
      ['errors, 30 days, raw scan', (store) => errorAnalysis(rawRowsOnly(store.sql), filters)],
      ['logs page, newest 50', (store) => store.calls.list(page({}))],
      ['logs page, model + status filter, newest 50', (store) => store.calls.list(page({ model: ['claude-sonnet-4'], status: ['error'] }))],
      ['logs page, user filter, newest 50', (store) => store.calls.list(page({ userId: 'user-42' }))],
    ];
    console.log(`\nreads at ${CALLS.toLocaleString('en')} calls (up to ${RUNS} runs or ${CASE_SECONDS} s after a warm-up; ms; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')})`);
    console.log('| query | PostgreSQL p50 | p95 | DuckDB p50 | p95 | PostgreSQL / DuckDB (p50) |\n|---|---|---|---|---|---|');
    for (const [name, run] of cases) {
      const duckTimes = await timeCase(() => run(duck));
      const pgTimes = await timeCase(() => run(pg));
      const [p50, p95, d50, d95] = [percentile(pgTimes, 0.5), percentile(pgTimes, 0.95), percentile(duckTimes, 0.5), percentile(duckTimes, 0.95)];
      console.log(`| ${name} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${d50.toFixed(1)} | ${d95.toFixed(1)} | ${(p50 / d50).toFixed(2)} |`);
    }
    console.log(`\nload average at end: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  } finally {
    await duck.close();
    await pg.close();
    await schema?.drop();
    if (!keptDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
