// Logs API at scale: a filtered page and text searches over 1M stored calls (~1.5 KB of
// prompt and response text each), in-process through the repository and over HTTP through
// a real Loupe process. Baselines measured in the same run: the bare SQL of an unfiltered
// newest-first page on the same table, and each query through the repository without the
// search index (the scan). 5,000 calls are stored after the index ran, so every indexed
// search also scans rows above the watermark.
// Usage: npx tsx bench/logs.bench.ts [calls=1000000] [dataDir]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import { DuckDbCallRepository } from '../src/store/duckdb/calls-repository.js';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { migrateDuckDb } from '../src/store/duckdb/migrations.js';
import { CallSearchIndex } from '../src/store/duckdb/search-index.js';
import type { LogQuery } from '../src/store/ports.js';
import { spawnLoupe } from '../test/helpers/spawn-server.js';
import { percentile, timeRuns } from './timing.js';
import { loadSyntheticCalls, RARE_WORD } from './synthetic-calls.js';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const KEY = 'lp_bench_logs_key_0123456789abcdefgh';
const RUNS = 15;
const DAY = 86_400_000;

interface Case {
  name: string;
  target: string;
  query: Omit<LogQuery, 'filters'> & { filters: Omit<LogQuery['filters'], 'projectId'> };
  http: string;
}

function cases(now: number): Case[] {
  const base = { sort: 'started_at' as const, order: 'desc' as const, limit: 50 };
  const month = new Date(now - 30 * DAY).toISOString();
  return [
    { name: 'filtered page (7 days, model + status)', target: '< 20 ms', query: { ...base, filters: { from: now - 7 * DAY, model: ['gpt-4o'], status: ['error'] } }, http: `days=7&model=gpt-4o&status=error&limit=50` },
    { name: 'search, common word, 30 days', target: '< 300 ms', query: { ...base, filters: { from: now - 30 * DAY, search: 'Volatility' } }, http: `from=${month}&search=Volatility&limit=50` },
    { name: 'search, rare word (10 rows), 30 days', target: '< 300 ms', query: { ...base, filters: { from: now - 30 * DAY, search: RARE_WORD } }, http: `from=${month}&search=${RARE_WORD}&limit=50` },
    { name: 'search, no match, 30 days', target: '< 300 ms', query: { ...base, filters: { from: now - 30 * DAY, search: 'no such phrase anywhere' } }, http: `from=${month}&search=no%20such%20phrase%20anywhere&limit=50` },
  ];
}

async function ensureData(dataDir: string): Promise<void> {
  const store = await openDuckDbStore({ dataDir, searchIndexIntervalMs: 0 });
  const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
  if ((row?.n ?? 0) < CALLS) {
    const started = performance.now();
    await store.sql.query('DELETE FROM calls');
    await store.sql.query('DELETE FROM call_search_postings');
    await store.sql.query('UPDATE call_search_state SET watermark = 0');
    await loadSyntheticCalls(store, { calls: CALLS, days: 30, onProgress: (n) => process.stderr.write(`\rloading ${n.toLocaleString('en')} calls`) });
    process.stderr.write(` in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  await store.close();
}

const TAIL = 5_000;

/** Calls stored after the index ran: they sit above its watermark and are scanned. */
async function storeTail(calls: DuckDbCallRepository, now: number): Promise<void> {
  const items = Array.from({ length: TAIL }, (_, i) => ({
    id: `tail-${now}-${i}`, provider: 'openai', model: 'gpt-4o', prompt_tokens: 300, completion_tokens: 80,
    started_at: new Date(now - (TAIL - i) * 1000).toISOString(),
    input: [{ role: 'user', content: `market report ${i} ${'volatility risk forecast '.repeat(50)}` }],
    output: { role: 'assistant', content: 'summary '.repeat(60) },
  }));
  for (let i = 0; i < TAIL; i += 500) {
    await calls.insertBatch(prepareCalls(items.slice(i, i + 500), { projectId: 'default', apiKeyId: null }).writes);
  }
}

interface Local {
  times: Map<string, number[]>;
  indexSeconds: number;
  postings: number;
}

async function inProcess(dataDir: string, now: number): Promise<Local> {
  const pool = await DuckDbPool.open({ path: join(dataDir, 'loupe.duckdb'), memoryLimit: '1GB', checkpointThreshold: '256MB' });
  await pool.write((connection) => migrateDuckDb(connection));
  const index = new CallSearchIndex(pool);
  const started = performance.now();
  await index.catchUp();
  const indexSeconds = (performance.now() - started) / 1000;
  const [postings] = await pool.query<{ n: number }>('SELECT count(*) AS n FROM call_search_postings');
  const indexed = new DuckDbCallRepository(pool, index);
  const scanned = new DuckDbCallRepository(pool);
  await storeTail(indexed, now);
  const times = new Map<string, number[]>();
  times.set('baseline', await timeRuns(RUNS, () => pool.query('SELECT id FROM calls ORDER BY started_at DESC LIMIT 51')));
  for (const c of cases(now)) {
    const query = { ...c.query, filters: { ...c.query.filters, projectId: 'default' } };
    times.set(c.name, await timeRuns(RUNS, () => indexed.list(query)));
    times.set(`scan: ${c.name}`, await timeRuns(RUNS, () => scanned.list(query)));
    const [a, b] = await Promise.all([indexed.list({ ...query, withTotal: true }), scanned.list({ ...query, withTotal: true })]);
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${c.name}: indexed and scanned pages differ`);
  }
  await pool.close();
  return { times, indexSeconds, postings: postings?.n ?? 0 };
}

async function overHttp(url: string, now: number): Promise<Map<string, number[]>> {
  const results = new Map<string, number[]>();
  const headers = { authorization: `Bearer ${KEY}` };
  for (const c of cases(now)) {
    results.set(c.name, await timeRuns(RUNS, async () => {
      const response = await fetch(`${url}/api/v1/logs?${c.http}`, { headers });
      if (response.status !== 200) throw new Error(`${c.http}: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }));
  }
  return results;
}

async function main(): Promise<void> {
  const given = process.argv[3];
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'loupe-bench-logs-'));
  try {
    await ensureData(dataDir);
    const now = Date.now();
    const local = await inProcess(dataDir, now);
    const server = await spawnLoupe({ LOUPE_DATA_DIR: dataDir, LOUPE_ADMIN_KEY: KEY, LOUPE_LOG_LEVEL: 'error' });
    const remote = await overHttp(server.url, now);
    server.process.kill('SIGTERM');
    await server.exited;
    const baseline = percentile(local.times.get('baseline')!, 0.5);
    console.log(`logs API at ${CALLS.toLocaleString('en')} calls + ${TAIL.toLocaleString('en')} above the index watermark (${RUNS} runs each; ms; load average ${loadavg().map((n) => n.toFixed(1)).join(' ')})`);
    console.log(`search index built in ${local.indexSeconds.toFixed(1)} s (${local.postings.toLocaleString('en')} posting rows); ratio = in-process p50 / bare SQL page p50 ${baseline.toFixed(1)} ms`);
    console.log('| query | target | in-process p50 | p95 | scan p50 (no index) | HTTP p50 | p95 | ratio |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const c of cases(now)) {
      const a = local.times.get(c.name)!;
      const scan = local.times.get(`scan: ${c.name}`)!;
      const b = remote.get(c.name)!;
      const p50 = percentile(a, 0.5);
      console.log(`| ${c.name} | ${c.target} | ${p50.toFixed(1)} | ${percentile(a, 0.95).toFixed(1)} | ${percentile(scan, 0.5).toFixed(1)} | ${percentile(b, 0.5).toFixed(1)} | ${percentile(b, 0.95).toFixed(1)} | ${(p50 / baseline).toFixed(1)} |`);
    }
  } finally {
    if (!given && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
