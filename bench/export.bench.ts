// CSV export at scale: GET /api/v1/export/csv of N calls from a real Loupe process over
// loopback, timed to the last byte, with the process's resident set before the export and its
// peak during it. Baseline, measured in the same run on the same rows: DuckDB's own COPY of
// the same columns, in the same order, to a CSV file.
// Usage: npx tsc -p tsconfig.json && npx tsx bench/export.bench.ts [calls=1000000] [--no-content]
// (rows from bench/synthetic-calls.ts: a 110-word prompt and a 70-word answer per call unless
// --no-content; ~1.9 KB of CSV per call with content). Loupe runs from built JavaScript
// (`node dist/src/main.js serve`, as `npm start` does), so no transpiler sits in its memory.
// LOUPE_BENCH_BUILD=<dir> runs another checkout's dist/ (alternating before/after runs);
// LOUPE_BENCH_NODE_FLAGS adds node flags (e.g. --cpu-prof); LOUPE_BENCH_DATA_DIR=<dir> keeps
// the loaded calls there and reuses them when present (that dir is then left in place).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { ROLLUPS_CAUGHT_UP_SQL } from '../src/analytics/rollups/rollup-schema.js';
import { CALL_COLUMNS } from '../src/domain/call-record.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { spawnLoupe } from '../test/helpers/spawn-server.js';
import { SEARCH_INDEX_CAUGHT_UP_SQL, waitFor } from './background-work.js';
import { statusMb } from './process-memory.js';
import type { SamplerReport } from './process-sampler.js';
import { loadSyntheticCalls } from './synthetic-calls.js';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const CALLS = Number(args[0] ?? 1_000_000);
const WITH_CONTENT = !process.argv.includes('--no-content');
const KEY = 'lp_bench_export_key_0123456789abcdef';
/** An export slower than this is stopped: the benchmark is bounded in time. */
const TIME_LIMIT_MS = 10 * 60_000;

/**
 * Resets the kernel's resident peak (VmHWM) of `pid`, so that the peak read afterwards is the
 * export's own, not start-up's. False where /proc/<pid>/clear_refs cannot be written.
 */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}


/**
 * The calls in `dataDir`, loaded unless a kept directory already holds them, with the rollups
 * and the search index caught up and checkpointed: otherwise Loupe runs the indexer's first
 * pass over every prompt during the export, and the export is measured against it.
 */
async function prepareCalls(dataDir: string): Promise<void> {
  const store = await openDuckDbStore({ dataDir });
  try {
    const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
    if (Number(row?.n) !== CALLS) {
      if (Number(row?.n) !== 0) throw new Error(`${dataDir} holds ${row?.n} calls, not ${CALLS}`);
      process.stderr.write(`loading ${CALLS.toLocaleString('en')} synthetic calls${WITH_CONTENT ? ' with content' : ''}...\n`);
      await loadSyntheticCalls(store, { calls: CALLS, days: 30, withContent: WITH_CONTENT });
    }
    const started = performance.now();
    await waitFor(store, ROLLUPS_CAUGHT_UP_SQL);
    await waitFor(store, SEARCH_INDEX_CAUGHT_UP_SQL);
    await store.sql.query('CHECKPOINT');
    process.stderr.write(`rollups and search index caught up and checkpointed in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await store.close();
  }
}

/** DuckDB's own sorted COPY of the same columns: the baseline, in this run. */
async function copyBaseline(dataDir: string, workDir: string, from: string): Promise<{ ms: number; bytes: number }> {
  const store = await openDuckDbStore({ dataDir });
  try {
    const columns = CALL_COLUMNS.filter((column) => WITH_CONTENT || !['params', 'input', 'output'].includes(column));
    const copyPath = join(workDir, 'copy.csv');
    const started = performance.now();
    await store.sql.query(
      `COPY (SELECT ${columns.join(', ')} FROM calls WHERE project_id = 'default' AND started_at >= '${from.slice(0, 19).replace('T', ' ')}'::TIMESTAMP ORDER BY started_at, id) TO '${copyPath}' (FORMAT csv, HEADER)`,
    );
    const ms = performance.now() - started;
    const bytes = statSync(copyPath).size;
    rmSync(copyPath);
    return { ms, bytes };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'loupe-bench-export-'));
  const keptDir = process.env.LOUPE_BENCH_DATA_DIR;
  const dataDir = keptDir ?? join(workDir, 'data');
  if (keptDir && !existsSync(keptDir)) mkdirSync(keptDir, { recursive: true });
  const from = new Date(Date.now() - 31 * 86_400_000).toISOString();
  const loadBefore = loadAverage();
  try {
    await prepareCalls(dataDir);
    const copy = await copyBaseline(dataDir, workDir, from);

    const build = process.env.LOUPE_BENCH_BUILD ?? '.';
    const samplerOut = join(workDir, 'sampler.json');
    const flags = ['--import', './dist/bench/process-sampler.js', ...(process.env.LOUPE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
    // LOUPE_DUCKDB_MEMORY_LIMIT passes through (DuckDB's buffer pool may take 1 GB by default).
    const memoryLimit: Record<string, string> = process.env.LOUPE_DUCKDB_MEMORY_LIMIT ? { LOUPE_DUCKDB_MEMORY_LIMIT: process.env.LOUPE_DUCKDB_MEMORY_LIMIT } : {};
    const loupe = await spawnLoupe(
      { LOUPE_DATA_DIR: dataDir, LOUPE_ADMIN_KEY: KEY, LOUPE_LOG_LEVEL: 'error', LOUPE_SAMPLER_OUT: samplerOut, ...memoryLimit },
      120_000,
      [...flags, join(build, 'dist/src/main.js'), 'serve'],
    );
    const pid = loupe.process.pid!;
    let exported: { ms: number; firstByteMs: number; bytes: number; rows: number };
    let idleRss: number;
    let peakRss: number;
    try {
      idleRss = statusMb(pid, 'VmRSS');
      // The sampler's record of what the process held at its peak starts again here, too.
      loupe.process.kill('SIGUSR2');
      const peakReset = resetPeakRss(pid);
      let sampledPeak = idleRss;
      const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, statusMb(pid, 'VmRSS'))), 50);
      exported = await exportCsv(loupe.url, from);
      clearInterval(sampler);
      peakRss = peakReset ? statusMb(pid, 'VmHWM') : sampledPeak;
    } finally {
      loupe.process.kill('SIGTERM');
      await loupe.exited;
    }
    const rate = exported.rows / (exported.ms / 1000);
    const copyRate = CALLS / (copy.ms / 1000);
    console.log(`CSV export of ${CALLS.toLocaleString('en')} calls${WITH_CONTENT ? ' with content' : ' without content'}; Loupe build: ${build === '.' ? 'this checkout' : build}; DuckDB memory limit ${process.env.LOUPE_DUCKDB_MEMORY_LIMIT ?? 'default'}; load average before/after: ${loadBefore} / ${loadAverage()}`);
    console.log('| measure | DuckDB COPY (baseline) | Loupe GET /api/v1/export/csv | target |');
    console.log('|---|---|---|---|');
    console.log(`| rows | ${CALLS} | ${exported.rows} | equal |`);
    console.log(`| bytes | ${(copy.bytes / 1e6).toFixed(0)} MB | ${(exported.bytes / 1e6).toFixed(0)} MB | |`);
    console.log(`| time | ${(copy.ms / 1000).toFixed(1)} s | ${(exported.ms / 1000).toFixed(1)} s (first byte ${exported.firstByteMs.toFixed(0)} ms) | |`);
    console.log(`| rows/s | ${Math.round(copyRate)} | ${Math.round(rate)} (ratio ${(rate / copyRate).toFixed(2)}) | 100,000 |`);
    console.log(`| RSS of Loupe before the export | | ${Math.round(idleRss)} MB | |`);
    console.log(`| peak RSS of Loupe during the export | | ${Math.round(peakRss)} MB | 300 MB |`);
    if (existsSync(samplerOut)) {
      const peak = JSON.parse(readFileSync(samplerOut, 'utf8')) as SamplerReport;
      const mb = (value: number) => `${Math.round(value)} MB`;
      console.log(`Loupe at its peak during the export (200 ms samples): V8 heap ${mb(peak.heapTotalMb)} (${mb(peak.heapUsedMb)} used), buffers outside the heap ${mb(peak.externalMb)}, other anonymous memory (DuckDB, allocator) ${mb(peak.anonMb - peak.heapTotalMb - peak.externalMb)}, file pages ${mb(peak.fileMb)}`);
    }
    if (exported.rows !== CALLS) process.exitCode = 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function exportCsv(url: string, from: string): Promise<{ ms: number; firstByteMs: number; bytes: number; rows: number }> {
  const started = performance.now();
  const answer = await request(`${url}/api/v1/export/csv?from=${encodeURIComponent(from)}&include_content=${WITH_CONTENT}`, {
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
  return { ms: performance.now() - started, firstByteMs, bytes, rows: lines - 1 };
}

await main();
