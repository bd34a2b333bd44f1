// The store contract for rollups, on DuckDB and PostgreSQL: analytics read from rollups equal
// the values computed here from the rows written (counts and sums exactly, percentiles within
// 4.9 % of the order statistic at rank ⌊q·(n−1)⌋), over a range that cuts through day and
// hour buckets, and stay so after deletes, repricing, retention and a back-fill.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/domain/call-record.js';
import { runMetrics, runTotals } from '../src/analytics/metrics/run-query.js';
import type { MetricName } from '../src/analytics/metrics/definitions.js';
import { overview } from '../src/analytics/overview.js';
import { performance } from '../src/analytics/performance.js';
import { chooseRollupSegments, rawRowsOnly, rollupsWhereverTheyFit } from '../src/analytics/rollups/rollup-plan.js';
import { MEMBER_ROLLUPS, physicalTables, ROLLUP_QUEUE_TABLE, ROLLUP_WATERMARK_TABLE, rollupTableName } from '../src/analytics/rollups/rollup-schema.js';
import { MEMBER_BITS_GRAINS, MEMBER_IDS_TABLE, memberBitsTable } from '../src/analytics/rollups/member-bitmaps.js';
import { PERSON_SESSION_BITS_TABLE } from '../src/analytics/rollups/person-session-bitmaps.js';
import { PG_ROLLUP_TABLES } from '../src/store/postgres/member-rollups.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { CallFilters, CallWrite, SqlReader, Store } from '../src/store/ports.js';
import { applyRetention } from '../src/store/retention.js';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { EXPECTED, present } from './helpers/expected-metrics.js';

const ENGINES = ['duckdb', 'postgres'] as const;
const P = 'rollup-contract';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const D0 = Date.UTC(2026, 10, 1);
/** The stated bound on a percentile read from rollups, relative to the order statistic. */
const PERCENTILE_ERROR = 0.049;

/** A deterministic spread in [0, 1). */
function spread(i: number, salt: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

function makeCall(i: number, startedAt: number, project = P): CallRecord {
  const latency = i % 17 === 3 ? null : i % 41 === 0 ? 0 : Math.round(40 * Math.exp(spread(i, 1) * 6) * 10) / 10;
  const failed = i % 9 === 4;
  const priced = i % 11 !== 2;
  const prompt = 50 + (i % 97) * 7;
  const completion = 10 + (i % 31) * 5;
  return {
    id: `${project}-${String(i).padStart(5, '0')}`, request_id: `req-${i}`, project_id: project, trace_id: null, parent_id: null,
    started_at: startedAt, ended_at: startedAt + 1000, latency_ms: latency,
    ttft_ms: i % 2 === 0 ? Math.round(5 + spread(i, 2) * 900) : null, tokens_per_second: i % 3 === 0 ? 5 + spread(i, 3) * 100 : null,
    provider: ['openai', 'anthropic', 'ollama'][i % 3]!, model: ['gpt-a', 'claude-b', 'llama-c', 'gpt-d', 'claude-e'][i % 5]!,
    response_model: null, endpoint: '/v1/chat/completions', is_streaming: i % 2 === 0, finish_reason: failed ? null : 'stop', params: {},
    status: failed ? 'error' : i % 23 === 7 ? 'timeout' : 'success', http_status: failed ? 500 : 200,
    error_type: failed ? 'server_error' : null, error_message: failed ? 'upstream 500' : null,
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, cached_tokens: i % 4 === 0 ? 20 : 0, cache_write_tokens: 0,
    reasoning_tokens: i % 6 === 0 ? 8 : 0, usage_source: 'provider',
    cost_usd: priced ? Math.round((prompt * 0.00001 + completion * 0.00003) * 1e8) / 1e8 : null, input_cost_usd: null, output_cost_usd: null,
    price_source: priced ? 'catalog' : 'unknown', is_fallback: i % 13 === 5, original_provider: null, attempt: 1, cache_hit: false,
    tool_calls_count: i % 5 === 0 ? 1 : 0, api_key_id: null,
    user_id: i % 7 === 6 ? null : `user-${i % 29}`, session_id: i % 8 === 7 ? null : `sess-${i % 113}`, agent: null,
    conversation_name: null, account_id: null, tags: [], properties: {}, confidence: null, signal: null,
    input: null, output: null,
  };
}

/** 1,200 calls over three days, with calls exactly on and just before day and hour edges and the range's ends. */
function makeCalls(project = P, offset = 0): CallRecord[] {
  const edges = [D0 + DAY, D0 + DAY - 1, D0 + 2 * DAY + 15 * HOUR, D0 + 2 * DAY + 15 * HOUR - 1, D0 + 11 * HOUR, D0 + 11 * HOUR - 1];
  const times = Array.from({ length: 1200 - edges.length }, (_, i) => D0 + Math.floor((i * 3 * DAY) / 1200) + Math.floor(spread(i, 4) * 90_000));
  return [...edges, ...times].map((at, i) => makeCall(i + offset, at, project));
}

const write = (call: CallRecord): CallWrite => ({ call, bodyHash: `h-${call.id}`, clientId: true });

/** Cuts a day bucket, hours at both ends, and raw minutes at the edges. */
const RANGE = { from: D0 + 10 * HOUR + 17 * MIN + 23_456, to: D0 + 2 * DAY + 15 * HOUR + 42 * MIN + 10_001 };

/** Exact figures (counts, sums, means, extremes, distinct counts) recomputed from the rows. */
const EXACT_NAMES: MetricName[] = [
  'requests', 'errors', 'error_rate', 'streaming_share', 'fallback_calls', 'prompt_tokens', 'completion_tokens', 'total_tokens',
  'cached_tokens', 'reasoning_tokens', 'cost', 'unpriced_calls', 'unpriced_tokens', 'avg_latency', 'min_latency', 'max_latency',
  'avg_ttft', 'max_tokens_per_second', 'unique_users', 'sessions', 'models', 'performance_score', 'tool_calls',
];
const EXACT: Partial<Record<MetricName, (rows: CallRecord[]) => number | null>> = Object.fromEntries(EXACT_NAMES.map((name) => [name, EXPECTED[name]]));
const PERCENTILES: [MetricName, 'latency_ms' | 'ttft_ms', number][] = [
  ['p50_latency', 'latency_ms', 0.5], ['p95_latency', 'latency_ms', 0.95], ['p99_latency', 'latency_ms', 0.99],
  ['p50_ttft', 'ttft_ms', 0.5], ['p95_ttft', 'ttft_ms', 0.95],
];
const GROUPED_EXACT = Object.keys(EXACT).filter((name) => name !== 'unique_users' && name !== 'sessions') as MetricName[];

function expectExact(actual: unknown, expected: number | null, label: string): void {
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  // Integers exactly; money and means to far below a cent.
  if (Number.isInteger(expected) && !label.includes('cost')) expect(actual, label).toBe(expected);
  else expect(Math.abs(Number(actual) - expected), `${label}: ${String(actual)} vs ${expected}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
}

function expectPercentile(actual: unknown, values: number[], q: number, label: string): void {
  if (values.length === 0) {
    expect(actual, label).toBeNull();
    return;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = sorted[Math.floor(q * (sorted.length - 1))]!;
  expect(Math.abs(Number(actual) - rank), `${label}: ${String(actual)} vs order statistic ${rank}`).toBeLessThanOrEqual(PERCENTILE_ERROR * rank + 1e-9);
}

function inRange(calls: CallRecord[], filters: CallFilters): CallRecord[] {
  return calls.filter((c) => c.project_id === filters.projectId && c.started_at >= filters.from! && c.started_at < filters.to!
    && (!filters.model || filters.model.includes(c.model)) && (!filters.provider || filters.provider.includes(c.provider)) && (!filters.status || filters.status.includes(c.status)));
}

async function expectRollupsMatch(reader: SqlReader, calls: CallRecord[], filters: CallFilters): Promise<void> {
  const rows = inRange(calls, filters);
  // Distinct users and sessions come from rollups only for totals not narrowed by a dimension.
  const narrowed = Boolean(filters.provider ?? filters.model ?? filters.status);
  const exact = Object.entries(EXACT).filter(([name]) => !narrowed || (name !== 'unique_users' && name !== 'sessions'));
  const metrics = [...exact.map(([name]) => name), ...PERCENTILES.map(([name]) => name)] as MetricName[];
  // The plan really goes through every grain and the raw edges.
  const segments = await chooseRollupSegments(reader, { metrics, dimensions: [], filters });
  expect(segments?.segments.map((segment) => segment.grain)).toEqual([null, 'hour', 'day', 'hour', null]);
  const totals = await runTotals(reader, { metrics, filters });
  for (const [name, expected] of exact) expectExact(totals[name], expected(rows), name);
  for (const [name, column, q] of PERCENTILES) expectPercentile(totals[name], present(rows.map((c) => c[column])), q, name);

  const perModel = await runMetrics(reader, { metrics: [...GROUPED_EXACT, 'p50_latency', 'p95_latency'], dimensions: ['model', 'provider'], filters });
  const keys = new Set(rows.map((c) => `${c.model}|${c.provider}`));
  expect(perModel).toHaveLength(keys.size);
  for (const row of perModel) {
    const group = rows.filter((c) => c.model === row.model && c.provider === row.provider);
    for (const name of GROUPED_EXACT) expectExact(row[name], EXACT[name]!(group), `${String(row.model)} ${name}`);
    expectPercentile(row.p95_latency, present(group.map((c) => c.latency_ms)), 0.95, `${String(row.model)} p95`);
  }

  for (const interval of ['hour', 'day'] as const) {
    const size = interval === 'hour' ? HOUR : DAY;
    const series = await runMetrics(reader, { metrics: ['requests', 'cost', 'errors', 'total_tokens', 'p95_latency'], dimensions: ['status'], filters, timeBucket: interval });
    const groups = new Map<string, CallRecord[]>();
    for (const call of rows) {
      const key = `${new Date(Math.floor(call.started_at / size) * size).toISOString()}|${call.status}`;
      groups.set(key, [...(groups.get(key) ?? []), call]);
    }
    expect(series, interval).toHaveLength(groups.size);
    for (const row of series) {
      const group = groups.get(`${String(row.bucket)}|${String(row.status)}`)!;
      expect(group, `${String(row.bucket)} ${String(row.status)}`).toBeDefined();
      for (const name of ['requests', 'cost', 'errors', 'total_tokens'] as const) expectExact(row[name], EXACT[name]!(group), `${interval} ${String(row.bucket)} ${name}`);
      expectPercentile(row.p95_latency, present(group.map((c) => c.latency_ms)), 0.95, `${interval} ${String(row.bucket)} p95`);
    }
  }

  // The performance route's histogram: calls per latency band, exactly.
  const histogram = (await performance(reader, filters)).latency_histogram;
  for (const band of histogram) {
    const expected = present(rows.map((c) => c.latency_ms)).filter((ms) => ms >= band.from_ms && (band.to_ms === null || ms < band.to_ms)).length;
    expect(band.count, `band from ${band.from_ms}`).toBe(expected);
  }
}

const MEMBER_HOURS = rollupTableName(MEMBER_ROLLUPS, 'hour');
const DROP_ROLLUPS = physicalTables().map(([, , name]) => `DROP TABLE ${name};`).join(' ');
/** PostgreSQL's members as ids and bitmaps (its migration 7, which replaced the member rows). */
const PG_DROP_MEMBER_BITS = `${MEMBER_BITS_GRAINS.map((grain) => `DROP TABLE ${memberBitsTable(grain)};`).join(' ')} DROP TABLE ${MEMBER_IDS_TABLE}; DROP SEQUENCE call_member_ids_u; DROP SEQUENCE call_member_ids_s;`;
const PG_DROP_ROLLUPS = `${physicalTables(PG_ROLLUP_TABLES).map(([, , name]) => `DROP TABLE ${name};`).join(' ')} DROP TABLE ${PERSON_SESSION_BITS_TABLE}; ${PG_DROP_MEMBER_BITS}`;

interface OpenedStore {
  store: Store;
  reopen(): Promise<Store>;
  /** Drops the rollup tables and forgets their migrations, as in a store from before them. */
  undoRollupMigration(): Promise<void>;
  /** Drops the hour members (DuckDB: member rows; PostgreSQL: all its member ids and bitmaps) and forgets their migration, as in a store from before them. */
  undoMemberHoursMigration(): Promise<void>;
  cleanup(): Promise<void>;
}

async function openStoreFor(engine: (typeof ENGINES)[number]): Promise<OpenedStore> {
  if (engine === 'duckdb') {
    const dataDir = mkdtempSync(join(tmpdir(), 'loupe-rollup-contract-'));
    // No timed folding: calls stay above the watermark (read raw) until a delete folds them, so
    // both the lagging and the folded state are read, deterministically.
    const open = () => openDuckDbStore({ dataDir, memoryLimit: '512MB', rollupFoldIntervalMs: 0 });
    const opened: OpenedStore = {
      store: await open(),
      reopen: async () => (opened.store = await open()),
      undoRollupMigration: async () => {
        await opened.store.close();
        const instance = await DuckDBInstance.create(join(dataDir, 'loupe.duckdb'));
        const connection = await instance.connect();
        await connection.run(`${DROP_ROLLUPS} DROP TABLE ${ROLLUP_WATERMARK_TABLE}; DELETE FROM schema_migrations WHERE version IN (7, 8)`);
        connection.closeSync();
        instance.closeSync();
      },
      undoMemberHoursMigration: async () => {
        await opened.store.close();
        const instance = await DuckDBInstance.create(join(dataDir, 'loupe.duckdb'));
        const connection = await instance.connect();
        await connection.run(`DROP TABLE ${MEMBER_HOURS}; DELETE FROM schema_migrations WHERE version = 8`);
        connection.closeSync();
        instance.closeSync();
      },
      cleanup: async () => {
        await opened.store.close().catch(() => undefined);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return opened;
  }
  const schema: PgTestSchema = await createPgTestSchema();
  // As on DuckDB: calls stay queued (read raw) until a delete, repricing or retention folds them.
  const open = () => openPostgresStore({ databaseUrl: schema.url, rollupFoldIntervalMs: 0 });
  const opened: OpenedStore = {
    store: await open(),
    reopen: async () => (opened.store = await open()),
    undoRollupMigration: async () => {
      await opened.store.close();
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      await client.query(`${PG_DROP_ROLLUPS} DROP TABLE ${ROLLUP_QUEUE_TABLE}; DELETE FROM schema_migrations WHERE version IN (4, 5, 7, 9, 10, 11, 12)`);
      await client.end();
    },
    undoMemberHoursMigration: async () => {
      await opened.store.close();
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      await client.query(`${PG_DROP_MEMBER_BITS} DELETE FROM schema_migrations WHERE version = 7`);
      await client.end();
    },
    cleanup: async () => {
      await opened.store.close().catch(() => undefined);
      await schema.drop();
    },
  };
  return opened;
}

describe.each(ENGINES)('rollups on %s', (engine) => {
  let opened: OpenedStore;
  let calls: CallRecord[];
  const filters: CallFilters = { projectId: P, ...RANGE };
  const reader = () => rollupsWhereverTheyFit(opened.store.sql);

  beforeAll(async () => {
    opened = await openStoreFor(engine);
    await opened.store.projects.ensure(P, 'Rollups');
    calls = [...makeCalls(), ...makeCalls('other', 5000)];
    // Several batches, so rollup rows are merged across commits.
    for (let i = 0; i < calls.length; i += 250) await opened.store.calls.insertBatch(calls.slice(i, i + 250).map(write));
  }, 60_000);
  afterAll(async () => {
    await opened?.cleanup();
  });

  it('every figure read from rollups equals the rows: totals, per model, per hour and day bucket, histogram', async () => {
    await expectRollupsMatch(reader(), calls, filters);
  });

  it('filtered by rollup dimensions, and equal to the raw scan for every exact figure', async () => {
    const narrowed: CallFilters = { ...filters, provider: ['openai', 'ollama'], status: ['success', 'timeout'] };
    await expectRollupsMatch(reader(), calls, narrowed);
    const metrics = GROUPED_EXACT;
    const [fromRollups, fromRows] = await Promise.all([
      runMetrics(reader(), { metrics, dimensions: ['model'], filters: narrowed }),
      runMetrics(rawRowsOnly(opened.store.sql), { metrics, dimensions: ['model'], filters: narrowed }),
    ]);
    expect(fromRollups.map((row) => row.model)).toEqual(fromRows.map((row) => row.model));
    fromRollups.forEach((row, i) => {
      for (const name of metrics) expectExact(row[name], fromRows[i]![name] === null ? null : Number(fromRows[i]![name]), `${String(row.model)} ${name}`);
    });
  });

  it('the overview route figures of both periods come from rollups and match the rows', async () => {
    const result = await overview(reader(), filters);
    const rows = inRange(calls, filters);
    expectExact(result.current.requests, rows.length, 'requests');
    expectExact(result.current.sessions, EXACT.sessions!(rows), 'sessions');
    expectExact(result.current.unique_users, EXACT.unique_users!(rows), 'unique users');
    const previous = inRange(calls, { projectId: P, from: 2 * RANGE.from - RANGE.to, to: RANGE.from });
    expectExact(result.previous.requests, previous.length, 'previous requests');
    expectExact(result.previous.cost, EXACT.cost!(previous), 'previous cost');
  });

  it('distinct users and sessions count a member once whether seen at the edges, in whole days or both', async () => {
    // Members of their own: at both raw edges only; in an edge hour and in the whole day; in the whole day only.
    const members: [number, string, string][] = [
      [RANGE.from + MIN, 'user-9001', 'sess-edges'], [RANGE.to - MIN, 'user-9001', 'sess-edges'],
      [D0 + 20 * HOUR, 'user-9002', 'sess-edge-and-day'], [D0 + DAY + 5 * HOUR, 'user-9002', 'sess-edge-and-day'],
      [D0 + DAY + 6 * HOUR, 'user-9003', 'sess-day'],
    ];
    const extra = members.map(([at, user, session], i) => ({ ...makeCall(30_000 + i, at), user_id: user, session_id: session }));
    await opened.store.calls.insertBatch(extra.map(write));
    const all = [...calls, ...extra];
    const ranges: [string, CallFilters, boolean][] = [
      ['edges and a whole day', filters, true],
      ['whole days only', { projectId: P, from: D0 + DAY, to: D0 + 2 * DAY }, true],
      ['edges only', { projectId: P, from: D0 + DAY + 4 * HOUR + 30 * MIN, to: D0 + DAY + 12 * HOUR }, false],
    ];
    for (const [name, range, wholeDays] of ranges) {
      const read = await chooseRollupSegments(reader(), { metrics: ['sessions'], dimensions: [], filters: range });
      expect(read?.segments.some((segment) => segment.grain === 'day'), name).toBe(wholeDays);
      const rows = inRange(all, range);
      const [fromRollups, fromRows] = await Promise.all([
        runTotals(reader(), { metrics: ['unique_users', 'sessions'], filters: range }),
        runTotals(rawRowsOnly(opened.store.sql), { metrics: ['unique_users', 'sessions'], filters: range }),
      ]);
      expectExact(fromRollups.unique_users, EXACT.unique_users!(rows), `${name}: unique users`);
      expectExact(fromRollups.sessions, EXACT.sessions!(rows), `${name}: sessions`);
      expectExact(fromRows.sessions, EXACT.sessions!(rows), `${name}: sessions from rows`);
    }
    expect(await opened.store.calls.deleteByIds(P, extra.map((c) => c.id))).toBe(extra.length);
  });

  it('a query with another filter, or a short range, scans raw rows', async () => {
    expect(await chooseRollupSegments(reader(), { metrics: ['requests'], dimensions: [], filters: { ...filters, userId: 'user-1' } })).toBeNull();
    expect(await chooseRollupSegments(reader(), { metrics: ['requests'], dimensions: ['agent'], filters })).toBeNull();
    expect(await chooseRollupSegments(reader(), { metrics: ['requests'], dimensions: [], filters: { ...filters, to: filters.from! + 5 * HOUR } })).toBeNull();
    expect(await chooseRollupSegments(reader(), { metrics: ['sessions'], dimensions: ['model'], filters })).toBeNull();
    expect(await chooseRollupSegments(reader(), { metrics: ['unique_users'], dimensions: [], filters: { ...filters, model: ['gpt-a'] } })).toBeNull();
    // By default a range needs enough calls to be worth it; these 2,400 are not.
    expect(await chooseRollupSegments(opened.store.sql, { metrics: ['requests'], dimensions: [], filters })).toBeNull();
  });

  it('an open end reads rollups up to now and raw rows after it (a clock ahead)', async () => {
    const ahead = makeCall(9999, Date.now() + 2 * HOUR);
    await opened.store.calls.insertBatch([write(ahead)]);
    const open: CallFilters = { projectId: P, from: RANGE.from };
    const segments = await chooseRollupSegments(reader(), { metrics: ['requests'], dimensions: [], filters: open });
    expect(segments?.segments.at(-1)).toMatchObject({ grain: null, to: Infinity });
    const expected = [...calls, ahead].filter((c) => c.project_id === P && c.started_at >= RANGE.from);
    const totals = await runTotals(reader(), { metrics: ['requests', 'cost', 'total_tokens'], filters: open });
    expectExact(totals.requests, expected.length, 'requests');
    expectExact(totals.cost, EXACT.cost!(expected), 'cost');
    expectExact(totals.total_tokens, EXACT.total_tokens!(expected), 'total tokens');
    expect(await opened.store.calls.deleteByIds(P, [ahead.id])).toBe(1);
  });

  it('stay equal after deletes at bucket edges and repricing', async () => {
    const doomed = calls.filter((c, i) => c.project_id === P && (i < 6 || i % 37 === 0));
    expect(await opened.store.calls.deleteByIds(P, doomed.map((c) => c.id))).toBe(doomed.length);
    calls = calls.filter((c) => !doomed.includes(c));
    await expectRollupsMatch(reader(), calls, filters);

    const repriced = await opened.store.calls.reprice({ projectId: P, model: 'gpt-a', from: D0 + DAY, to: D0 + 2 * DAY, rates: { kind: 'local', perHour: 3.6 } });
    calls = calls.map((c) => (c.project_id === P && c.model === 'gpt-a' && c.started_at >= D0 + DAY && c.started_at < D0 + 2 * DAY && c.price_source !== 'reported'
      ? { ...c, cost_usd: ((c.latency_ms ?? 0) / 3_600_000) * 3.6 } : c));
    expect(repriced).toBe(calls.filter((c) => c.project_id === P && c.model === 'gpt-a' && c.started_at >= D0 + DAY && c.started_at < D0 + 2 * DAY).length);
    await expectRollupsMatch(reader(), calls, filters);
    // Without a range every stored day of the model is repriced and rebuilt.
    const models = [...new Set(calls.filter((c) => c.project_id === P).map((c) => c.model))];
    const other = models.find((model) => model !== 'gpt-a')!;
    const everywhere = await opened.store.calls.reprice({ projectId: P, model: other, rates: { kind: 'local', perHour: 7.2 } });
    calls = calls.map((c) => (c.project_id === P && c.model === other && c.price_source !== 'reported' ? { ...c, cost_usd: ((c.latency_ms ?? 0) / 3_600_000) * 7.2 } : c));
    expect(everywhere).toBe(calls.filter((c) => c.project_id === P && c.model === other && c.price_source !== 'reported').length);
    expect(everywhere).toBeGreaterThan(0);
    await expectRollupsMatch(reader(), calls, filters);
    // New calls on top of folded rollups (above DuckDB's watermark, in PostgreSQL's queue: read raw).
    const late = makeCalls(P, 20_000).filter((_, i) => i % 40 === 0);
    await opened.store.calls.insertBatch(late.map(write));
    calls = [...calls, ...late];
    await expectRollupsMatch(reader(), calls, filters);
  });

  it('are back-filled by the migration from the calls already stored', async () => {
    await opened.undoRollupMigration();
    // Opening a store applies its pending migrations.
    await opened.reopen();
    await expectRollupsMatch(reader(), calls, filters);
  });

  it('get hour members from the migration that added them, in a store that had the other rollups', async () => {
    await opened.undoMemberHoursMigration();
    await opened.reopen();
    await expectRollupsMatch(reader(), calls, filters);
    // DuckDB: one member row per hour and member; PostgreSQL: one bit.
    const [row] = await opened.store.sql.query<{ n: number | bigint | string }>(engine === 'duckdb'
      ? `SELECT count(*) AS n FROM ${MEMBER_HOURS} WHERE project_id = $1`
      : `SELECT sum(bit_count(bits)) AS n FROM ${memberBitsTable('hour')} WHERE project_id = $1`, [P]);
    const hours = new Set(calls.filter((c) => c.project_id === P).flatMap((c) => [
      c.user_id === null ? null : `u ${Math.floor(c.started_at / HOUR)} ${c.user_id}`, c.session_id === null ? null : `s ${Math.floor(c.started_at / HOUR)} ${c.session_id}`,
    ]).filter((key) => key !== null));
    expect(Number(row?.n)).toBe(hours.size);
  });

  it('stay equal after retention removes the oldest day', async () => {
    const now = D0 + 3 * DAY + 5 * HOUR;
    // Three days kept: D0 + 1 day onwards.
    await applyRetention(opened.store, 3, now);
    calls = calls.filter((c) => c.started_at >= D0 + DAY);
    const sinceCutoff = { ...filters, from: D0 + 10 * HOUR + 17 * MIN + 23_456 };
    await expectRollupsMatch(reader(), calls, sinceCutoff);
    const rows = await runTotals(reader(), { metrics: ['requests', 'cost'], filters: { projectId: P, from: D0 - DAY, to: D0 + 3 * DAY } });
    expectExact(rows.requests, calls.filter((c) => c.project_id === P).length, 'requests over everything');
  });
});
