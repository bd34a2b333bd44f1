// Analytics routes at scale: each analytics query of /api/v1/analytics/* run in-process over
// N demo calls (30 days). Baseline, measured in the same run: a bare count(*) over the same
// 30 days. Usage: npx tsx bench/analytics.bench.ts [calls=1000000] [dataDir] [--synthetic]
// (--synthetic: rows from one INSERT ... SELECT over range(), no content, 10% with an outcome;
// loads 1M calls in seconds instead of the demo generator's ~80 s).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costBreakdown, modelBreakdown, peopleBreakdown, providerBreakdown } from '../src/analytics/breakdowns.js';
import { heatmap } from '../src/analytics/heatmap.js';
import { overview } from '../src/analytics/overview.js';
import { performance as performanceAnalytics } from '../src/analytics/performance.js';
import { costTrend, errorAnalysis, insights, usageTrends } from '../src/analytics/trends.js';
import { generateDemo } from '../src/demo/generate-demo.js';
import { writeDemoToStore } from '../src/demo/write-demo.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/ports.js';
import { loadSyntheticCalls } from './synthetic-calls.js';
import { percentile, timeRuns } from './timing.js';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const SYNTHETIC = process.argv.includes('--synthetic');
const CALLS = Number(args[0] ?? 1_000_000);
const RUNS = 10;

async function load(store: Store): Promise<void> {
  process.stderr.write(`loading ${CALLS.toLocaleString('en')} ${SYNTHETIC ? 'synthetic' : 'demo'} calls...\n`);
  if (!SYNTHETIC) {
    await writeDemoToStore(store, generateDemo({ calls: CALLS, days: 30, seed: 42 }), { projectId: 'default' });
    return;
  }
  await loadSyntheticCalls(store, { calls: CALLS, days: 30, withContent: false });
  await store.sql.query(
    `INSERT INTO outcomes (id, project_id, target, name, status, value, closed_at, lesson, properties, created_at, updated_at, target_type)
     SELECT 'o-' || id, project_id, id, 'trade', CASE WHEN hash(id || 'o') % 5 < 3 THEN 'win' ELSE 'loss' END, (hash(id) % 200)::DOUBLE - 100,
            ended_at, NULL, '{}', ended_at, ended_at, 'call'
     FROM calls WHERE hash(id) % 10 = 0`,
  );
}

async function main(): Promise<void> {
  const given = args[1];
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'loupe-bench-analytics-'));
  try {
    const store = await openDuckDbStore({ dataDir });
    const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
    if ((row?.n ?? 0) < CALLS) await load(store);
    const filters = { projectId: 'default', from: Date.now() - 30 * 86_400_000 };
    const reader = store.sql;
    const cases: [string, () => Promise<unknown>][] = [
      ['overview (with previous period)', () => overview(reader, filters)],
      ['performance', () => performanceAnalytics(reader, filters)],
      ['models', () => modelBreakdown(reader, filters)],
      ['providers', () => providerBreakdown(reader, filters)],
      ['agents', () => peopleBreakdown(reader, filters, 'agent')],
      ['users', () => peopleBreakdown(reader, filters, 'user')],
      ['usage-trends (day, by model)', () => usageTrends(reader, filters, 'day', 'model')],
      ['usage-trends (hour)', () => usageTrends(reader, filters, 'hour', null)],
      ['cost-breakdown (tag)', () => costBreakdown(reader, filters, 'tag')],
      ['cost-trend', () => costTrend(reader, filters, 'day')],
      ['errors', () => errorAnalysis(reader, filters)],
      ['trends', () => insights(reader, filters)],
      ['heatmap symbol x model, win rate', () => heatmap(reader, filters, { rows: 'property.symbol', cols: 'model', metric: 'win_rate' })],
    ];
    const baselineTimes = await timeRuns(RUNS, () => reader.query('SELECT count(*) FROM calls WHERE project_id = $1 AND started_at >= now()::TIMESTAMP - INTERVAL 30 DAY', ['default']));
    const [baseline50, baseline95] = [percentile(baselineTimes, 0.5), percentile(baselineTimes, 0.95)];
    console.log(`analytics at ${CALLS.toLocaleString('en')} calls, 30 days (${RUNS} runs; ms; baseline count(*) p50 ${baseline50.toFixed(1)} ms, p95 ${baseline95.toFixed(1)} ms)`);
    console.log('| route | p50 | p95 | p50 / baseline p50 | p95 / baseline p95 |');
    console.log('|---|---|---|---|---|');
    for (const [name, run] of cases) {
      const times = await timeRuns(RUNS, run);
      const [p50, p95] = [percentile(times, 0.5), percentile(times, 0.95)];
      console.log(`| ${name} | ${p50.toFixed(0)} | ${p95.toFixed(0)} | ${(p50 / baseline50).toFixed(0)} | ${(p95 / baseline95).toFixed(0)} |`);
    }
    await store.close();
  } finally {
    if (!given && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
