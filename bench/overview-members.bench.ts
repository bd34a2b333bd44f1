// The overview's distinct users and sessions on PostgreSQL over 30 days whose ends cut through
// days and hours, against the formulation they replaced, on the same data in the same run:
// one count(DISTINCT member) per kind over a materialized union of the day member rows and the
// raw calls of the partial days (kept below as the baseline, exactly as it was compiled). Runs
// alternate between the two so both see the same load. Also times the whole overview (both
// periods) as served and without the two distinct counts, to show what is left.
// Usage: npx tsx bench/overview-members.bench.ts [calls=2000000]
// LOUPE_BENCH_PG_URL=<url of a schema already loaded by this benchmark> skips the load (and
// keeps that schema); otherwise a schema of its own is loaded and dropped at the end.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { compileCallFilters } from '../src/analytics/filters.js';
import type { MetricName } from '../src/analytics/metrics/definitions.js';
import { runTotals } from '../src/analytics/metrics/run-query.js';
import { overview, OVERVIEW_METRICS } from '../src/analytics/overview.js';
import { chooseRollupSegments, rollupsWhereverTheyFit, type RollupRead } from '../src/analytics/rollups/rollup-plan.js';
import { MEMBER_ROLLUPS, physicalTables, rebuildStatements, rollupTableName } from '../src/analytics/rollups/rollup-schema.js';
import { SqlParams } from '../src/analytics/sql-params.js';
import type { CallFilters, Store } from '../src/store/ports.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { createPgTestSchema, type PgTestSchema } from '../test/helpers/pg-test-database.js';
import { loadPostgresCalls } from './pg-synthetic-calls.js';
import { percentile } from './timing.js';

const CALLS = Number(process.argv[2] ?? 2_000_000);
const RUNS = 10;
const CASE_SECONDS = 60;
const DAY = 86_400_000;

/** The members query as compiled before: day member rows and raw calls elsewhere, one union, count(DISTINCT) per kind. */
function previousMembersQuery(read: RollupRead, filters: CallFilters): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const where = (from: number, to: number, column: string) => compileCallFilters({ ...filters, from, to }, params, 'postgres', column);
  const selects = read.segments.map((segment) => (segment.grain === 'day'
    ? `SELECT kind, member FROM ${rollupTableName(MEMBER_ROLLUPS, 'day')} WHERE ${where(segment.from, segment.to, 'bucket')}`
    : `SELECT 'u' AS kind, user_id AS member FROM calls WHERE ${where(segment.from, segment.to, 'started_at')} AND user_id IS NOT NULL
      UNION ALL SELECT 's', session_id FROM calls WHERE ${where(segment.from, segment.to, 'started_at')} AND session_id IS NOT NULL`));
  const sql = `WITH members AS (${selects.join(' UNION ALL ')})
    SELECT (SELECT count(DISTINCT member) FROM members WHERE kind = 'u') AS unique_users, (SELECT count(DISTINCT member) FROM members WHERE kind = 's') AS sessions`;
  return { sql, params: params.values };
}

async function main(): Promise<void> {
  let schema: PgTestSchema | null = null;
  let url = process.env.LOUPE_BENCH_PG_URL;
  if (!url) {
    if (!process.env.LOUPE_TEST_DATABASE_URL && !process.env.DATABASE_URL) {
      process.env.LOUPE_TEST_DATABASE_URL = execFileSync('bash', ['scripts/ensure-postgres.sh'], { encoding: 'utf8' }).trim();
    }
    schema = await createPgTestSchema();
    url = schema.url;
  }
  const store: Store = await openPostgresStore({ databaseUrl: url });
  try {
    console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    if (schema) {
      const started = performance.now();
      await loadPostgresCalls(store, CALLS);
      for (const statement of rebuildStatements()) await store.sql.query(statement.sql, statement.params);
      console.log(`${CALLS.toLocaleString('en')} calls loaded and rolled up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    for (const [, , table] of physicalTables()) await store.sql.query(`ANALYZE ${table}`);
    const [counts] = await store.sql.query<{ calls: string; members: string; sessions: string }>(
      `SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM ${rollupTableName(MEMBER_ROLLUPS, 'day')}) AS members, (SELECT count(DISTINCT session_id) FROM calls) AS sessions`);
    console.log(`${Number(counts!.calls).toLocaleString('en')} calls, ${Number(counts!.members).toLocaleString('en')} day member rows, ${Number(counts!.sessions).toLocaleString('en')} sessions`);

    // 30 days ending now: both ends cut through a day and an hour.
    const now = Date.now();
    const filters: CallFilters = { projectId: 'default', from: now - 30 * DAY, to: now };
    const reader = rollupsWhereverTheyFit(store.sql);
    const members: MetricName[] = ['unique_users', 'sessions'];
    const read = await chooseRollupSegments(reader, { metrics: members, dimensions: [], filters });
    if (!read) throw new Error('the range does not read rollups');
    const previous = previousMembersQuery(read, filters);
    const [before] = await store.sql.query<{ unique_users: string; sessions: string }>(previous.sql, previous.params);
    const after = await runTotals(reader, { metrics: members, filters });
    if (Number(before!.unique_users) !== after.unique_users || Number(before!.sessions) !== after.sessions) {
      throw new Error(`counts differ: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
    }
    console.log(`30 days to now: ${String(after.unique_users)} users, ${String(after.sessions)} sessions (same counts both ways)`);

    const cases: [string, () => Promise<unknown>][] = [
      ['distinct users and sessions, previous formulation', () => store.sql.query(previous.sql, previous.params)],
      ['distinct users and sessions, as served', () => runTotals(reader, { metrics: members, filters })],
      ['overview, 30 days (with previous period), as served', () => overview(store.sql, filters, now)],
      ['overview without users and sessions', () => overview(store.sql, filters, now, OVERVIEW_METRICS.filter((metric) => !members.includes(metric)))],
    ];
    const times = cases.map((): number[] => []);
    for (const [, task] of cases) await task();
    const deadline = performance.now() + CASE_SECONDS * 1000 * cases.length;
    // Alternating rounds: every case sees the same load.
    for (let round = 0; round < RUNS && (round === 0 || performance.now() < deadline); round++) {
      for (const [i, [, task]] of cases.entries()) {
        const started = performance.now();
        await task();
        times[i]!.push(performance.now() - started);
      }
    }
    console.log(`\nPostgreSQL, ${times[0]!.length} alternating rounds after a warm-up (ms; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')})`);
    console.log('| query | p50 | p95 |\n|---|---|---|');
    for (const [i, [name]] of cases.entries()) console.log(`| ${name} | ${percentile(times[i]!, 0.5).toFixed(1)} | ${percentile(times[i]!, 0.95).toFixed(1)} |`);
    console.log(`\nprevious / as served, distinct users and sessions: p50 ${(percentile(times[0]!, 0.5) / percentile(times[1]!, 0.5)).toFixed(2)}, p95 ${(percentile(times[0]!, 0.95) / percentile(times[1]!, 0.95)).toFixed(2)}`);
    console.log(`load average at end: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  } finally {
    await store.close();
    await schema?.drop();
  }
}

await main();
