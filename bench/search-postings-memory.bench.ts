// Memory of the search indexer's posting query over one chunk of calls: each formulation runs
// in a process of its own on the same stored calls (a file-backed DuckDB store, one thread,
// loaded once by this process), whose peak RSS is reset just before the query, so the peak
// minus the RSS at that moment is what the query itself held. Also prints the CPU per call.
// The former query (words deduplicated by a GROUP BY over every (call, word) pair of the chunk)
// is the baseline; the ratio of each other one's extra memory to it is printed.
// Usage: npx tsx bench/search-postings-memory.bench.ts [callsPerChunk=50000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { postingsSql, wordListSql } from '../src/store/duckdb/search-index.js';
import { loadProse } from './chat-prose.js';
import { statusMb } from './process-memory.js';
import { cpuMicros } from './timing.js';
import { loadSyntheticCalls } from './synthetic-calls.js';

const WORDS = wordListSql("lower(concat_ws(' ', CAST(input AS VARCHAR), CAST(output AS VARCHAR)))");
const FORMER = (table: string) => `SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
    CASE WHEN count(*) <= 4000 THEN list(id) ELSE [] END AS ids
  FROM (
    SELECT any_value(project_id) AS project_id, any_value(id) AS id, any_value(started_at) AS started_at, token FROM (
      SELECT rowid AS call_row, project_id, id, started_at, unnest(${WORDS}) AS token FROM ${table}
    ) WHERE token <> '' GROUP BY call_row, token
  ) GROUP BY project_id, token`;

/** Each candidate reads the table named; `without_words` holds the calls with search_words NULL. */
const CANDIDATES: Record<string, string> = {
  'from the text, GROUP BY (call, word) (before)': FORMER('without_words'),
  'from the text, list_distinct per call (search-index.ts)': postingsSql('without_words', 'true'),
  'words kept (search-index.ts)': postingsSql('calls', 'true'),
};

async function measure(dataDir: string, name: string): Promise<void> {
  const store = await openDuckDbStore({ dataDir, threads: 1, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
  try {
    // Every column the query reads is brought into DuckDB's cache first, as the indexer finds it.
    await store.sql.query('SELECT count(*), sum(strlen(CAST(input AS VARCHAR))), sum(strlen(CAST(output AS VARCHAR))), sum(strlen(search_words)), count(DISTINCT id) FROM calls');
    await store.sql.query('SELECT count(*), sum(strlen(CAST(input AS VARCHAR))), sum(strlen(CAST(output AS VARCHAR))), count(DISTINCT id) FROM without_words');
    const [{ n }] = (await store.sql.query<{ n: bigint }>('SELECT count(*) AS n FROM calls')) as [{ n: bigint }];
    const before = statusMb('self', 'VmRSS');
    writeFileSync('/proc/self/clear_refs', '5');
    const cpu = cpuMicros();
    // Materialized, as the indexer's INSERT does.
    await store.sql.query(`CREATE OR REPLACE TABLE bench_postings AS ${CANDIDATES[name]!}`);
    const used = (cpuMicros() - cpu) / Number(n);
    console.log(JSON.stringify({ before, peak: statusMb('self', 'VmHWM'), cpu: used }));
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 50_000);
  console.log(`search posting query over one chunk of ${calls.toLocaleString('en')} calls, one DuckDB thread, each query in its own process; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const kind of ['synthetic', 'prose'] as const) {
    const dataDir = mkdtempSync(join(tmpdir(), 'loupe-postings-memory-'));
    try {
      const store = await openDuckDbStore({ dataDir, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
      if (kind === 'prose') await loadProse(store, 'p', calls, { searchWords: true });
      else await loadSyntheticCalls(store, { calls, days: 1, projectId: 'p', searchWords: true });
      await store.sql.query('CREATE TABLE without_words AS SELECT * REPLACE (NULL::VARCHAR AS search_words) FROM calls');
      await store.sql.query('CHECKPOINT');
      await store.close();
      console.log(`${kind}: extra RSS at the query's peak, CPU per call, ratio of the extra RSS to the first`);
      let base: number | null = null;
      for (const name of Object.keys(CANDIDATES)) {
        const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', dataDir, name], { encoding: 'utf8' });
        const line = child.stdout.trim().split('\n').pop() ?? '';
        if (child.status !== 0 || !line.startsWith('{')) throw new Error(`${name}: ${child.stderr}`);
        const { before, peak, cpu } = JSON.parse(line) as { before: number; peak: number; cpu: number };
        const extra = peak - before;
        base ??= extra;
        console.log(`  ${name.padEnd(58)} +${extra.toFixed(0).padStart(4)} MB (RSS ${before.toFixed(0)} → ${peak.toFixed(0)})  ${cpu.toFixed(1).padStart(6)} µs  ${(extra / base).toFixed(2)}`);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === '--measure') await measure(process.argv[3]!, process.argv[4]!);
else await main();
