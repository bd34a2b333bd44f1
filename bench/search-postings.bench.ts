// The search indexer's posting query (one row per project and word: first and last time,
// number of calls, their ids) in several formulations, alternated in one run on one in-process
// DuckDB over the two kinds of stored calls of bench/search-words.bench.ts (synthetic rows and
// chat-like prose). The adopted query runs over the calls as now stored, with their distinct
// words kept (migration 12), and over a copy without them, as a store written before that
// holds them. Every candidate's postings are first compared with the first one's (ids as
// sorted lists, every other column as is); then each is timed, CPU of every thread per call,
// median of the rounds, with its ratio to the first.
// Usage: npx tsx bench/search-postings.bench.ts [callsPerKind=20000] [rounds=7]
import { loadavg } from 'node:os';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { postingsSql, wordListSql } from '../src/store/duckdb/search-index.js';
import type { Store } from '../src/store/ports.js';
import { loadProse } from './chat-prose.js';
import { loadSyntheticCalls } from './synthetic-calls.js';
import { cpuMicros, median } from './timing.js';

const CALLS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const THREADS = Number(process.env.LOUPE_BENCH_THREADS ?? 1);
const WORDS = wordListSql("lower(concat_ws(' ', CAST(input AS VARCHAR), CAST(output AS VARCHAR)))");

/** Each candidate selects (project_id, token, first_at, last_at, n, ids) for the rows `FROM calls WHERE <where>`. */
const CANDIDATES: Record<string, (where: string) => string> = {
  'DISTINCT (project, id, time, word), then GROUP BY (before)': (where) => `
    SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= 4000 THEN list(id) ELSE [] END AS ids
    FROM (
      SELECT DISTINCT project_id, id, started_at, token FROM (
        SELECT project_id, id, started_at, unnest(${WORDS}) AS token FROM calls WHERE ${where}
      ) WHERE token <> ''
    ) GROUP BY project_id, token`,
  'list_distinct per call, no DISTINCT': (where) => `
    SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= 4000 THEN list(id) ELSE [] END AS ids
    FROM (
      SELECT project_id, id, started_at, unnest(list_distinct(${WORDS})) AS token FROM calls WHERE ${where}
    ) WHERE token <> '' GROUP BY project_id, token`,
  'DISTINCT (rowid, word), then join the call': (where) => `
    WITH chunk AS (SELECT rowid AS r, project_id, id, started_at, ${WORDS} AS words FROM calls WHERE ${where}),
    pairs AS (SELECT DISTINCT r, token FROM (SELECT r, unnest(words) AS token FROM chunk) WHERE token <> '')
    SELECT c.project_id, p.token, min(c.started_at) AS first_at, max(c.started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= 4000 THEN list(c.id) ELSE [] END AS ids
    FROM pairs p JOIN chunk c ON c.r = p.r GROUP BY c.project_id, p.token`,
  'GROUP BY (rowid, word) with the call as payload': (where) => `
    SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= 4000 THEN list(id) ELSE [] END AS ids
    FROM (
      SELECT any_value(project_id) AS project_id, any_value(id) AS id, any_value(started_at) AS started_at, token FROM (
        SELECT rowid AS r, project_id, id, started_at, unnest(${WORDS}) AS token FROM calls WHERE ${where}
      ) WHERE token <> '' GROUP BY r, token
    ) GROUP BY project_id, token`,
  'DISTINCT (id, word), time looked up afterwards': (where) => `
    SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= 4000 THEN list(id) ELSE [] END AS ids
    FROM (
      SELECT project_id, token, any_value(started_at) AS started_at, id FROM (
        SELECT project_id, id, started_at, unnest(${WORDS}) AS token FROM calls WHERE ${where}
      ) WHERE token <> '' GROUP BY project_id, id, token
    ) GROUP BY project_id, token`,
  'count(DISTINCT rowid), list(DISTINCT id) per word': (where) => `
    SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(DISTINCT r) AS n,
      CASE WHEN count(DISTINCT r) <= 4000 THEN list(DISTINCT id) ELSE [] END AS ids
    FROM (
      SELECT rowid AS r, project_id, id, started_at, unnest(${WORDS}) AS token FROM calls WHERE ${where}
    ) WHERE token <> '' GROUP BY project_id, token`,
  'count(DISTINCT id), list(DISTINCT id) per word': (where) => `
    SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(DISTINCT id) AS n,
      CASE WHEN count(DISTINCT id) <= 4000 THEN list(DISTINCT id) ELSE [] END AS ids
    FROM (
      SELECT project_id, id, started_at, unnest(${WORDS}) AS token FROM calls WHERE ${where}
    ) WHERE token <> '' GROUP BY project_id, token`,
  'GROUP BY (rowid, word), min() as payload': (where) => `
    SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= 4000 THEN list(id) ELSE [] END AS ids
    FROM (
      SELECT min(project_id) AS project_id, min(id) AS id, min(started_at) AS started_at, token FROM (
        SELECT rowid AS r, project_id, id, started_at, unnest(${WORDS}) AS token FROM calls WHERE ${where}
      ) WHERE token <> '' GROUP BY r, token
    ) GROUP BY project_id, token`,
  'adopted, calls stored before their words were kept (search-index.ts)': (where) => postingsSql('calls_without_words', where),
  'adopted, calls stored with their words (search-index.ts)': (where) => postingsSql('calls', where),
};

function canonical(sql: string): string {
  return `SELECT project_id, token, first_at, last_at, n, list_sort(ids) AS ids FROM (${sql})`;
}

/** Posting rows in one result and not in the other, both ways. */
async function differences(store: Store, candidate: string, baseline: string): Promise<number> {
  const [row] = await store.sql.query<{ n: bigint }>(
    `SELECT (SELECT count(*) FROM ((${canonical(candidate)}) EXCEPT ALL (${canonical(baseline)}))) + (SELECT count(*) FROM ((${canonical(baseline)}) EXCEPT ALL (${canonical(candidate)}))) AS n`,
  );
  return Number(row!.n);
}

async function main(): Promise<void> {
  const store = await openDuckDbStore({ dataDir: ':memory:', threads: THREADS, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
  try {
    await loadSyntheticCalls(store, { calls: CALLS, days: 30, projectId: 'synthetic', searchWords: true });
    await loadProse(store, 'prose', CALLS, { searchWords: true });
    // The same calls as a store written before migration 12 holds them: no words kept.
    await store.sql.query('CREATE TABLE calls_without_words AS SELECT * REPLACE (NULL::VARCHAR AS search_words) FROM calls');
    const loadBefore = loadavg();
    const names = Object.keys(CANDIDATES);
    for (const project of ['synthetic', 'prose']) {
      const where = `project_id = '${project}'`;
      console.log(`${project}: ${CALLS.toLocaleString('en')} calls`);
      const baseline = CANDIDATES[names[0]!]!(where);
      for (const name of names.slice(1)) {
        const wrong = await differences(store, CANDIDATES[name]!(where), baseline);
        if (wrong > 0) {
          console.error(`  MISMATCH: ${name}: ${wrong} posting rows differ from the current query's`);
          process.exitCode = 1;
        }
      }
      const cpu = new Map<string, number[]>(names.map((name) => [name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of round % 2 === 0 ? names : [...names].reverse()) {
          const started = cpuMicros();
          // Materialized, as the indexer's INSERT does: under count(*) DuckDB would drop the unused aggregates.
          await store.sql.query(`CREATE OR REPLACE TEMP TABLE bench_postings AS ${CANDIDATES[name]!(where)}`);
          cpu.get(name)!.push((cpuMicros() - started) / CALLS);
        }
      }
      const base = median(cpu.get(names[0]!)!);
      console.log(`  posting query, CPU µs per call (median of ${ROUNDS}), ratio to the query before:`);
      for (const name of names) {
        const value = median(cpu.get(name)!);
        console.log(`    ${name.padEnd(58)} ${value.toFixed(1).padStart(6)} µs  ${(value / base).toFixed(2)}`);
      }
    }
    console.log(`load average before / after the timed part: ${loadBefore.map((n) => n.toFixed(2)).join(' ')} / ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  } finally {
    await store.close();
  }
}

await main();
