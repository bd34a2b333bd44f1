// The dashboard at scale, in Chromium against a real Loupe process: how soon the overview shows
// its data, how smoothly the logs table scrolls, and how much JavaScript the first page loads.
// Baselines measured in the same run and browser: the overview of an empty store (same bundle,
// same server, no data to wait for) and the same scroll loop over a static page.
// Usage: npx tsx bench/dashboard.bench.ts [calls=1000000] [dataDir]
// (a given dataDir is filled once and reused; the web app must be built, or is built here).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { spawnLoupe, type SpawnedServer } from '../test/helpers/spawn-server.js';
import { loadSyntheticCalls } from './synthetic-calls.js';
import { percentile } from './timing.js';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const KEY = 'lp_bench_dashboard_key_0123456789abcd';
const PAINT_RUNS = 5;
const SCROLL_FRAMES = 600;
const SCROLL_STEP_PX = 40;
const WAIT_MS = 30_000;
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const log = (message: string) => process.stderr.write(`[dashboard bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** Rejects after `ms` with the step named, so a page that never settles fails instead of hanging. */
async function bounded<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function ensureData(dataDir: string, calls: number): Promise<void> {
  const store = await openDuckDbStore({ dataDir });
  try {
    const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
    if (Number(row?.n ?? 0) === calls) return;
    const started = performance.now();
    await store.sql.query('DELETE FROM calls');
    await loadSyntheticCalls(store, { calls, days: 30, onProgress: (n) => process.stderr.write(`\rloading ${n.toLocaleString('en')} calls`) });
    process.stderr.write(` in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await store.close();
  }
}

// Runs in the page before its own scripts: records when the overview's parts first hold data
// (DOM mutations), and the largest contentful paint.
const PAINT_PROBE = `
  window.__marks = {};
  const mark = (name) => { if (window.__marks[name] === undefined) window.__marks[name] = performance.now(); };
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__marks.lcp = entry.startTime; }).observe({ type: 'largest-contentful-paint', buffered: true });
  const check = () => {
    const main = document.querySelector('main');
    if (!main) return;
    if (main.querySelector('.snippet')) mark('empty_state');
    const kpi = main.querySelector('.kpi-value');
    if (kpi && kpi.textContent !== '—') mark('kpis');
    if (main.querySelectorAll('.grid3 canvas').length >= 3) mark('charts');
    const filled = window.__marks.empty_state !== undefined || (window.__marks.kpis !== undefined && window.__marks.charts !== undefined);
    if (filled && !main.textContent.includes('Loading…')) mark('complete');
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
`;

interface PaintRun { marks: Record<string, number>; api: { path: string; ms: number; end: number }[]; scripts: string[] }

async function signedInContext(browser: Browser, url: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const response = await context.request.post(`${url}/api/v1/session/login`, { data: { key: KEY } });
  if (!response.ok()) throw new Error(`login: HTTP ${response.status()} ${await response.text()}`);
  await context.addInitScript(PAINT_PROBE);
  return context;
}

/** One cold load of the overview in a fresh context (no HTTP cache): marks in ms from navigation start. */
async function paintOverview(browser: Browser, url: string, search: string): Promise<PaintRun> {
  const context = await signedInContext(browser, url);
  try {
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(new URL(response.url()).pathname);
    });
    await bounded('overview navigation', WAIT_MS, page.goto(`${url}/${search}`, { waitUntil: 'commit' }));
    // A function, not a string: the page's script policy forbids evaluating strings there.
    await page.waitForFunction(() => (globalThis as unknown as { __marks: Record<string, number> }).__marks.complete !== undefined, undefined, { timeout: WAIT_MS, polling: 50 });
    // The largest paint is reported after the frame that shows it.
    await page.waitForTimeout(300);
    const result = await page.evaluate<Omit<PaintRun, 'scripts'>>(`({
      marks: window.__marks,
      api: performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/api/'))
        .map((entry) => ({ path: new URL(entry.name).pathname, ms: entry.responseEnd - entry.startTime, end: entry.responseEnd })),
    })`);
    return { ...result, scripts };
  } finally {
    await context.close();
  }
}

// A string, not a function: the bench runs through tsx, whose helpers do not exist in the page.
const SCROLL_LOOP = `new Promise((resolve) => {
  const element = document.querySelector(SELECTOR);
  const deltas = [];
  let last = 0;
  const tick = (now) => {
    if (last) deltas.push(now - last);
    last = now;
    element.scrollTop += STEP;
    if (deltas.length < FRAMES) requestAnimationFrame(tick);
    else resolve({ deltas, note: (document.querySelector('.scroller + p')?.textContent ?? '') + ', scrollTop ' + Math.round(element.scrollTop) });
  };
  requestAnimationFrame(tick);
})`;

interface FrameStats { fps: number; p50: number; p95: number; max: number; dropped: number; frames: number; note: string }

/** Scrolls `selector` by a fixed step every animation frame and times the frames. */
async function scrollFrames(context: BrowserContext, open: (page: import('playwright-core').Page) => Promise<void>, selector: string): Promise<FrameStats> {
  const page = await context.newPage();
  try {
    await open(page);
    const run = page.evaluate<{ deltas: number[]; note: string }>(SCROLL_LOOP.replace('SELECTOR', JSON.stringify(selector)).replace('FRAMES', String(SCROLL_FRAMES)).replace('STEP', String(SCROLL_STEP_PX)));
    const { deltas, note } = await bounded('scroll loop', WAIT_MS * 2, run);
    const total = deltas.reduce((sum, value) => sum + value, 0);
    const frame = 1000 / 60;
    return {
      fps: (deltas.length * 1000) / total,
      p50: percentile(deltas, 0.5),
      p95: percentile(deltas, 0.95),
      max: Math.max(...deltas),
      dropped: deltas.reduce((sum, value) => sum + Math.max(0, Math.round(value / frame) - 1), 0),
      frames: deltas.length,
      note,
    };
  } finally {
    await page.close();
  }
}

async function withServer<T>(dataDir: string, work: (server: SpawnedServer) => Promise<T>): Promise<T> {
  const server = await spawnLoupe({ LOUPE_DATA_DIR: dataDir, LOUPE_ADMIN_KEY: KEY, LOUPE_LOG_LEVEL: 'error' }, 120_000);
  try {
    return await work(server);
  } finally {
    server.process.kill('SIGTERM');
    await bounded('server exit', 30_000, server.exited).catch(() => server.process.kill('SIGKILL'));
  }
}

async function paintSeries(browser: Browser, url: string, search: string, label: string): Promise<PaintRun[]> {
  const runs: PaintRun[] = [];
  for (let i = 0; i < PAINT_RUNS; i++) {
    const run = await paintOverview(browser, url, search);
    log(`${label} run ${i + 1}: ${Object.entries(run.marks).map(([name, ms]) => `${name} ${ms.toFixed(0)}`).join(', ')} ms`);
    runs.push(run);
  }
  return runs;
}

const median = (values: number[]) => percentile(values, 0.5);
const markMedian = (runs: PaintRun[], name: string) => {
  const values = runs.map((run) => run.marks[name]).filter((value): value is number => typeof value === 'number');
  return values.length ? median(values) : NaN;
};

function apiTable(runs: PaintRun[]): string[] {
  const byPath = new Map<string, number[]>();
  for (const run of runs) for (const call of run.api) byPath.set(call.path, [...(byPath.get(call.path) ?? []), call.ms]);
  return [...byPath].sort((a, b) => median(b[1]) - median(a[1])).map(([path, ms]) => `  ${path}: median ${median(ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`);
}

async function gzippedKb(url: string, paths: Iterable<string>): Promise<{ total: number; parts: string[] }> {
  let total = 0;
  const parts: string[] = [];
  for (const path of new Set(paths)) {
    const size = gzipSync(Buffer.from(await (await fetch(`${url}${path}`)).arrayBuffer())).length;
    total += size;
    parts.push(`${path.replace('/assets/', '')} ${(size / 1024).toFixed(1)} KB`);
  }
  return { total: total / 1024, parts };
}

/** The scripts index.html names (needed before anything paints), and every script the overview loaded. */
async function firstPageScripts(url: string, loaded: string[]): Promise<string> {
  const index = await (await fetch(`${url}/`)).text();
  const named = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
  const before = await gzippedKb(url, named);
  const all = await gzippedKb(url, [...named, ...loaded]);
  return `${before.total.toFixed(1)} KB gzipped before the first paint (${before.parts.join(', ')}); ${all.total.toFixed(1)} KB with what the overview loads after (${all.parts.join(', ')})`;
}

async function main(): Promise<void> {
  if (!existsSync('dist/web/index.html')) {
    log('building the web app');
    execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  }
  const given = process.argv[3];
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'loupe-bench-dashboard-'));
  const emptyDir = mkdtempSync(join(tmpdir(), 'loupe-bench-dashboard-empty-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  try {
    log(`filling ${dataDir} with ${CALLS.toLocaleString('en')} calls (reused when already there)`);
    await ensureData(dataDir, CALLS);
    log('empty store: overview (baseline)');
    const empty = await withServer(emptyDir, (server) => paintSeries(browser, server.url, '', 'empty store'));
    log('static page: scroll loop (baseline)');
    const staticContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const staticScroll = await scrollFrames(staticContext, (page) => page.setContent(`<div id="s" style="height:700px;overflow-y:auto"><table>${'<tr><td>row</td><td>text</td><td>42</td></tr>'.repeat(2000)}</table></div>`), '#s');
    await staticContext.close();
    const full = await withServer(dataDir, async (server) => {
      log(`${CALLS.toLocaleString('en')} calls: overview, default range (24h)`);
      const day = await paintSeries(browser, server.url, '', 'full store 24h');
      log(`${CALLS.toLocaleString('en')} calls: overview, 30 days (every call)`);
      const month = await paintSeries(browser, server.url, '?range=30d', 'full store 30d');
      const scripts = await firstPageScripts(server.url, day[0]!.scripts);
      log('logs table: scroll loop over 30 days');
      const context = await signedInContext(browser, server.url);
      const scroll = await scrollFrames(context, async (page) => {
        await bounded('logs navigation', WAIT_MS, page.goto(`${server.url}/logs?range=30d`, { waitUntil: 'commit' }));
        await page.waitForSelector('table.logs tbody tr:not([aria-hidden])', { timeout: WAIT_MS });
      }, '.scroller');
      await context.close();
      return { day, month, scripts, scroll };
    });
    const [one, five, fifteen] = loadavg();
    console.log(`dashboard at ${CALLS.toLocaleString('en')} calls, Chromium headless, ${PAINT_RUNS} cold loads each (medians, ms from navigation start); load average ${one!.toFixed(2)} ${five!.toFixed(2)} ${fifteen!.toFixed(2)}`);
    console.log('| overview | LCP | KPIs hold data | charts drawn | every panel loaded | ratio to empty store |');
    console.log('|---|---|---|---|---|---|');
    const emptyDone = markMedian(empty, 'complete');
    console.log(`| empty store (baseline) | ${markMedian(empty, 'lcp').toFixed(0)} | (first-call snippet) | — | ${emptyDone.toFixed(0)} | 1.0 |`);
    for (const [label, runs] of [['24 h (default)', full.day], ['30 days', full.month]] as const) {
      console.log(`| ${label} | ${markMedian(runs, 'lcp').toFixed(0)} | ${markMedian(runs, 'kpis').toFixed(0)} | ${markMedian(runs, 'charts').toFixed(0)} | ${markMedian(runs, 'complete').toFixed(0)} | ${(markMedian(runs, 'complete') / emptyDone).toFixed(1)} |`);
    }
    console.log('API requests of the overview, 24 h:');
    for (const line of apiTable(full.day)) console.log(line);
    console.log('API requests of the overview, 30 days:');
    for (const line of apiTable(full.month)) console.log(line);
    console.log(`first page JavaScript: ${full.scripts}`);
    console.log(`| scroll (${SCROLL_FRAMES} frames, ${SCROLL_STEP_PX} px each) | fps | p50 frame | p95 frame | max frame | dropped frames |`);
    console.log('|---|---|---|---|---|---|');
    for (const [label, stats] of [['static page (baseline)', staticScroll], ['logs table, 30 days', full.scroll]] as const) {
      console.log(`| ${label} | ${stats.fps.toFixed(1)} | ${stats.p50.toFixed(1)} ms | ${stats.p95.toFixed(1)} ms | ${stats.max.toFixed(1)} ms | ${stats.dropped} |`);
    }
    console.log(`logs table after scrolling: ${full.scroll.note}; fps ratio to baseline ${(full.scroll.fps / staticScroll.fps).toFixed(2)}`);
  } finally {
    await browser.close();
    rmSync(emptyDir, { recursive: true, force: true });
    if (!given && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
