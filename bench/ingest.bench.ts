// Ingestion throughput: 4 clients post batches of 500 realistic records (~1.4 KB of text
// each) to a real Loupe process on a file-backed DuckDB store. The baseline, measured in the
// same run, is a bare Node HTTP server that reads and JSON-parses the same bodies.
// LOUPE_BENCH_BUILD=<dir> runs the server of another checkout (with its own node_modules), to
// compare builds alternately in one window.
// Usage: npx tsx bench/ingest.bench.ts [seconds=15]
// LOUPE_BENCH_CPU_PROF=<dir> writes CPU profiles of the server (main and worker threads) there.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import { DuckDbCallRepository } from '../src/store/duckdb/calls-repository.js';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { migrateDuckDb } from '../src/store/duckdb/migrations.js';
import { CallSearchIndex } from '../src/store/duckdb/search-index.js';
import { freePort, spawnLoupe } from '../test/helpers/spawn-server.js';
import { processCpuSeconds } from './process-cpu.js';
import { cpuMicros } from './timing.js';

const SECONDS = Number(process.argv[2] ?? 15);
const CLIENTS = 4;
const BATCH = 500;
const KEY = 'lp_bench_ingest_key_0123456789abcdef';
const PROFILE_DIR = process.env.LOUPE_BENCH_CPU_PROF;

const WORDS = 'the model answered quickly with a detailed plan for the quarterly report and listed risks costs and next steps for the team'.split(' ');
function text(seed: number, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${WORDS[(seed * 7 + i * 13) % WORDS.length]} `;
  return out.slice(0, length);
}

/** One body per client, with a placeholder that makes every request's ids unique. */
function makeTemplate(client: number): string {
  const now = Date.now();
  const items = Array.from({ length: BATCH }, (_, i) => ({
    id: `bench-${client}-ROUND-${i}`,
    provider: 'openai',
    model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
    started_at: now - 1000,
    latency_ms: 300 + (i % 700),
    prompt_tokens: 200 + i,
    completion_tokens: 80 + (i % 50),
    user_id: `user-${i % 50}`,
    session_id: `s-${client}-${i % 20}`,
    agent: 'bench_agent',
    tags: ['bench'],
    properties: { symbol: 'EURUSD' },
    input: [{ role: 'system', content: text(i, 200) }, { role: 'user', content: text(i + 1, 700) }],
    output: { role: 'assistant', content: text(i + 2, 500) },
  }));
  return JSON.stringify(items);
}

interface RunResult {
  records: number;
  seconds: number;
  acknowledged: string[];
  errors: number;
}

async function drive(url: string, headers: Record<string, string>, seconds: number, collectIds: boolean): Promise<RunResult> {
  const templates = Array.from({ length: CLIENTS }, (_, client) => makeTemplate(client));
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let records = 0;
  let errors = 0;
  const acknowledged: string[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let round = 0; performance.now() < deadline; round++) {
        // Client-side cost stays small: one string replace per request, no per-record work.
        const body = templates[client]!.replaceAll('-ROUND-', `-${round}-`);
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        await response.arrayBuffer();
        if (response.status === 200) {
          records += BATCH;
          if (collectIds) for (let i = 0; i < BATCH; i++) acknowledged.push(`bench-${client}-${round}-${i}`);
        } else errors++;
      }
    }),
  );
  return { records, seconds: (performance.now() - started) / 1000, acknowledged, errors };
}

async function baseline(seconds: number): Promise<RunResult> {
  const port = await freePort();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const items = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
      response.end(JSON.stringify({ received: items.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    return await drive(`http://127.0.0.1:${port}/`, {}, seconds, false);
  } finally {
    server.close();
  }
}

interface StoreShare {
  prepareCpuUs: number;
  insertCpuUs: number;
  insertRate: number;
  indexCpuUs: number;
}

/**
 * The store's share, in this process without HTTP, CPU per record of: preparing the records
 * (validation, pricing, hashing, search words) as the server's ingestion worker does,
 * insertBatch (append and group commit) for 2,000-record batches (one round of the four
 * clients), then the search indexer catching up on them, which the server runs beside ingestion.
 */
async function storeShare(dataDir: string, records: number): Promise<StoreShare> {
  const pool = await DuckDbPool.open({ path: join(dataDir, 'store-share.duckdb'), memoryLimit: '1GB', checkpointThreshold: '256MB' });
  try {
    await pool.write((connection) => migrateDuckDb(connection));
    const calls = new DuckDbCallRepository(pool);
    const index = new CallSearchIndex(pool);
    const templates = Array.from({ length: CLIENTS }, (_, client) => makeTemplate(client));
    const rounds = [];
    for (let round = 0; round * BATCH * CLIENTS < records; round++) {
      // One group commit as the recorder forms it: every client's request of one round.
      rounds.push(templates.flatMap((template) => JSON.parse(template.replaceAll('-ROUND-', `-store${round}-`)) as unknown[]));
    }
    const written = rounds.reduce((sum, items) => sum + items.length, 0);
    let cpu = cpuMicros();
    const batches = rounds.map((items) => prepareCalls(items, { projectId: 'default', apiKeyId: null }, { searchWords: true }).writes);
    const prepareCpuUs = (cpuMicros() - cpu) / written;
    cpu = cpuMicros();
    const started = performance.now();
    for (const batch of batches) await calls.insertBatch(batch);
    const insertSeconds = (performance.now() - started) / 1000;
    const insertCpuUs = (cpuMicros() - cpu) / written;
    cpu = cpuMicros();
    await index.catchUp();
    const indexCpuUs = (cpuMicros() - cpu) / written;
    return { prepareCpuUs, insertCpuUs, insertRate: written / insertSeconds, indexCpuUs };
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-ingest-'));
  try {
    const base = await baseline(Math.min(5, SECONDS));
    const build = process.env.LOUPE_BENCH_BUILD ?? '.';
    console.log(`server: ${build === '.' ? 'this checkout' : build}`);
    const nodeArgs = ['--import', 'tsx', join(build, 'src/main.ts'), 'serve'];
    if (PROFILE_DIR) nodeArgs.unshift('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`);
    const server = await spawnLoupe({ LOUPE_DATA_DIR: dataDir, LOUPE_ADMIN_KEY: KEY, LOUPE_LOG_LEVEL: 'error' }, 30_000, nodeArgs);
    const cpuBefore = processCpuSeconds(server.process.pid);
    const run = await drive(`${server.url}/api/v1/calls`, { authorization: `Bearer ${KEY}` }, SECONDS, true);
    const cpuAfter = processCpuSeconds(server.process.pid);
    const load = loadavg();
    server.process.kill('SIGTERM');
    await server.exited;
    const store = await openDuckDbStore({ dataDir });
    const stored = await store.sql.query<{ n: number }>("SELECT count(*) AS n FROM calls WHERE id LIKE 'bench-%'");
    await store.close();
    const loupeRate = run.records / run.seconds;
    const baseRate = base.records / base.seconds;
    console.log(`ingestion, ${CLIENTS} clients x batches of ${BATCH}, ~1.4 KB text per record`);
    console.log(`  baseline (bare node:http + JSON.parse): ${Math.round(baseRate).toLocaleString('en')} records/s`);
    console.log(`  loupe  (validate, normalize, commit):   ${Math.round(loupeRate).toLocaleString('en')} records/s  (ratio ${(loupeRate / baseRate).toFixed(2)} of baseline)`);
    if (cpuBefore !== null && cpuAfter !== null) {
      const perRecord = (seconds: number) => ((seconds / run.records) * 1e6).toFixed(1);
      console.log(`  server CPU per record: ${perRecord(cpuAfter.all - cpuBefore.all)} µs on all threads (event loop ${perRecord(cpuAfter.main - cpuBefore.main)}), ${((cpuAfter.all - cpuBefore.all) / run.seconds).toFixed(2)} cores`);
    }
    console.log(`  load average at the end of the load: ${load.map((n) => n.toFixed(2)).join(' ')}`);
    console.log(`  acknowledged ${run.acknowledged.length.toLocaleString('en')}, stored ${stored[0]!.n.toLocaleString('en')}, non-200 answers ${run.errors}`);
    if (stored[0]!.n !== run.acknowledged.length) {
      console.error('MISMATCH: stored count differs from acknowledged count');
      process.exitCode = 1;
    }
    const share = await storeShare(dataDir, 100_000);
    console.log('in this process, 100,000 of the same records (CPU of every thread):');
    console.log(`  prepare (validate, price, hash, search words): ${share.prepareCpuUs.toFixed(1)} µs per record`);
    console.log(`  insertBatch (append + group commit):           ${share.insertCpuUs.toFixed(1)} µs per record, ${Math.round(share.insertRate).toLocaleString('en')} records/s`);
    console.log(`  search indexer catching up on them:            ${share.indexCpuUs.toFixed(1)} µs per record`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
