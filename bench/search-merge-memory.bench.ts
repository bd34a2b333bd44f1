// Memory and time of merging the search index's posting rows (one row per project, word and
// day), the former way (the whole table in one statement) against the indexer's merge (day by
// day, in parts). Prose calls, one a second, are stored and indexed in chunks of 10,000 as the
// indexer takes them; each merge then runs in a process of its own on a copy of that store,
// under the DuckDB memory limit given, with the peak RSS reset just before it. Prints the extra
// RSS at the merge's peak (DuckDB's block cache included, which the limit also bounds), the
// time, the rows left, and each ratio to the former merge.
// Usage: npx tsx bench/search-merge-memory.bench.ts [calls=200000] [memoryLimits=1GB,256MB]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { CallSearchIndex, MAX_CANDIDATES } from '../src/store/duckdb/search-index.js';
import { loadProse } from './chat-prose.js';
import { statusMb } from './process-memory.js';

const FORMER_MERGE = [
  `CREATE TEMP TABLE merged_postings AS
    SELECT project_id, token, min(first_at) AS first_at, max(last_at) AS last_at, CAST(sum(n) AS INTEGER) AS n,
      CASE WHEN sum(n) <= ${MAX_CANDIDATES} THEN flatten(list(ids)) ELSE [] END AS ids
    FROM call_search_postings GROUP BY project_id, token, date_trunc('day', first_at)`,
  'DELETE FROM call_search_postings',
  'INSERT INTO call_search_postings SELECT * FROM merged_postings',
  'DROP TABLE merged_postings',
];

async function measure(dir: string, way: string, memoryLimit: string): Promise<void> {
  const pool = await DuckDbPool.open({ path: join(dir, 'loupe.duckdb'), memoryLimit, threads: 1 });
  try {
    const index = new CallSearchIndex(pool);
    await pool.query('SELECT count(*), sum(len(ids)), max(token), min(first_at) FROM call_search_postings');
    const before = statusMb('self', 'VmRSS');
    writeFileSync('/proc/self/clear_refs', '5');
    const started = performance.now();
    let error: string | null = null;
    try {
      if (way === 'former') {
        await pool.write(async (connection) => {
          await connection.run('BEGIN TRANSACTION');
          for (const statement of FORMER_MERGE) await connection.run(statement);
          await connection.run('COMMIT');
        });
      } else {
        await index.merge();
      }
    } catch (caught) {
      error = (caught as Error).message.split('\n')[0]!;
    }
    const ms = performance.now() - started;
    const [{ n }] = (await pool.query<{ n: bigint }>('SELECT count(*) AS n FROM call_search_postings')) as [{ n: bigint }];
    console.log(JSON.stringify({ before, peak: statusMb('self', 'VmHWM'), ms, rows: Number(n), error }));
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 200_000);
  const limits = (process.argv[3] ?? '1GB,256MB').split(',');
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-merge-memory-'));
  try {
    const store = await openDuckDbStore({ dataDir, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
    await loadProse(store, 'p', calls, { searchWords: true });
    await store.close();
    const pool = await DuckDbPool.open({ path: join(dataDir, 'loupe.duckdb'), memoryLimit: '1GB' });
    await new CallSearchIndex(pool).catchUp();
    const [stats] = await pool.query<{ n: bigint; days: bigint }>("SELECT count(*) AS n, count(DISTINCT date_trunc('day', first_at)) AS days FROM call_search_postings");
    await pool.query('CHECKPOINT');
    await pool.close();
    console.log(`merging the posting rows of ${calls.toLocaleString('en')} prose calls (${Number(stats!.n).toLocaleString('en')} rows over ${stats!.days} days), one DuckDB thread, each merge in its own process on a copy; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    for (const limit of limits) {
      let base: { extra: number; ms: number } | null = null;
      for (const way of ['former', 'day by day (search-index.ts)']) {
        const copy = `${dataDir}-copy`;
        cpSync(dataDir, copy, { recursive: true });
        try {
          const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', copy, way, limit], { encoding: 'utf8' });
          const line = child.stdout.trim().split('\n').pop() ?? '';
          if (child.status !== 0 || !line.startsWith('{')) throw new Error(`${way}: ${child.stderr}`);
          const { before, peak, ms, rows, error } = JSON.parse(line) as { before: number; peak: number; ms: number; rows: number; error: string | null };
          const extra = peak - before;
          const ratio = base && !error ? `  ${(extra / base.extra).toFixed(2)} of the memory, ${(ms / base.ms).toFixed(2)} of the time` : '';
          if (!error && way === 'former') base = { extra, ms };
          console.log(`  limit ${limit.padEnd(6)} ${way.padEnd(30)} +${extra.toFixed(0).padStart(4)} MB  ${(ms / 1000).toFixed(2).padStart(6)} s  ${rows.toLocaleString('en').padStart(9)} rows left${error ? `  FAILED: ${error}` : ''}${ratio}`);
        } finally {
          rmSync(copy, { recursive: true, force: true });
        }
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--measure') await measure(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else await main();
