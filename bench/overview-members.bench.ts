// The overview's distinct users and sessions on PostgreSQL over 30 days whose ends cut through
// days and hours, against the formulation they replaced, on the same data in the same run:
// member rows per hour and day, the whole days' distinct members read in the order of a
// (project, kind, member, bucket) index, plus the edges' members that no day row has (kept
// below as the baseline, exactly as it was compiled, over copies of those tables that this
// benchmark builds when the schema lacks them). Served now: OR of member-id bitmaps per hour
// and day (src/analytics/rollups/member-bitmaps.ts). Runs alternate between the two so both
// see the same load. Also times the whole overview (both periods) as served and without the
// two distinct counts, to show what is left.
// Usage: npx tsx bench/overview-members.bench.ts [calls=2000000]
// LOUPE_BENCH_PG_URL=<url of a schema already loaded by this benchmark> skips the load (and
// keeps that schema); otherwise a schema of its own is loaded and dropped at the end.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { compileCallFilters } from '../src/analytics/filters.js';
import type { MetricName } from '../src/analytics/metrics/definitions.js';
import { runTotals } from '../src/analytics/metrics/run-query.js';
import { overview, OVERVIEW_METRICS } from '../src/analytics/overview.js';
import { MEMBER_IDS_TABLE, memberBitsTable } from '../src/analytics/rollups/member-bitmaps.js';
import { chooseRollupSegments, rollupsWhereverTheyFit, type RollupRead, type Segment } from '../src/analytics/rollups/rollup-plan.js';
import { SqlParams } from '../src/analytics/sql-params.js';
import type { CallFilters, Store } from '../src/store/ports.js';
import { pgRollupTableNames, rebuildPgStatements } from '../src/store/postgres/member-rollups.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { createPgTestSchema, type PgTestSchema } from '../test/helpers/pg-test-database.js';
import { loadPostgresCalls } from './pg-synthetic-calls.js';
import { percentile } from './timing.js';

const CALLS = Number(process.argv[2] ?? 2_000_000);
const RUNS = 10;
const CASE_SECONDS = 60;
const DAY = 86_400_000;
const PREVIOUS = { hour: 'previous_members_hour', day: 'previous_members_day' } as const;

/** The member rows per hour and day that the previous formulation read, built from the calls. */
async function ensurePreviousMemberRows(store: Store): Promise<void> {
  for (const [grain, table] of Object.entries(PREVIOUS)) {
    await store.sql.query(`CREATE TABLE IF NOT EXISTS ${table} AS SELECT project_id, date_trunc('${grain}', started_at) AS bucket, members.kind, members.member, count(*) AS calls
      FROM calls CROSS JOIN LATERAL (SELECT 'u' AS kind, user_id AS member UNION ALL SELECT 's', session_id) AS members WHERE members.member IS NOT NULL GROUP BY 1, 2, 3, 4`);
    await store.sql.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${table}_key ON ${table} (project_id, bucket, kind, member)`);
  }
  await store.sql.query(`CREATE INDEX IF NOT EXISTS ${PREVIOUS.day}_by_member ON ${PREVIOUS.day} (project_id, kind, member, bucket)`);
  for (const table of Object.values(PREVIOUS)) await store.sql.query(`ANALYZE ${table}`);
}

/** The members query as compiled before (PostgreSQL migration 5), over the previous member rows. */
function previousMembersQuery(read: RollupRead, filters: CallFilters): { sql: string; params: unknown[] } {
  const params = new SqlParams();
  const where = (segment: Segment, column: string) => compileCallFilters({ ...filters, from: segment.from, to: segment.to }, params, 'postgres', column);
  const count = (kind: 'u' | 's') => {
    const column = kind === 'u' ? 'user_id' : 'session_id';
    const daySegments = read.segments.filter((segment) => segment.grain === 'day');
    const edges = read.segments.filter((segment) => segment.grain !== 'day').map((segment) => (segment.grain === null
      ? `SELECT ${column} AS member FROM calls WHERE ${where(segment, 'started_at')} AND ${column} IS NOT NULL`
      : `SELECT member FROM ${PREVIOUS.hour} WHERE kind = '${kind}' AND ${where(segment, 'bucket')}`));
    const daySpan: Segment | null = daySegments.length === 0 ? null
      : { grain: 'day', from: Math.min(...daySegments.map((segment) => segment.from)), to: Math.max(...daySegments.map((segment) => segment.to)) };
    const dayWhere = (span: Segment) => `${PREVIOUS.day}.kind = '${kind}' AND ${where(span, 'bucket')}`;
    const counts: string[] = [];
    if (daySpan) counts.push(`(SELECT count(*) FROM (SELECT DISTINCT member FROM ${PREVIOUS.day} WHERE ${dayWhere(daySpan)}) day_members)`);
    if (edges.length > 0) {
      const unseen = daySpan ? ` WHERE NOT EXISTS (SELECT 1 FROM ${PREVIOUS.day} WHERE ${PREVIOUS.day}.member = edge_members.member AND ${dayWhere(daySpan)})` : '';
      counts.push(`(SELECT count(*) FROM (SELECT DISTINCT member FROM (${edges.join(' UNION ALL ')}) edge_rows) edge_members${unseen})`);
    }
    return counts.join(' + ');
  };
  return { sql: `SELECT ${count('u')} AS unique_users, ${count('s')} AS sessions`, params: params.values };
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
      for (const statement of rebuildPgStatements()) await store.sql.query(statement.sql, statement.params);
      console.log(`${CALLS.toLocaleString('en')} calls loaded and rolled up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    for (const table of pgRollupTableNames()) await store.sql.query(`ANALYZE ${table}`);
    const built = performance.now();
    await ensurePreviousMemberRows(store);
    console.log(`previous member rows ready in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    const [counts] = await store.sql.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM ${PREVIOUS.day}) AS members, (SELECT count(DISTINCT session_id) FROM calls) AS sessions,
        (SELECT count(*) FROM ${MEMBER_IDS_TABLE}) AS ids, (SELECT count(*) FROM ${memberBitsTable('day')}) AS day_bitmaps, (SELECT count(*) FROM ${memberBitsTable('hour')}) AS hour_bitmaps,
        pg_total_relation_size('${PREVIOUS.day}') + pg_total_relation_size('${PREVIOUS.hour}') AS previous_bytes,
        pg_total_relation_size('${memberBitsTable('day')}') + pg_total_relation_size('${memberBitsTable('hour')}') AS bitmap_bytes, pg_total_relation_size('${MEMBER_IDS_TABLE}') AS id_bytes`);
    const n = (key: string) => Number(counts![key]).toLocaleString('en');
    const mb = (key: string) => `${(Number(counts![key]) / 2 ** 20).toFixed(0)} MB`;
    console.log(`${n('calls')} calls, ${n('sessions')} sessions; previous: ${n('members')} day member rows (${mb('previous_bytes')} with hour rows and indexes); now: ${n('ids')} member ids (${mb('id_bytes')}), ${n('day_bitmaps')} day and ${n('hour_bitmaps')} hour bitmap rows (${mb('bitmap_bytes')})`);

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
