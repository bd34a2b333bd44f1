// Gateway overhead and throughput, every call recorded into a file-backed DuckDB store.
// Compares, in the same run and against the same mock upstream (../shared/bench/gwbench,
// copied to /tmp): the upstream called directly, a bare node:http + undici pass-through,
// and Loupe. Loopback only; bounded in count and time.
// Loupe runs from the built JavaScript (npx tsc -p tsconfig.json first; `npm run bench:gateway`
// does both), as in production; LOUPE_BENCH_NODE_FLAGS adds node flags (e.g. --cpu-prof).
// bench/process-sampler.ts runs inside Loupe and reports what its memory was at the peak.
// Loupe is configured as a gateway process (GATEWAY_SETTINGS and GATEWAY_NODE_FLAGS, printed
// with the table); pass --default-config to measure it with the defaults instead, and
// LOUPE_BENCH_SETTINGS='{"key": value}' to change some of them.
// LOUPE_BENCH_BUILD=<dir> runs another build instead (a checkout with its own dist/ and
// node_modules), to compare builds alternately in one window.
// Usage: npx tsx bench/gateway.bench.ts [throughputSeconds=8] [--default-config]
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { freePort, spawnLoupe } from '../test/helpers/spawn-server.js';
import { processCpuSeconds } from './process-cpu.js';
import type { SamplerReport } from './process-sampler.js';
import { statusMb } from './process-memory.js';
import { percentile } from './timing.js';

const args = process.argv.slice(2);
const SECONDS = Number(args.find((arg) => !arg.startsWith('--')) ?? 8);
/**
 * A process that serves the gateway: nobody awaits its call records, so they are committed in
 * groups every 50 ms rather than 5 ms (each DuckDB commit has a fixed cost, paid on the event
 * loop); DuckDB gets one thread beside Node on a 2-core machine and a 256 MB buffer pool
 * (with 64 MB, and in half the runs with 128 MB, commits failed with "failed to pin block"
 * within 150,000 gateway records written at full speed beside the search indexer); V8 grows
 * its old generation by 25 % per full collection instead of up to four times, and its young
 * generation is capped at 4 MB semi-spaces (a node flag: V8 sizes it when the process starts);
 * DuckDB checkpoints every 16 MB of WAL rather than 256 MB, so the rows it keeps in memory until a
 * checkpoint stop growing after ~15,000 calls (60 s runs: peak RSS 325-350 MB against 396-442 MB).
 */
const GATEWAY_SETTINGS = { recorder: { flush_interval_ms: 50 }, duckdb_threads: 1, duckdb_memory_limit: '256MB', duckdb_checkpoint_threshold: '16MB', heap_growth_percent: 25 };
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=4'];
const defaults = args.includes('--default-config');
/** LOUPE_BENCH_SETTINGS (a JSON object) adds to or overrides the settings, to measure a variant. */
const settings = { ...(defaults ? {} : GATEWAY_SETTINGS), ...(JSON.parse(process.env.LOUPE_BENCH_SETTINGS ?? '{}') as Record<string, unknown>) };
const nodeFlags = defaults ? [] : GATEWAY_NODE_FLAGS;
const KEY = 'lp_bench_gateway_key_0123456789abcdef';
const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello to the benchmark.' }] });
const STREAM_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], stream: true });

async function startMock(): Promise<{ url: string; process: ChildProcess }> {
  const folder = join(tmpdir(), 'gwbench');
  cpSync(fileURLToPath(new URL('../../shared/bench/gwbench/', import.meta.url)), folder, { recursive: true });
  const child = spawn(process.execPath, [join(folder, 'mock-upstream.mjs')], { env: { ...process.env, MOCK_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.on('data', (data: Buffer) => {
    const match = /MOCK_LISTENING (\d+)/.exec(data.toString());
    if (match) resolve(Number(match[1]));
  }));
  return { url: `http://127.0.0.1:${port}`, process: child };
}

/** The thinnest pass-through: node:http in, undici keep-alive pool out, bodies piped. */
async function startPassthrough(upstream: string): Promise<{ url: string; close(): void }> {
  const pool = new Pool(upstream, { connections: 128 });
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      pool.request({ method: 'POST', path: request.url ?? '/', headers: { 'content-type': 'application/json' }, body: Buffer.concat(parts) }).then(async (answer) => {
        response.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
        for await (const chunk of answer.body) response.write(chunk);
        response.end();
      }, () => response.writeHead(502).end());
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

async function latencies(base: string, body: string, count: number, headers: Record<string, string>): Promise<{ total: number[]; firstByte: number[] }> {
  const pool = new Pool(base, { connections: 1 });
  const total: number[] = [];
  const firstByte: number[] = [];
  for (let i = 0; i < count + 50; i++) {
    const started = performance.now();
    const answer = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', ...headers }, body });
    let first = 0;
    for await (const chunk of answer.body) if (!first && chunk.length > 0) first = performance.now();
    if (answer.statusCode !== 200) throw new Error(`HTTP ${answer.statusCode} from ${base}`);
    if (i >= 50) {
      total.push(performance.now() - started);
      firstByte.push(first - started);
    }
  }
  await pool.close();
  return { total, firstByte };
}

/** Requests per second at `connections` at once, and each answered request's latency in ms. */
async function throughput(base: string, connections: number, seconds: number, headers: Record<string, string>): Promise<{ rate: number; ok: number; errors: number; latencies: number[] }> {
  const pool = new Pool(base, { connections, pipelining: 1 });
  const deadline = performance.now() + seconds * 1000;
  let ok = 0;
  let errors = 0;
  const latencies: number[] = [];
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) {
      try {
        const started = performance.now();
        const answer = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', ...headers }, body: BODY });
        await answer.body.arrayBuffer();
        if (answer.statusCode === 200) {
          ok++;
          latencies.push(performance.now() - started);
        } else errors++;
      } catch {
        errors++;
      }
    }
  }));
  await pool.close();
  return { rate: ok / seconds, ok, errors, latencies };
}

async function main(): Promise<void> {
  const loadBefore = loadavg().map((value) => value.toFixed(2)).join(' ');
  const mock = await startMock();
  const pass = await startPassthrough(mock.url);
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-gateway-'));
  const configPath = join(dataDir, 'loupe.json');
  writeFileSync(configPath, JSON.stringify({ providers: [{ name: 'openai', type: 'openai', base_url: `${mock.url}/v1`, api_key: 'sk-bench', models: ['gpt-4o-mini'] }], ...settings }));
  const flags = [...nodeFlags, '--import', './dist/bench/process-sampler.js', ...(process.env.LOUPE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
  const samplerOut = join(dataDir, 'sampler.json');
  const build = process.env.LOUPE_BENCH_BUILD ?? '.';
  const loupe = await spawnLoupe({ LOUPE_DATA_DIR: join(dataDir, 'data'), LOUPE_ADMIN_KEY: KEY, LOUPE_LOG_LEVEL: 'error', LOUPE_CONFIG: configPath, LOUPE_SAMPLER_OUT: samplerOut }, 30_000, [...flags, join(build, 'dist/src/main.js'), 'serve']);
  const auth = { authorization: `Bearer ${KEY}` };
  // The sampler's figures then cover the load, not the start-up (which holds the event loop for ~0.25 s).
  loupe.process.kill('SIGUSR2');
  try {
    const direct = await latencies(mock.url, BODY, 2000, {});
    const viaPass = await latencies(pass.url, BODY, 2000, {});
    const viaLoupe = await latencies(loupe.url, BODY, 2000, auth);
    const streamDirect = await latencies(mock.url, STREAM_BODY, 500, {});
    const streamLoupe = await latencies(loupe.url, STREAM_BODY, 500, auth);
    const passRun = await throughput(pass.url, 50, SECONDS, {});
    const cpuBefore = processCpuSeconds(loupe.process.pid)!;
    const loupeRun = await throughput(loupe.url, 50, SECONDS, auth);
    const cpuAfter = processCpuSeconds(loupe.process.pid)!;
    const rss = statusMb(loupe.process.pid!, 'VmHWM');
    loupe.process.kill('SIGTERM');
    await loupe.exited;
    const store = await openDuckDbStore({ dataDir: join(dataDir, 'data') });
    const [row] = await store.sql.query<{ n: number }>("SELECT count(*) AS n FROM calls WHERE endpoint = '/v1/chat/completions'");
    await store.close();
    const sent = 2050 + 550 + loupeRun.ok + loupeRun.errors;
    const added = (run: number[], q: number) => (percentile(run, q) - percentile(direct.total, q)).toFixed(2);
    console.log(`gateway on loopback against ../shared/bench/gwbench mock upstream (ms; added = minus direct at the same percentile)`);
    console.log(`Loupe build: ${build === '.' ? 'this checkout' : build}; settings: ${JSON.stringify(settings)}, node flags: ${nodeFlags.join(' ') || 'none'}; load average before/after: ${loadBefore} / ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    console.log('| measure | direct | bare pass-through | Loupe (recording) | target |');
    console.log('|---|---|---|---|---|');
    console.log(`| p50 latency, 1 connection | ${percentile(direct.total, 0.5).toFixed(2)} | ${percentile(viaPass.total, 0.5).toFixed(2)} (+${added(viaPass.total, 0.5)}) | ${percentile(viaLoupe.total, 0.5).toFixed(2)} (+${added(viaLoupe.total, 0.5)}) | +0.5 |`);
    console.log(`| p99 latency, 1 connection | ${percentile(direct.total, 0.99).toFixed(2)} | ${percentile(viaPass.total, 0.99).toFixed(2)} (+${added(viaPass.total, 0.99)}) | ${percentile(viaLoupe.total, 0.99).toFixed(2)} (+${added(viaLoupe.total, 0.99)}) | +3 |`);
    console.log(`| streaming time to first byte, p50 | ${percentile(streamDirect.firstByte, 0.5).toFixed(2)} | | ${percentile(streamLoupe.firstByte, 0.5).toFixed(2)} (+${(percentile(streamLoupe.firstByte, 0.5) - percentile(streamDirect.firstByte, 0.5)).toFixed(2)}) | +0.5 |`);
    console.log(`| throughput, 50 connections, ${SECONDS} s | | ${Math.round(passRun.rate)} req/s, ${passRun.errors} errors | ${Math.round(loupeRun.rate)} req/s, ${loupeRun.errors} errors (ratio ${(loupeRun.rate / passRun.rate).toFixed(2)}) | 5,000 req/s, 0 errors |`);
    const tail = (run: { latencies: number[] }) => `${percentile(run.latencies, 0.5).toFixed(1)} / ${percentile(run.latencies, 0.99).toFixed(1)} / ${run.latencies.reduce((max, value) => Math.max(max, value), 0).toFixed(1)}`;
    console.log(`| latency at 50 connections, p50 / p99 / max | | ${tail(passRun)} | ${tail(loupeRun)} | |`);
    const perCall = (seconds: number) => `${Math.round((seconds / loupeRun.ok) * 1e6)} µs`;
    console.log(`| CPU per call in the 50-connection run: event-loop thread / all threads | | | ${perCall(cpuAfter.main - cpuBefore.main)} / ${perCall(cpuAfter.all - cpuBefore.all)} | |`);
    console.log(`| peak RSS of Loupe | | | ${Math.round(rss)} MB | 200 MB |`);
    console.log(`| calls stored / calls answered | | | ${row?.n} / ${sent - loupeRun.errors} | equal |`);
    const peak = JSON.parse(readFileSync(samplerOut, 'utf8')) as SamplerReport;
    const mb = (value: number) => `${Math.round(value)} MB`;
    console.log(`Loupe at its peak: V8 heap ${mb(peak.heapTotalMb)} (${mb(peak.heapUsedMb)} used), other anonymous memory ${mb(peak.anonMb - peak.heapTotalMb)}, file pages ${mb(peak.fileMb)}; event-loop delay after start-up, p99 ${peak.loopDelayP99Ms.toFixed(1)} ms, max ${peak.loopDelayMaxMs.toFixed(1)} ms`);
    if (row?.n !== sent - loupeRun.errors) {
      console.log(`NOT RECORDED: ${sent - loupeRun.errors - (row?.n ?? 0)} answered calls are missing from the store`);
      process.exitCode = 1;
    }
  } finally {
    pass.close();
    mock.process.kill();
    if (loupe.process.exitCode === null) loupe.process.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
