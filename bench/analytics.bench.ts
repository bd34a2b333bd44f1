// Analytics routes at scale: each analytics query of /api/v1/analytics/* run in-process over
// N demo calls (30 days). Baseline, measured in the same run: a bare count(*) over the same
// 30 days. Usage: npx tsx bench/analytics.bench.ts [calls=1000000] [dataDir]
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
import { percentile, timeRuns } from './timing.js';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 10;

async function main(): Promise<void> {
  const given = process.argv[3];
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'loupe-bench-analytics-'));
  try {
    const store = await openDuckDbStore({ dataDir });
    const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
    if ((row?.n ?? 0) < CALLS) {
      process.stderr.write(`loading ${CALLS.toLocaleString('en')} demo calls...\n`);
      await writeDemoToStore(store, generateDemo({ calls: CALLS, days: 30, seed: 42 }), { projectId: 'default' });
    }
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
      ['heatmap symbol x model, win rate', () => heatmap(reader, filters, 'property.symbol', 'model', 'win_rate')],
    ];
    const baseline = percentile(await timeRuns(RUNS, () => reader.query('SELECT count(*) FROM calls WHERE project_id = $1 AND started_at >= now()::TIMESTAMP - INTERVAL 30 DAY', ['default'])), 0.5);
    console.log(`analytics at ${CALLS.toLocaleString('en')} calls, 30 days (${RUNS} runs; ms; ratio = p50 / baseline count(*) p50 ${baseline.toFixed(1)} ms)`);
    console.log('| route | p50 | p95 | ratio |');
    console.log('|---|---|---|---|');
    for (const [name, run] of cases) {
      const times = await timeRuns(RUNS, run);
      console.log(`| ${name} | ${percentile(times, 0.5).toFixed(0)} | ${percentile(times, 0.95).toFixed(0)} | ${(percentile(times, 0.5) / baseline).toFixed(0)} |`);
    }
    await store.close();
  } finally {
    if (!given && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
