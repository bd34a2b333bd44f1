// analytics/agents and /users over ranges that cut through UTC days, on DuckDB and PostgreSQL
// (sums and the latency histogram per member from day rollups, rollups/people-rollup-schema.ts;
// distinct sessions per member from day counts on DuckDB, rollups/people-sessions.ts, and from
// day bitmaps of session ids on PostgreSQL, rollups/person-session-bitmaps.ts): every
// figure equals the one computed here from the rows written (p95 read from rollups within 4.9 %
// of the order statistic at rank ⌊0.95·(n−1)⌋), with sessions that span midnights, the range's
// ends and a whole day, calls folded and not yet folded, late calls on a past day, repricing,
// deletes, retention, empty ranges and another project's calls. The cost breakdown by agent,
// by user and by tag (rollups/tag-rollup-schema.ts; a call counts once under each of its tags,
// repeats included) reads the same kind of day rollups and is checked the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costBreakdown, peopleBreakdown } from '../src/analytics/breakdowns.js';
import { errorAnalysis } from '../src/analytics/trends.js';
import { FAILED_STATUSES } from '../src/analytics/rollups/error-rollup-schema.js';
import { ERROR_ROLLUPS } from '../src/analytics/rollups/error-rollup-schema.js';
import { chooseRollupSegments, rawRowsOnly, rollupsWhereverTheyFit } from '../src/analytics/rollups/rollup-plan.js';
import { filtersFitPeopleSessions, PEOPLE_SESSIONS_PENDING_TABLE, PEOPLE_SESSIONS_TABLE } from '../src/analytics/rollups/people-sessions.js';
import { PERSON_SESSION_BITS_TABLE } from '../src/analytics/rollups/person-session-bitmaps.js';
import { PEOPLE_ROLLUPS } from '../src/analytics/rollups/people-rollup-schema.js';
import { TAG_ROLLUPS } from '../src/analytics/rollups/tag-rollup-schema.js';
import { physicalTables, rollupTableName } from '../src/analytics/rollups/rollup-schema.js';
import type { CallRecord } from '../src/domain/call-record.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { foldIntoRollups, inDuckDbTransaction } from '../src/store/duckdb/rollups.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { CallFilters, CallWrite, Store } from '../src/store/ports.js';
import { applyRetention } from '../src/store/retention.js';
import { createPgTestSchema } from './helpers/pg-test-database.js';
import { EXPECTED, present } from './helpers/expected-metrics.js';

const ENGINES = ['duckdb', 'postgres'] as const;
const P = 'people-sessions';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const D0 = Date.UTC(2026, 9, 5);

/** Calls without tags, with one, with two, with one tag twice. */
const TAG_SETS = [[], ['team-a'], ['team-a', 'batch'], ['batch', 'batch'], ['eval'], ['team-b']];

/** Failures without a type, and messages of every frequency: none, one beyond an index key's size. */
const ERROR_TYPES = [null, 'alpha', 'beta', 'gamma'];
const ERROR_MESSAGES = [
  null, ...['alpha', 'bravo', 'charlie', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november'].map((word) => `${word} failed upstream`),
  `delta failed upstream: ${'z'.repeat(6000)}`,
];

function makeCall(i: number, startedAt: number, user: string | null, agent: string | null, session: string | null, project = P): CallRecord {
  const prompt = 40 + (i % 53) * 3;
  const completion = 5 + (i % 19) * 4;
  const priced = i % 13 !== 4;
  const status = i % 11 === 5 ? 'error' : i % 17 === 2 ? 'timeout' : i % 23 === 9 ? 'cancelled' : 'success';
  return {
    id: `${project}-${i}`, request_id: `req-${i}`, project_id: project, trace_id: null, parent_id: null,
    started_at: startedAt, ended_at: startedAt + 500, latency_ms: i % 29 === 3 ? null : 30 + ((i * 7919) % 4000) / 4,
    ttft_ms: null, tokens_per_second: null, provider: ['openai', 'anthropic'][i % 2]!, model: ['gpt-a', 'claude-b', 'gpt-c'][i % 3]!,
    response_model: null, endpoint: '/v1/chat/completions', is_streaming: false, finish_reason: 'stop', params: {},
    status, http_status: status === 'error' ? 500 : 200, error_type: status === 'success' ? null : ERROR_TYPES[i % ERROR_TYPES.length]!,
    error_message: status === 'success' ? null : ERROR_MESSAGES[(i * 7) % ERROR_MESSAGES.length]!,
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, cached_tokens: 0, cache_write_tokens: 0,
    reasoning_tokens: 0, usage_source: 'provider', cost_usd: priced ? (prompt * 2 + completion * 5) / 1e6 : null, input_cost_usd: null, output_cost_usd: null,
    price_source: priced ? 'catalog' : 'unknown', is_fallback: false, original_provider: null, attempt: 1, cache_hit: false,
    tool_calls_count: i % 6 === 0 ? 2 : 0, api_key_id: null,
    user_id: user, session_id: session, agent, conversation_name: null, account_id: null, tags: TAG_SETS[i % TAG_SETS.length]!, properties: {}, confidence: null, signal: null,
    input: null, output: null,
  };
}

/**
 * analytics/errors' failures by type and top messages: as computed here from the rows, and
 * equal to the raw queries' answer (rows and order).
 */
async function expectErrorsMatch(store: Store, calls: CallRecord[], filters: CallFilters): Promise<void> {
  const failed = inRange(calls, filters).filter((c) => FAILED_STATUSES.includes(c.status));
  const answer = await errorAnalysis(rollupsWhereverTheyFit(store.sql), filters);
  const types = new Map<string | null, number>();
  for (const call of failed) types.set(call.error_type, (types.get(call.error_type) ?? 0) + 1);
  const typeOrder = ([a, m]: [string | null, number], [b, n]: [string | null, number]) => n - m || (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0);
  expect(answer.by_type.map((row) => [row.error_type, Number(row.count)])).toEqual([...types].sort(typeOrder));
  const messages = new Map<string, { count: number; last: number }>();
  for (const call of failed) {
    if (call.error_message === null) continue;
    const seen = messages.get(call.error_message) ?? { count: 0, last: 0 };
    messages.set(call.error_message, { count: seen.count + 1, last: Math.max(seen.last, call.started_at) });
  }
  const top = [...messages].sort(([a, m], [b, n]) => n.count - m.count || (a < b ? -1 : a > b ? 1 : 0)).slice(0, 10);
  expect(answer.top_messages).toEqual(top.map(([message, seen]) => ({ message, count: seen.count, last_seen: new Date(seen.last).toISOString() })));
  const raw = await errorAnalysis(rawRowsOnly(store.sql), filters);
  expect(answer.by_type).toEqual(raw.by_type);
  expect(answer.top_messages).toEqual(raw.top_messages);
}

/** The calls of each tag, a call once per time it carries the tag. */
function byTag(calls: CallRecord[]): Map<string, CallRecord[]> {
  const groups = new Map<string, CallRecord[]>();
  for (const call of calls) for (const tag of call.tags) groups.set(tag, [...(groups.get(tag) ?? []), call]);
  return groups;
}

/**
 * 1,600 calls over four days: sessions of a few calls each (some shared by several users and
 * agents), a call every ~3.6 min, so many sessions run over a midnight; plus sessions that come
 * back a day or two later, and calls with no user, agent or session.
 */
function makeCalls(offset = 0, project = P): CallRecord[] {
  const calls: CallRecord[] = [];
  for (let i = 0; i < 1600; i++) {
    const at = D0 + Math.floor((i * 4 * DAY) / 1600) + ((i * 104_729) % 90_000);
    const session = i % 17 === 0 ? null : i % 10 === 0 ? `back-${i % 7}` : i % 10 === 3 ? `span-${i % 41}` : `s-${Math.floor(i / 5)}`;
    const user = i % 13 === 0 ? null : `user-${(i * 3) % 11}`;
    const agent = i % 19 === 0 ? null : `agent-${i % 4}`;
    calls.push(makeCall(i + offset, at, user, agent, session, project));
  }
  // Exactly on midnights and just before, in one session.
  for (const [j, at] of [D0 + DAY - 1, D0 + DAY, D0 + 2 * DAY - 1, D0 + 2 * DAY, D0 + 3 * DAY].entries()) {
    calls.push(makeCall(9000 + offset + j, at, 'user-edge', 'agent-edge', 'midnights', project));
  }
  return calls;
}

const write = (call: CallRecord): CallWrite => ({ call, bodyHash: `h-${call.id}`, clientId: true });

/** Cuts day 0 and day 3; days 1 and 2 are whole. */
const RANGE = { from: D0 + 9 * HOUR + 13 * MIN + 7_001, to: D0 + 3 * DAY + 16 * HOUR + 2 * MIN + 999 };

function inRange(calls: CallRecord[], filters: CallFilters): CallRecord[] {
  return calls.filter((c) => c.project_id === filters.projectId && c.started_at >= filters.from! && (filters.to === undefined || c.started_at < filters.to)
    && (!filters.model || filters.model.includes(c.model)) && (filters.agent === undefined || c.agent === filters.agent)
    && (filters.userId === undefined || c.user_id === filters.userId));
}

function close(actual: unknown, expected: number | null, label: string): void {
  if (expected === null) expect(actual, label).toBeNull();
  else if (Number.isInteger(expected) && !label.includes('cost')) expect(actual, label).toBe(expected);
  else expect(Math.abs(Number(actual) - expected), `${label}: ${String(actual)} vs ${expected}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
}

const METRICS = ['requests', 'sessions', 'success_rate', 'total_tokens', 'cost', 'unpriced_calls', 'avg_latency', 'tool_calls'] as const;
const COST_METRICS = ['requests', 'cost', 'priced_calls', 'unpriced_calls', 'unpriced_tokens', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'avg_cost_per_call'] as const;
/** The stated bound on a percentile read from rollups, relative to the order statistic. */
const PERCENTILE_ERROR = 0.049;

/** p95 comes from the latency histogram when only project and time filter (every range here
 * has whole days); other filters scan raw calls (exact). */
function expectP95(fromRollups: boolean, actual: unknown, group: CallRecord[], label: string): void {
  const values = present(group.map((c) => c.latency_ms)).sort((a, b) => a - b);
  if (!fromRollups || values.length === 0) {
    close(actual, EXPECTED.p95_latency(group), label);
    return;
  }
  const rank = values[Math.floor(0.95 * (values.length - 1))]!;
  expect(Math.abs(Number(actual) - rank), `${label}: ${String(actual)} vs order statistic ${rank}`).toBeLessThanOrEqual(PERCENTILE_ERROR * rank + 1e-9);
}

async function expectPeopleMatch(store: Store, calls: CallRecord[], filters: CallFilters): Promise<void> {
  const rows = inRange(calls, filters);
  for (const by of ['agent', 'user'] as const) {
    const member = (c: CallRecord) => (by === 'agent' ? c.agent : c.user_id);
    const groups = new Map<string | null, CallRecord[]>();
    for (const call of rows) groups.set(member(call), [...(groups.get(member(call)) ?? []), call]);
    const served = await peopleBreakdown(rollupsWhereverTheyFit(store.sql), filters, by);
    expect(served, by).toHaveLength(groups.size);
    // Most requests first, as the one-query form orders them (ties by the engine's collation).
    const requests = served.map((row) => Number(row.requests));
    expect(requests, by).toEqual([...requests].sort((a, b) => b - a));
    expect(new Set(served.map((row) => row[by]))).toEqual(new Set(groups.keys()));
    for (const row of served) {
      const group = groups.get(row[by] as string | null)!;
      for (const name of METRICS) close(row[name], EXPECTED[name](group), `${by} ${String(row[by])} ${name}`);
      expectP95(filtersFitPeopleSessions(filters), row.p95_latency, group, `${by} ${String(row[by])} p95_latency`);
    }
    // The same members in the same order as the raw scan.
    const raw = await peopleBreakdown(rawRowsOnly(store.sql), filters, by);
    expect(served.map((row) => [row[by], row.requests, row.sessions])).toEqual(raw.map((row) => [row[by], row.requests, row.sessions]));

    // The cost breakdown by the same member: every figure as computed here, most cost first.
    const costs = await costBreakdown(rollupsWhereverTheyFit(store.sql), filters, by);
    expect(costs.rows, `cost by ${by}`).toHaveLength(groups.size);
    const byCost = costs.rows.map((row) => Number(row.cost));
    expect(byCost, `cost by ${by}`).toEqual([...byCost].sort((a, b) => b - a));
    for (const row of costs.rows) {
      const group = groups.get(row[by] as string | null)!;
      for (const name of COST_METRICS) close(row[name], EXPECTED[name](group), `cost by ${by} ${String(row[by])} ${name}`);
    }
    close(costs.total_cost, EXPECTED.cost(rows), `cost by ${by} total`);
    const rawCosts = await costBreakdown(rawRowsOnly(store.sql), filters, by);
    expect(costs.rows.map((row) => [row[by], row.requests])).toEqual(rawCosts.rows.map((row) => [row[by], row.requests]));
    expect(Object.keys(costs.rows[0] ?? {})).toEqual(Object.keys(rawCosts.rows[0] ?? {}));
  }
  const tags = byTag(rows);
  const costs = await costBreakdown(rollupsWhereverTheyFit(store.sql), filters, 'tag');
  expect(costs.rows, 'cost by tag').toHaveLength(tags.size);
  const byCost = costs.rows.map((row) => Number(row.cost));
  expect(byCost, 'cost by tag').toEqual([...byCost].sort((a, b) => b - a));
  for (const row of costs.rows) {
    const group = tags.get(row.tag as string)!;
    for (const name of COST_METRICS) close(row[name], EXPECTED[name](group), `cost by tag ${String(row.tag)} ${name}`);
  }
  close(costs.total_cost, EXPECTED.cost([...tags.values()].flat()), 'cost by tag total');
  const rawCosts = await costBreakdown(rawRowsOnly(store.sql), filters, 'tag');
  expect(costs.rows.map((row) => [row.tag, row.requests])).toEqual(rawCosts.rows.map((row) => [row.tag, row.requests]));
  expect(Object.keys(costs.rows[0] ?? {})).toEqual(Object.keys(rawCosts.rows[0] ?? {}));
  await expectErrorsMatch(store, calls, filters);
}

/** The bucket column in epoch milliseconds, in the store's dialect. */
const epochMs = (store: Store) => (store.kind === 'duckdb' ? 'epoch_ms(bucket)' : 'CAST(extract(epoch FROM bucket) * 1000 AS BIGINT)');

/**
 * Each stored day row holds that day's distinct sessions of its member, exactly (DuckDB: a count
 * per member and day; PostgreSQL: the bits set in the member's session bitmaps of the day).
 */
async function expectDayRows(store: Store, calls: CallRecord[]): Promise<void> {
  const sql = store.kind === 'duckdb'
    ? `SELECT epoch_ms(bucket) AS bucket, kind, member, sessions FROM ${PEOPLE_SESSIONS_TABLE} WHERE project_id = $1`
    : `SELECT ${epochMs(store)} AS bucket, kind, CASE WHEN named = 1 THEN member END AS member, sum(bit_count(bits)) AS sessions
       FROM ${PERSON_SESSION_BITS_TABLE} WHERE project_id = $1 GROUP BY 1, 2, 3`;
  const stored = await store.sql.query<{ bucket: number; kind: string; member: string | null; sessions: number | bigint }>(sql, [P]);
  const expected = new Map<string, number>();
  for (const [kind, member] of [['a', (c: CallRecord) => c.agent], ['u', (c: CallRecord) => c.user_id]] as const) {
    const sets = new Map<string, Set<string>>();
    for (const call of calls.filter((c) => c.project_id === P)) {
      const key = `${Math.floor(call.started_at / DAY) * DAY} ${kind} ${member(call) ?? '<null>'}`;
      const set = sets.get(key) ?? new Set<string>();
      if (call.session_id) set.add(call.session_id);
      sets.set(key, set);
    }
    // PostgreSQL keeps no bitmap for a member without sessions that day.
    for (const [key, set] of sets) if (store.kind === 'duckdb' || set.size > 0) expected.set(key, set.size);
  }
  expect(new Map(stored.map((row) => [`${Number(row.bucket)} ${row.kind} ${row.member ?? '<null>'}`, Number(row.sessions)]))).toEqual(expected);
}

/** Each stored day rollup row holds its member's sums that day, and its latency histogram
 * that day's calls with a latency, exactly (every project's rows). */
async function expectDayRollupRows(store: Store, calls: CallRecord[]): Promise<void> {
  for (const by of ['agent', 'user'] as const) {
    const member = (c: CallRecord) => (by === 'agent' ? c.agent : c.user_id);
    const { sums, latency } = PEOPLE_ROLLUPS[by];
    const stored = await store.sql.query<Record<string, number | bigint | string>>(
      `SELECT project_id, ${epochMs(store)} AS bucket, named, member, calls, successes, total_tokens, cost_usd, priced_calls, latency_sum, latency_calls, tool_calls,
         prompt_tokens, completion_tokens, unpriced_tokens
       FROM ${rollupTableName(sums, 'day')}`);
    const histogram = await store.sql.query<{ project_id: string; bucket: number; named: number; member: string; calls: number | bigint }>(
      `SELECT project_id, ${epochMs(store)} AS bucket, named, member, sum(calls) AS calls FROM ${rollupTableName(latency, 'day')} GROUP BY 1, 2, 3, 4`);
    const groups = new Map<string, CallRecord[]>();
    for (const call of calls) {
      const key = `${call.project_id} ${Math.floor(call.started_at / DAY) * DAY} ${member(call) === null ? '0 ' : `1 ${member(call)!}`}`;
      groups.set(key, [...(groups.get(key) ?? []), call]);
    }
    const keyOf = (row: { project_id: unknown; bucket: unknown; named: unknown; member: unknown }) => `${String(row.project_id)} ${Number(row.bucket)} ${Number(row.named)} ${String(row.member)}`;
    expect(new Set(stored.map(keyOf)), `${by} day rows`).toEqual(new Set(groups.keys()));
    for (const row of stored) {
      const group = groups.get(keyOf(row))!;
      const label = `${by} ${keyOf(row)}`;
      expect(Number(row.calls), label).toBe(group.length);
      expect(Number(row.successes), label).toBe(group.filter((c) => c.status === 'success').length);
      expect(Number(row.total_tokens), label).toBe(EXPECTED.total_tokens(group));
      close(row.cost_usd, EXPECTED.cost(group)!, `${label} cost`);
      expect(Number(row.priced_calls), label).toBe(EXPECTED.priced_calls(group));
      close(row.latency_sum, present(group.map((c) => c.latency_ms)).reduce((a, b) => a + b, 0), `${label} latency sum`);
      expect(Number(row.latency_calls), label).toBe(present(group.map((c) => c.latency_ms)).length);
      expect(Number(row.tool_calls), label).toBe(EXPECTED.tool_calls(group));
      for (const name of ['prompt_tokens', 'completion_tokens', 'unpriced_tokens'] as const) expect(Number(row[name]), `${label} ${name}`).toBe(EXPECTED[name](group));
    }
    const withLatency = [...groups].map(([key, group]) => [key, present(group.map((c) => c.latency_ms)).length] as const).filter(([, n]) => n > 0);
    expect(new Map(histogram.map((row) => [keyOf(row), Number(row.calls)])), `${by} histogram`).toEqual(new Map(withLatency));
  }
  for (const [grain, size] of [['hour', HOUR], ['day', DAY]] as const) {
    const tagRows = await store.sql.query<Record<string, number | bigint | string>>(
      `SELECT project_id, ${epochMs(store)} AS bucket, named, member, calls, prompt_tokens, completion_tokens, total_tokens, cost_usd, priced_calls, unpriced_tokens
       FROM ${rollupTableName(TAG_ROLLUPS, grain)}`);
    const tagGroups = new Map<string, CallRecord[]>();
    for (const call of calls) {
      for (const [tag, group] of byTag([call])) {
        const key = `${call.project_id} ${Math.floor(call.started_at / size) * size} 1 ${tag}`;
        tagGroups.set(key, [...(tagGroups.get(key) ?? []), ...group]);
      }
    }
    const tagKey = (row: Record<string, unknown>) => `${grain} ${String(row.project_id)} ${Number(row.bucket)} ${Number(row.named)} ${String(row.member)}`;
    expect(new Set(tagRows.map(tagKey)), `tag ${grain} rows`).toEqual(new Set([...tagGroups.keys()].map((key) => `${grain} ${key}`)));
    for (const row of tagRows) {
      const group = tagGroups.get(tagKey(row).slice(grain.length + 1))!;
      expect(Number(row.calls), tagKey(row)).toBe(group.length);
      close(row.cost_usd, EXPECTED.cost(group)!, `${tagKey(row)} cost`);
      for (const name of ['prompt_tokens', 'completion_tokens', 'total_tokens', 'priced_calls', 'unpriced_tokens'] as const) expect(Number(row[name]), `${tagKey(row)} ${name}`).toBe(EXPECTED[name](group));
    }
  }
}

/** DuckDB: calls are folded when a delete runs; one fold marker written and deleted. */
async function foldOnce(store: Store, offset: number): Promise<void> {
  const marker = makeCall(offset, D0 - 5 * DAY, null, null, null);
  await store.calls.insertBatch([write(marker)]);
  expect(await store.calls.deleteByIds(P, [marker.id])).toBe(1);
}

/**
 * DuckDB: the calls folded, and the days they fell on recounted. A fold marks the days it
 * brings calls pending (read raw); the next fold that brings a past day none recounts it.
 */
async function fold(store: Store, offset: number): Promise<void> {
  await foldOnce(store, offset);
  await foldOnce(store, offset + 1);
}

describe.each(ENGINES)('agents and users on %s', (engine) => {
  let store: Store;
  let calls: CallRecord[];
  let cleanup: () => Promise<void>;
  let dataDir = '';
  let databaseUrl = '';
  const filters: CallFilters = { projectId: P, ...RANGE };

  beforeAll(async () => {
    if (engine === 'duckdb') {
      dataDir = mkdtempSync(join(tmpdir(), 'loupe-people-sessions-'));
      // No timed folding: the test chooses when calls are folded.
      store = await openDuckDbStore({ dataDir, memoryLimit: '512MB', rollupFoldIntervalMs: 0, searchIndexIntervalMs: 0 });
      cleanup = async () => {
        await store.close().catch(() => undefined);
        rmSync(dataDir, { recursive: true, force: true });
      };
    } else {
      const schema = await createPgTestSchema();
      databaseUrl = schema.url;
      store = await openPostgresStore({ databaseUrl });
      cleanup = async () => {
        await store.close().catch(() => undefined);
        await schema.drop();
      };
    }
    await store.projects.ensure(P, 'People');
    calls = [...makeCalls(), ...makeCalls(50_000, 'elsewhere')];
    for (let i = 0; i < calls.length; i += 400) await store.calls.insertBatch(calls.slice(i, i + 400).map(write));
  }, 60_000);
  afterAll(async () => {
    await cleanup?.();
  });

  it('the range has whole days and partial days at both ends', async () => {
    const read = await chooseRollupSegments(rollupsWhereverTheyFit(store.sql), { metrics: ['requests'], dimensions: [], filters });
    expect(read?.segments.map((segment) => segment.grain)).toEqual([null, 'hour', 'day', 'hour', null]);
    // Sessions do run over midnights here, and come back on other days.
    const days = new Map<string, Set<number>>();
    for (const call of inRange(calls, filters)) if (call.session_id) days.set(call.session_id, (days.get(call.session_id) ?? new Set()).add(Math.floor(call.started_at / DAY)));
    expect([...days.values()].filter((set) => set.size > 1).length).toBeGreaterThan(20);
  });

  it('match the rows before the calls are folded (every day read raw)', async () => {
    await expectPeopleMatch(store, calls, filters);
  });

  it('match the rows once folded, and the day rows hold each day\'s distinct sessions', async () => {
    await fold(store, 70_000);
    await expectPeopleMatch(store, calls, filters);
    await expectPeopleMatch(store, calls, { projectId: P, from: RANGE.from });
    await expectPeopleMatch(store, calls, { projectId: P, from: D0 + DAY, to: D0 + 3 * DAY });
    await expectDayRows(store, calls);
    await expectDayRollupRows(store, calls);
  });

  it('other filters read raw rows and match', async () => {
    await expectPeopleMatch(store, calls, { ...filters, model: ['gpt-a', 'gpt-c'] });
    await expectPeopleMatch(store, calls, { ...filters, agent: 'agent-2' });
    // An empty value is a condition (no call has it), not an absent filter.
    await expectPeopleMatch(store, calls, { ...filters, userId: '' });
  });

  it('match with late calls on a past whole day not yet folded, then folded', async () => {
    // A session of day 0 seen again on day 2, and new members.
    const late = [
      makeCall(80_001, D0 + 2 * DAY + 5 * HOUR, 'user-1', 'agent-1', 's-3'),
      makeCall(80_002, D0 + 2 * DAY + 6 * HOUR, 'user-late', 'agent-late', 'back-2'),
      makeCall(80_003, D0 + DAY + 30 * MIN, 'user-late', null, 'midnights'),
    ];
    // Pairs that day 1 already had: they add no session.
    const known = calls.filter((c) => c.project_id === P && c.started_at >= D0 + DAY && c.started_at < D0 + 2 * DAY && c.session_id !== null).slice(0, 5);
    late.push(...known.map((c, i) => makeCall(80_010 + i, D0 + DAY + 23 * HOUR + i, c.user_id, c.agent, c.session_id)));
    await store.calls.insertBatch(late.map(write));
    calls = [...calls, ...late];
    await expectPeopleMatch(store, calls, filters);
    await fold(store, 80_100);
    await expectPeopleMatch(store, calls, filters);
    await expectDayRows(store, calls);
    await expectDayRollupRows(store, calls);
  });

  it('match after repricing a model over part of a day and a whole day', async () => {
    const [from, to] = [D0 + DAY + 5 * HOUR + 7 * MIN, D0 + 3 * DAY];
    const touched = (c: CallRecord) => c.project_id === P && c.model === 'gpt-a' && c.started_at >= from && c.started_at < to;
    const repriced = await store.calls.reprice({ projectId: P, model: 'gpt-a', from, to, rates: { kind: 'local', perHour: 3.6 } });
    expect(repriced).toBe(calls.filter(touched).length);
    calls = calls.map((c) => (touched(c) ? { ...c, cost_usd: ((c.latency_ms ?? 0) / 3_600_000) * 3.6, price_source: 'local' } : c));
    await expectPeopleMatch(store, calls, filters);
    await expectDayRollupRows(store, calls);
  });

  it('match over empty ranges, ranges with empty whole days, and another project', async () => {
    for (const by of ['agent', 'user'] as const) {
      expect(await peopleBreakdown(rollupsWhereverTheyFit(store.sql), { projectId: P, from: D0 - 9 * DAY + 5 * HOUR, to: D0 - 2 * DAY }, by)).toEqual([]);
      expect(await peopleBreakdown(rollupsWhereverTheyFit(store.sql), { projectId: 'nobody', ...RANGE }, by)).toEqual([]);
    }
    // Day 4 onwards is empty: only the partial day 3 at the start has calls.
    await expectPeopleMatch(store, calls, { projectId: P, from: D0 + 3 * DAY + 20 * HOUR + 3, to: D0 + 6 * DAY + HOUR });
    await expectPeopleMatch(store, calls, { projectId: P, from: D0 + 3 * DAY + 20 * HOUR + 3 });
    await expectPeopleMatch(store, calls, { projectId: 'elsewhere', ...RANGE });
  });

  it('match after deletes at the range edges and on whole days', async () => {
    const doomed = calls.filter((c, i) => c.project_id === P && (i % 23 === 0 || c.session_id === 'midnights'));
    expect(await store.calls.deleteByIds(P, doomed.map((c) => c.id))).toBe(doomed.length);
    calls = calls.filter((c) => !doomed.includes(c));
    await expectPeopleMatch(store, calls, filters);
    await expectDayRows(store, calls);
    await expectDayRollupRows(store, calls);
  });

  it('match after retention removes the first day', async () => {
    await applyRetention(store, 3, D0 + 3 * DAY + 20 * HOUR);
    calls = calls.filter((c) => c.started_at >= D0 + DAY);
    await expectPeopleMatch(store, calls, filters);
    const table = engine === 'duckdb' ? PEOPLE_SESSIONS_TABLE : PERSON_SESSION_BITS_TABLE;
    const [row] = await store.sql.query<{ n: number | bigint }>(`SELECT count(*) AS n FROM ${table} WHERE bucket < $1::TIMESTAMP`, [new Date(D0 + DAY).toISOString().replace('T', ' ').replace('Z', '')]);
    expect(Number(row?.n)).toBe(0);
    await expectDayRows(store, calls);
    await expectDayRollupRows(store, calls);
  });

  it('are filled by the migration from the calls already folded, and the folder adds the rest', async () => {
    const late = makeCall(90_001, D0 + 2 * DAY + 7 * HOUR, 'user-2', 'agent-2', 'span-5');
    await store.calls.insertBatch([write(late)]);
    calls = [...calls, late];
    const peopleTables = [
      ...Object.values(PEOPLE_ROLLUPS).flatMap(({ sums, latency }) => [sums, latency]).map((table) => rollupTableName(table, 'day')),
      ...physicalTables([TAG_ROLLUPS, ERROR_ROLLUPS]).map(([, , name]) => name),
    ];
    if (engine === 'postgres') {
      // Back to the schema before migrations 10 to 12, the late call still queued for the folder.
      await store.sql.query(`DROP TABLE ${[PERSON_SESSION_BITS_TABLE, ...peopleTables].join(', ')}`);
      await store.sql.query('DELETE FROM schema_migrations WHERE version IN (10, 11, 12)');
      await store.close();
      store = await openPostgresStore({ databaseUrl });
      await expectPeopleMatch(store, calls, filters);
      await fold(store, 90_100);
      await expectPeopleMatch(store, calls, filters);
      await expectDayRows(store, calls);
      await expectDayRollupRows(store, calls);
      return;
    }
    await store.close();
    const instance = await DuckDBInstance.create(join(dataDir, 'loupe.duckdb'));
    const connection = await instance.connect();
    const dropped = peopleTables.map((table) => `DROP TABLE ${table};`);
    await connection.run(`DROP TABLE ${PEOPLE_SESSIONS_TABLE}; ${dropped.join(' ')} DELETE FROM schema_migrations WHERE version IN (9, 10, 13, 14, 15)`);
    connection.closeSync();
    instance.closeSync();
    store = await openDuckDbStore({ dataDir, memoryLimit: '512MB', rollupFoldIntervalMs: 0, searchIndexIntervalMs: 0 });
    // The late call is above the watermark: its day is read raw until a fold recomputes it.
    await expectPeopleMatch(store, calls, filters);
    await fold(store, 90_100);
    await expectPeopleMatch(store, calls, filters);
    await expectDayRows(store, calls);
    await expectDayRollupRows(store, calls);
  });
});

// DuckDB's folder recounts a day's distinct sessions once the day has ended: until then the day
// is pending and read from raw calls, whatever range asks for it.
describe('agents and users on duckdb, the day still filling', () => {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const dayCalls = (offset: number, day: number, count: number): CallRecord[] => Array.from({ length: count }, (_, i) => {
    const at = day + Math.floor((i * (DAY - 1)) / count);
    return makeCall(offset + i, at, i % 9 === 0 ? null : `user-${i % 5}`, i % 7 === 0 ? null : `agent-${i % 3}`, i % 11 === 0 ? null : `t-${Math.floor(i / 4) % 60}`);
  });
  let dataDir = '';
  let store: Store;
  let calls: CallRecord[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loupe-people-today-'));
    store = await openDuckDbStore({ dataDir, memoryLimit: '512MB', rollupFoldIntervalMs: 0, searchIndexIntervalMs: 0 });
    await store.projects.ensure(P, 'People');
    // Yesterday and today (today's calls may lie ahead of the clock: they are still today's).
    calls = [...dayCalls(200_000, today - DAY, 400), ...dayCalls(300_000, today, 400)];
    await store.calls.insertBatch(calls.map(write));
    await fold(store, 390_000);
  }, 60_000);
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Ranges that hold today whole (up to a future end), cut it, or end at its midnight. */
  const ranges = (): CallFilters[] => [
    { projectId: P, from: today - DAY + 5 * HOUR + 7, to: today + DAY + HOUR },
    { projectId: P, from: today - DAY - 2 * DAY, to: today + DAY },
    { projectId: P, from: today - DAY + 13 * MIN, to: today + 9 * HOUR },
    { projectId: P, from: today - DAY, to: today },
  ];

  it('is marked pending, not recounted, and answered exactly from raw calls', async () => {
    const pending = await store.sql.query<{ day: number }>(`SELECT epoch_ms(bucket) AS day FROM ${PEOPLE_SESSIONS_PENDING_TABLE} WHERE project_id = $1`, [P]);
    expect(pending.map((row) => Number(row.day))).toEqual([today]);
    await expectDayRows(store, calls.filter((c) => c.started_at < today));
    for (const filters of ranges()) await expectPeopleMatch(store, calls, filters);
  });

  it('is recounted once by the first fold after its midnight that brings it no calls', async () => {
    const late = dayCalls(400_000, today, 40);
    await store.calls.insertBatch(late.map(write));
    calls = [...calls, ...late];
    await store.close();
    // The folder's own folds, run as they would be after the next midnight.
    const instance = await DuckDBInstance.create(join(dataDir, 'loupe.duckdb'));
    const connection = await instance.connect();
    const pendingDays = async () => (await connection.runAndReadAll(`SELECT epoch_ms(bucket) AS day FROM ${PEOPLE_SESSIONS_PENDING_TABLE}`)).getRowObjectsJS().map((row) => Number(row.day));
    // This fold brings the day calls: it stays pending.
    await inDuckDbTransaction(connection, () => foldIntoRollups(connection, today + DAY + MIN));
    expect(await pendingDays()).toEqual([today]);
    // The next brings it none: recounted.
    await inDuckDbTransaction(connection, () => foldIntoRollups(connection, today + DAY + 2 * MIN));
    expect(await pendingDays()).toEqual([]);
    connection.closeSync();
    instance.closeSync();
    store = await openDuckDbStore({ dataDir, memoryLimit: '512MB', rollupFoldIntervalMs: 0, searchIndexIntervalMs: 0 });
    await expectDayRows(store, calls);
    for (const filters of ranges()) await expectPeopleMatch(store, calls, filters);
  });

  it('leaves a past day that a backfill is filling pending until a fold brings it none', async () => {
    const day = today - 4 * DAY;
    const first = dayCalls(500_000, day, 120);
    await store.calls.insertBatch(first.map(write));
    calls = [...calls, ...first];
    await foldOnce(store, 590_000);
    const pending = await store.sql.query<{ day: number }>(`SELECT epoch_ms(bucket) AS day FROM ${PEOPLE_SESSIONS_PENDING_TABLE} WHERE project_id = $1`, [P]);
    expect(pending.map((row) => Number(row.day))).toContain(day);
    // Read raw meanwhile, exactly.
    for (const filters of [{ projectId: P, from: day - DAY, to: day + 2 * DAY }, { projectId: P, from: day + HOUR, to: today + DAY }]) await expectPeopleMatch(store, calls, filters);
    const second = dayCalls(600_000, day, 80);
    await store.calls.insertBatch(second.map(write));
    calls = [...calls, ...second];
    await fold(store, 690_000);
    // Today's rows too: the test before recounted them, and nothing has touched today since.
    await expectDayRows(store, calls);
    for (const filters of [{ projectId: P, from: day - DAY, to: day + 2 * DAY }, ...ranges()]) await expectPeopleMatch(store, calls, filters);
  });
});
