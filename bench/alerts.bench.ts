// What evaluating alert rules costs at scale: demo calls over 30 days in a file-backed DuckDB
// store, one active rule per metric (nine) over a 5-minute and over a 60-minute window, each
// evaluation run as the schedule runs it (every rule of every project, one after the other).
// Baseline, measured in the same run: the overview of the last 24 hours (the dashboard's first
// query), so the ratio says how many overviews one evaluation of all rules costs.
// Usage: npx tsx bench/alerts.bench.ts [calls=1000000] [dataDir]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEvaluator } from '../src/alerts/alert-evaluator.js';
import { WebhookSender } from '../src/alerts/webhook-sender.js';
import { overview } from '../src/analytics/overview.js';
import { generateDemo } from '../src/demo/generate-demo.js';
import { writeDemoToStore } from '../src/demo/write-demo.js';
import { ALERT_METRICS, type AlertMetric } from '../src/domain/alert.js';
import { LiveEventBus } from '../src/live/event-bus.js';
import { SecretBox } from '../src/security/secret-box.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { percentile, timeRuns } from './timing.js';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const given = process.argv[3];
const dataDir = given ?? mkdtempSync(join(tmpdir(), 'loupe-bench-alerts-'));
const RUNS = 10;

const store = await openDuckDbStore({ dataDir });
try {
  const [row] = await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls');
  if (Number(row?.n ?? 0) < CALLS) {
    const started = performance.now();
    await writeDemoToStore(store, generateDemo({ calls: CALLS, days: 30, seed: 7 }), { projectId: 'default' });
    console.log(`loaded ${CALLS.toLocaleString('en')} demo calls in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  await store.sql.query('CHECKPOINT');
  const evaluator = new AlertEvaluator(store, new LiveEventBus(), new WebhookSender([]), SecretBox.forDataDir(':memory:'), (error) => console.error(error));
  const now = Date.now();
  const line = (name: string, durations: number[], baseline: number) =>
    `| ${name} | ${percentile(durations, 0.5).toFixed(1)} | ${percentile(durations, 0.95).toFixed(1)} | ${(percentile(durations, 0.5) / baseline).toFixed(2)} |`;
  const baseline = await timeRuns(RUNS, () => overview(store.sql, { projectId: 'default', from: now - 86_400_000, to: now }));
  const baselineP50 = percentile(baseline, 0.5);
  console.log(`alert evaluation at ${CALLS.toLocaleString('en')} calls (ms; load average ${loadavg().map((value) => value.toFixed(2)).join(' ')})`);
  console.log('| case | p50 | p95 | ratio to the 24 h overview (p50) |');
  console.log('|---|---|---|---|');
  console.log(line('baseline: overview of the last 24 hours', baseline, baselineP50));
  for (const window of [5, 60]) {
    const metrics = Object.keys(ALERT_METRICS) as AlertMetric[];
    for (const [index, metric] of metrics.entries()) {
      await store.alerts.putRule({
        id: `bench-${metric}`, project_id: 'default', name: `bench ${metric}`, metric, operator: 'lt', threshold: -1, window_minutes: window,
        provider: null, model: null, is_active: true, webhook_url: null, webhook_secret_sealed: null, created_at: now + index, updated_at: now,
      });
    }
    const durations = await timeRuns(RUNS, () => evaluator.evaluate(undefined, now));
    console.log(line(`${metrics.length} rules over ${window} minutes (one evaluation)`, durations, baselineP50));
  }
  await evaluator.stop();
} finally {
  await store.close();
  if (!given) rmSync(dataDir, { recursive: true, force: true });
}
