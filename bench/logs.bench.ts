// Logs API at scale: a filtered page and text searches over 1M stored calls (~1.5 KB of
// prompt and response text each), in-process through the repository and over HTTP through
// a real Loupe process. The baseline, measured in the same run, is the bare SQL of an
// unfiltered newest-first page on the same table.
// Usage: npx tsx bench/logs.bench.ts [calls=1000000] [dataDir]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { LogQuery, Store } from '../src/store/ports.js';
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
  const store = await openDuckDbStore({ dataDir });
  const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
  if ((row?.n ?? 0) < CALLS) {
    const started = performance.now();
    await store.sql.query('DELETE FROM calls');
    await loadSyntheticCalls(store, { calls: CALLS, days: 30, onProgress: (n) => process.stderr.write(`\rloading ${n.toLocaleString('en')} calls`) });
    process.stderr.write(` in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  await store.close();
}

async function inProcess(store: Store, now: number): Promise<Map<string, number[]>> {
  const results = new Map<string, number[]>();
  results.set('baseline', await timeRuns(RUNS, () => store.sql.query('SELECT id FROM calls ORDER BY started_at DESC LIMIT 51')));
  for (const c of cases(now)) {
    results.set(c.name, await timeRuns(RUNS, () => store.calls.list({ ...c.query, filters: { ...c.query.filters, projectId: 'default' } })));
  }
  return results;
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
    const store = await openDuckDbStore({ dataDir });
    const local = await inProcess(store, now);
    await store.close();
    const server = await spawnLoupe({ LOUPE_DATA_DIR: dataDir, LOUPE_ADMIN_KEY: KEY, LOUPE_LOG_LEVEL: 'error' });
    const remote = await overHttp(server.url, now);
    server.process.kill('SIGTERM');
    await server.exited;
    const baseline = percentile(local.get('baseline')!, 0.5);
    console.log(`logs API at ${CALLS.toLocaleString('en')} calls (${RUNS} runs each; p50 / p95 in ms; ratio = in-process p50 / baseline p50 ${baseline.toFixed(1)} ms)`);
    console.log('| query | target | in-process p50 | p95 | HTTP p50 | p95 | ratio |');
    console.log('|---|---|---|---|---|---|---|');
    for (const c of cases(now)) {
      const a = local.get(c.name)!;
      const b = remote.get(c.name)!;
      const p50 = percentile(a, 0.5);
      console.log(`| ${c.name} | ${c.target} | ${p50.toFixed(1)} | ${percentile(a, 0.95).toFixed(1)} | ${percentile(b, 0.5).toFixed(1)} | ${percentile(b, 0.95).toFixed(1)} | ${(p50 / baseline).toFixed(1)} |`);
    }
  } finally {
    if (!given && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
