// CSV export at scale: GET /api/v1/export/csv of N calls from a real Loupe process over
// loopback, timed to the last byte, with the process's peak RSS. Baseline, measured in the
// same run on the same rows: DuckDB's own COPY of the same columns, in the same order, to a
// CSV file. Usage: npx tsx bench/export.bench.ts [calls=1000000] [--no-content]
// (rows from bench/synthetic-calls.ts: a 110-word prompt and a 70-word answer per call unless
// --no-content; ~1.2 KB of CSV per call with content).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { CALL_COLUMNS } from '../src/domain/call-record.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { spawnLoupe } from '../test/helpers/spawn-server.js';
import { loadSyntheticCalls } from './synthetic-calls.js';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const CALLS = Number(args[0] ?? 1_000_000);
const WITH_CONTENT = !process.argv.includes('--no-content');
const KEY = 'lp_bench_export_key_0123456789abcdef';
/** An export slower than this is stopped: the benchmark is bounded in time. */
const TIME_LIMIT_MS = 10 * 60_000;

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-export-'));
  const dataDir = join(dir, 'data');
  const from = new Date(Date.now() - 31 * 86_400_000).toISOString();
  try {
    const store = await openDuckDbStore({ dataDir });
    process.stderr.write(`loading ${CALLS.toLocaleString('en')} synthetic calls${WITH_CONTENT ? ' with content' : ''}...\n`);
    await loadSyntheticCalls(store, { calls: CALLS, days: 30, withContent: WITH_CONTENT });
    await store.sql.query('CHECKPOINT');
    const columns = CALL_COLUMNS.filter((column) => WITH_CONTENT || !['params', 'input', 'output'].includes(column));
    const copyPath = join(dir, 'copy.csv');
    const copyStarted = performance.now();
    await store.sql.query(
      `COPY (SELECT ${columns.join(', ')} FROM calls WHERE project_id = 'default' AND started_at >= '${from.slice(0, 19).replace('T', ' ')}'::TIMESTAMP ORDER BY started_at, id) TO '${copyPath}' (FORMAT csv, HEADER)`,
    );
    const copyMs = performance.now() - copyStarted;
    const copyBytes = statSync(copyPath).size;
    rmSync(copyPath);
    await store.close();

    // LOUPE_DUCKDB_MEMORY_LIMIT passes through: DuckDB's block cache (1 GB by default) is most of the RSS.
    const memoryLimit: Record<string, string> = process.env.LOUPE_DUCKDB_MEMORY_LIMIT ? { LOUPE_DUCKDB_MEMORY_LIMIT: process.env.LOUPE_DUCKDB_MEMORY_LIMIT } : {};
    const loupe = await spawnLoupe({ LOUPE_DATA_DIR: dataDir, LOUPE_ADMIN_KEY: KEY, LOUPE_LOG_LEVEL: 'error', ...memoryLimit }, 120_000);
    try {
      // What the process holds before exporting (Fastify, DuckDB open, tsx's transpiler).
      const idleRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${loupe.process.pid!}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      const started = performance.now();
      const answer = await request(`${loupe.url}/api/v1/export/csv?from=${encodeURIComponent(from)}&include_content=${WITH_CONTENT}`, {
        headers: { authorization: `Bearer ${KEY}` },
        bodyTimeout: TIME_LIMIT_MS,
        signal: AbortSignal.timeout(TIME_LIMIT_MS),
      });
      if (answer.statusCode !== 200) throw new Error(`HTTP ${answer.statusCode}: ${await answer.body.text()}`);
      let bytes = 0;
      let lines = 0;
      let firstByteMs = 0;
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        if (!firstByteMs) firstByteMs = performance.now() - started;
        bytes += chunk.length;
        // Quoted cells may hold newlines; the synthetic text has none, so lines = rows + header.
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
      }
      const ms = performance.now() - started;
      const rows = lines - 1;
      const rss = peakRssMb(loupe.process.pid!);
      const rate = rows / (ms / 1000);
      const copyRate = CALLS / (copyMs / 1000);
      console.log(`CSV export of ${CALLS.toLocaleString('en')} calls${WITH_CONTENT ? ' with content' : ' without content'}, DuckDB memory limit ${process.env.LOUPE_DUCKDB_MEMORY_LIMIT ?? 'default'}, load average ${loadAverage()}`);
      console.log('| measure | DuckDB COPY (baseline) | Loupe GET /api/v1/export/csv | target |');
      console.log('|---|---|---|---|');
      console.log(`| rows | ${CALLS} | ${rows} | equal |`);
      console.log(`| bytes | ${(copyBytes / 1e6).toFixed(0)} MB | ${(bytes / 1e6).toFixed(0)} MB | |`);
      console.log(`| time | ${(copyMs / 1000).toFixed(1)} s | ${(ms / 1000).toFixed(1)} s (first byte ${firstByteMs.toFixed(0)} ms) | |`);
      console.log(`| rows/s | ${Math.round(copyRate)} | ${Math.round(rate)} (ratio ${(rate / copyRate).toFixed(2)}) | 100,000 |`);
      console.log(`| peak RSS of Loupe | | ${Math.round(rss)} MB (${Math.round(idleRss)} MB before the export) | 300 MB |`);
    } finally {
      loupe.process.kill('SIGTERM');
      await loupe.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
