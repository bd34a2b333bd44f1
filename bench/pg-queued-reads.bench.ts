// What calls waiting in PostgreSQL's rollup queue cost a rollup read: N synthetic calls loaded
// and rolled up, then the overview and the per-model breakdown over 30 days timed with nothing
// queued (the baseline, same run), with Q more calls queued (read raw, by key), and after the
// folder has taken them in. The queued calls are placed two hours back, inside the span the
// rollups answer (calls of the current hour are read raw either way).
// Usage: npx tsx bench/pg-queued-reads.bench.ts [calls=1000000] [queued=20000]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { modelBreakdown } from '../src/analytics/breakdowns.js';
import { overview } from '../src/analytics/overview.js';
import type { CallWrite, Store } from '../src/store/ports.js';
import { pgRollupTableNames, rebuildPgStatements } from '../src/store/postgres/member-rollups.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { createPgTestSchema, foldPgRollups } from '../test/helpers/pg-test-database.js';
import { gatewayLikeWrite } from './gateway-like-record.js';
import { loadPostgresCalls } from './pg-synthetic-calls.js';
import { percentile, timeBounded } from './timing.js';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const QUEUED = Number(process.argv[3] ?? 20_000);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

async function main(): Promise<void> {
  if (!process.env.LOUPE_TEST_DATABASE_URL && !process.env.DATABASE_URL) {
    process.env.LOUPE_TEST_DATABASE_URL = execFileSync('bash', ['scripts/ensure-postgres.sh'], { encoding: 'utf8' }).trim();
  }
  const schema = await createPgTestSchema();
  const store = await openPostgresStore({ databaseUrl: schema.url, rollupFoldIntervalMs: 0, searchIndexIntervalMs: 0 });
  try {
    process.stderr.write(`loading ${CALLS.toLocaleString('en')} calls...\n`);
    await loadPostgresCalls(store, CALLS);
    for (const statement of rebuildPgStatements()) await store.sql.query(statement.sql, statement.params);
    for (const table of pgRollupTableNames()) await store.sql.query(`ANALYZE ${table}`);
    const filters = { projectId: 'default', from: Date.now() - 30 * DAY };
    const cases: [string, (s: Store) => Promise<unknown>][] = [
      ['overview, 30 days (with previous period)', (s) => overview(s.sql, filters)],
      ['per-model breakdown with p50/p95/p99, 30 days', (s) => modelBreakdown(s.sql, filters)],
    ];
    /** p50 and p95 of each case, one case after the other. */
    const time = async (): Promise<[number, number][]> => {
      const figures: [number, number][] = [];
      for (const [, run] of cases) {
        const runs = await timeBounded(15, 30, () => run(store));
        figures.push([percentile(runs, 0.5), percentile(runs, 0.95)]);
      }
      return figures;
    };
    const requests = async () => Number((await overview(store.sql, filters)).current.requests);

    console.log(`load average at start: ${load()}`);
    const baseline = await time();
    const before = await requests();
    const now = Date.now() - 2 * HOUR;
    for (let offset = 0; offset < QUEUED; offset += 2000) {
      const writes: CallWrite[] = [];
      for (let i = offset; i < Math.min(QUEUED, offset + 2000); i++) {
        const write = gatewayLikeWrite(i, QUEUED, now);
        writes.push({ ...write, call: { ...write.call, project_id: 'default' } });
      }
      await store.calls.insertBatch(writes);
    }
    const queued = await time();
    const whileQueued = await requests();
    const foldStarted = performance.now();
    await foldPgRollups(schema.url);
    const foldSeconds = (performance.now() - foldStarted) / 1000;
    const folded = await time();
    const afterFold = await requests();
    console.log(`\n${CALLS.toLocaleString('en')} calls; ${QUEUED.toLocaleString('en')} queued, then folded in ${foldSeconds.toFixed(1)} s; overview requests ${before} before, ${whileQueued} queued, ${afterFold} folded (load average ${load()})`);
    console.log('| query | nothing queued p50 / p95 | queued p50 / p95 | folded p50 / p95 | queued / nothing queued (p50) |\n|---|---|---|---|---|');
    cases.forEach(([name], i) => {
      const [a, b, c] = [baseline[i]!, queued[i]!, folded[i]!];
      console.log(`| ${name} | ${a[0].toFixed(1)} / ${a[1].toFixed(1)} | ${b[0].toFixed(1)} / ${b[1].toFixed(1)} | ${c[0].toFixed(1)} / ${c[1].toFixed(1)} | ${(b[0] / a[0]).toFixed(2)} |`);
    });
  } finally {
    await store.close();
    await schema.drop();
  }
}

await main();
