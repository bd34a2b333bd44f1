// Analytics routes at scale: each analytics query of /api/v1/analytics/* run in-process over
// N demo calls (30 days), as served (rollups for long ranges) and forced to scan raw calls, in
// the same run; plus a bare count(*) over the same 30 days as a baseline.
// Usage: npx tsx bench/analytics.bench.ts [calls=1000000] [dataDir] [--synthetic] [--no-raw]
// (--synthetic: rows from one INSERT ... SELECT over range(), no content, 10% with an outcome;
// loads 1M calls in seconds instead of the demo generator's ~80 s; the store's rollup folder
// takes them in as they arrive, and the benchmark waits until it has. --no-raw: skip the raw scans; --case-seconds=N: the time bound per case, default 60.) Each case stops after RUNS runs or
// CASE_SECONDS, whichever comes first.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { costBreakdown, modelBreakdown, peopleBreakdown, providerBreakdown } from '../src/analytics/breakdowns.js';
import { heatmap } from '../src/analytics/heatmap.js';
import { overview } from '../src/analytics/overview.js';
import { performance as performanceAnalytics } from '../src/analytics/performance.js';
import { costTrend, errorAnalysis, insights, usageTrends } from '../src/analytics/trends.js';
import { calibration, lessons, signalReliability } from '../src/outcomes/learning-analytics.js';
import { costVsReturn, modelPerformance, pipelines, pnlTimeline } from '../src/outcomes/performance-analytics.js';
import { requestDetails } from '../src/sessions/request-details.js';
import { sessionMessages } from '../src/sessions/session-messages.js';
import { listSessions, sessionSummary } from '../src/sessions/session-query.js';
import { listTraces, traceDetails } from '../src/traces/trace-query.js';
import { generateDemo } from '../src/demo/generate-demo.js';
import { writeDemoToStore } from '../src/demo/write-demo.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { rawRowsOnly } from '../src/analytics/rollups/rollup-plan.js';
import { ROLLUPS_CAUGHT_UP_SQL } from '../src/analytics/rollups/rollup-schema.js';
import type { SqlReader, Store } from '../src/store/ports.js';
import { SEARCH_INDEX_CAUGHT_UP_SQL, waitFor } from './background-work.js';
import { loadSyntheticCalls } from './synthetic-calls.js';
import { percentile, timeBounded } from './timing.js';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const SYNTHETIC = process.argv.includes('--synthetic');
const CALLS = Number(args[0] ?? 1_000_000);
const NO_RAW = process.argv.includes('--no-raw');
const RUNS = 10;
const CASE_SECONDS = Number(process.argv.find((arg) => arg.startsWith('--case-seconds='))?.split('=')[1] ?? 60);

const timeCase = (task: () => Promise<unknown>) => timeBounded(RUNS, CASE_SECONDS, task);

async function load(store: Store): Promise<void> {
  process.stderr.write(`loading ${CALLS.toLocaleString('en')} ${SYNTHETIC ? 'synthetic' : 'demo'} calls...\n`);
  if (!SYNTHETIC) {
    await writeDemoToStore(store, generateDemo({ calls: CALLS, days: 30, seed: 42 }), { projectId: 'default' });
    return;
  }
  await loadSyntheticCalls(store, { calls: CALLS, days: 30, withContent: false });
  await store.sql.query(
    `INSERT INTO outcomes (id, project_id, target, name, status, value, closed_at, lesson, properties, created_at, updated_at, target_type, session_id)
     SELECT 'o-' || id, project_id, id, 'trade', CASE WHEN hash(id || 'o') % 5 < 3 THEN 'win' ELSE 'loss' END, (hash(id) % 200)::DOUBLE - 100,
            ended_at, NULL, '{}', ended_at, ended_at, 'call', session_id
     FROM calls WHERE hash(id) % 10 = 0`,
  );
}


/**
 * Waits for the rollup folder and then the search indexer to take in every loaded call, and
 * checkpoints. Timing before that measured the indexer's first pass over millions of rows and
 * a WAL of several GB replayed into the instance's memory (1 GB by default), not the queries:
 * at 10M calls the per-user query then ran out of memory or spilled (7.4 s p50 in one run
 * against 1.6 s for the same SQL later in that run).
 */
async function waitForBackgroundWork(store: Store, loadStarted: number): Promise<void> {
  const loaded = performance.now();
  await waitFor(store, ROLLUPS_CAUGHT_UP_SQL);
  const rolled = performance.now();
  await waitFor(store, SEARCH_INDEX_CAUGHT_UP_SQL);
  const indexed = performance.now();
  await store.sql.query('CHECKPOINT');
  const done = performance.now();
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  console.log(`loaded in ${seconds(loadStarted, loaded)} s; rollups caught up ${seconds(loaded, rolled)} s after the load ended, the search index ${seconds(loaded, indexed)} s after; checkpoint ${seconds(indexed, done)} s`);
}

async function main(): Promise<void> {
  const given = args[1];
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'loupe-bench-analytics-'));
  try {
    const store = await openDuckDbStore({ dataDir });
    const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
    const loadStarted = performance.now();
    if ((row?.n ?? 0) < CALLS) await load(store);
    await waitForBackgroundWork(store, loadStarted);
    const filters = { projectId: 'default', from: Date.now() - 30 * 86_400_000 };
    const scope = { filters };
    // One session and request of the middle of the range, for the per-session routes.
    const [sampleRow] = await store.sql.query<{ session_id: string; request_id: string; agent: string; model: string }>(
      `SELECT session_id, request_id, agent, model FROM calls WHERE project_id = 'default' AND session_id IS NOT NULL AND agent IS NOT NULL
       AND started_at >= now()::TIMESTAMP - INTERVAL 15 DAY ORDER BY started_at LIMIT 1`,
    );
    if (!sampleRow) throw new Error('no call with a session and an agent to time the session routes on');
    const sample = { sessionId: sampleRow.session_id, requestId: sampleRow.request_id, agent: sampleRow.agent, model: sampleRow.model };
    const cases: [string, (reader: SqlReader) => Promise<unknown>][] = [
      ['overview (with previous period)', (reader) => overview(reader, filters)],
      ['performance', (reader) => performanceAnalytics(reader, filters)],
      ['models', (reader) => modelBreakdown(reader, filters)],
      ['providers', (reader) => providerBreakdown(reader, filters)],
      ['agents', (reader) => peopleBreakdown(reader, filters, 'agent')],
      ['users', (reader) => peopleBreakdown(reader, filters, 'user')],
      ['usage-trends (day, by model)', (reader) => usageTrends(reader, filters, 'day', 'model')],
      ['usage-trends (hour)', (reader) => usageTrends(reader, filters, 'hour', null)],
      ['cost-breakdown (model)', (reader) => costBreakdown(reader, filters, 'model')],
      ['cost-breakdown (tag)', (reader) => costBreakdown(reader, filters, 'tag')],
      ['cost-trend', (reader) => costTrend(reader, filters, 'day')],
      ['errors', (reader) => errorAnalysis(reader, filters)],
      ['trends', (reader) => insights(reader, filters)],
      ['heatmap provider x model, success rate', (reader) => heatmap(reader, filters, { rows: 'provider', cols: 'model', metric: 'success_rate' })],
      ['heatmap symbol x model, win rate', (reader) => heatmap(reader, filters, { rows: 'property.symbol', cols: 'model', metric: 'win_rate' })],
      ['cost-breakdown (provider)', (reader) => costBreakdown(reader, filters, 'provider')],
      ['cost-breakdown (agent)', (reader) => costBreakdown(reader, filters, 'agent')],
      ['cost-breakdown (user)', (reader) => costBreakdown(reader, filters, 'user')],
      ['cost-breakdown (reasoning effort)', (reader) => costBreakdown(reader, filters, 'reasoning_effort')],
      ['usage-trends (day, by provider)', (reader) => usageTrends(reader, filters, 'day', 'provider')],
      ['outcomes: model-performance', (reader) => modelPerformance(reader, scope)],
      ['outcomes: pnl-timeline (day)', (reader) => pnlTimeline(reader, scope, 'day')],
      ['outcomes: cost-vs-return (model)', (reader) => costVsReturn(reader, scope, 'model')],
      ['outcomes: pipelines', (reader) => pipelines(reader, scope)],
      ['outcomes: calibration (10 buckets)', (reader) => calibration(reader, scope, 10)],
      ['outcomes: signal-reliability', (reader) => signalReliability(reader, scope)],
      ['outcomes: lessons', (reader) => lessons(reader, scope, { minFrequency: 1, limit: 50 })],
      // Reads no rollups: the raw column repeats the served one.
      ['outcomes list (model, status, calls of 30 days)', () => store.outcomes.list({ projectId: 'default', status: ['win', 'loss'], decidingCall: { ...filters, model: [sample.model] }, limit: 100, offset: 0 })],
      ['sessions (by start)', (reader) => listSessions(reader, { filters, sort: 'start', order: 'desc', limit: 50 })],
      ['sessions (by cost)', (reader) => listSessions(reader, { filters, sort: 'cost', order: 'desc', limit: 50 })],
      ['sessions search (agent, min cost)', (reader) => listSessions(reader, { filters: { ...filters, agent: sample.agent }, sort: 'start', order: 'desc', limit: 50, minCost: 0.001 })],
      ['session summary', (reader) => sessionSummary(reader, 'default', sample.sessionId)],
      ['session messages', (reader) => sessionMessages(reader, { projectId: 'default', sessionId: sample.sessionId, dedupe: true, limit: 100 })],
      ['request details', (reader) => requestDetails(reader, 'default', sample.requestId)],
    ];
    // The demo's trading pipelines are traces; synthetic calls have none.
    const [traceRow] = await store.sql.query<{ trace_id: string }>(
      `SELECT trace_id FROM calls WHERE project_id = 'default' AND trace_id IS NOT NULL AND started_at >= now()::TIMESTAMP - INTERVAL 15 DAY ORDER BY started_at LIMIT 1`,
    );
    if (traceRow) {
      cases.push(
        ['traces (by start)', (reader) => listTraces(reader, { filters, sort: 'start', order: 'desc', limit: 50 })],
        ['traces (24 h, by start)', (reader) => listTraces(reader, { filters: { ...filters, from: Date.now() - 86_400_000 }, sort: 'start', order: 'desc', limit: 50 })],
        ['trace details', (reader) => traceDetails(reader, 'default', traceRow.trace_id)],
      );
    }
    const served = store.sql;
    const raw = rawRowsOnly(store.sql);
    const baselineTimes = await timeCase(() => served.query('SELECT count(*) FROM calls WHERE project_id = $1 AND started_at >= now()::TIMESTAMP - INTERVAL 30 DAY', ['default']));
    const [baseline50, baseline95] = [percentile(baselineTimes, 0.5), percentile(baselineTimes, 0.95)];
    console.log(`analytics at ${CALLS.toLocaleString('en')} calls, 30 days (up to ${RUNS} runs or ${CASE_SECONDS} s per case; ms; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}; baseline count(*) p50 ${baseline50.toFixed(1)} ms, p95 ${baseline95.toFixed(1)} ms)`);
    console.log('| route | served p50 | served p95 | raw scan p50 | raw scan p95 | raw / served (p95) | served p95 / baseline p95 |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, run] of cases) {
      const times = await timeCase(() => run(served));
      const [p50, p95] = [percentile(times, 0.5), percentile(times, 0.95)];
      const rawTimes = NO_RAW ? null : await timeCase(() => run(raw));
      const rawCells = rawTimes ? [percentile(rawTimes, 0.5).toFixed(0), percentile(rawTimes, 0.95).toFixed(0), (percentile(rawTimes, 0.95) / p95).toFixed(1)] : ['–', '–', '–'];
      console.log(`| ${name} | ${p50.toFixed(0)} | ${p95.toFixed(0)} | ${rawCells.join(' | ')} | ${(p95 / baseline95).toFixed(0)} |`);
    }
    console.log(`load average at end: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    await store.close();
  } finally {
    if (!given && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
