// PostgreSQL's distinct users and sessions as member ids and bitmaps: counts equal the distinct
// members of the rows written, across several bitmap chunks, with members written at once by
// two instances, with a call stored past registration at an edge, and after retention purges
// the members not seen since its cutoff.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/domain/call-record.js';
import { runTotals } from '../src/analytics/metrics/run-query.js';
import { chooseRollupSegments, rawRowsOnly, rollupsWhereverTheyFit } from '../src/analytics/rollups/rollup-plan.js';
import { CHUNK_BITS, MEMBER_IDS_TABLE, memberBitsTable } from '../src/analytics/rollups/member-bitmaps.js';
import { copyCalls } from '../src/store/postgres/copy-calls.js';
import { createPgPool, inTransaction } from '../src/store/postgres/pg-pool.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { CallFilters, CallWrite, Store } from '../src/store/ports.js';
import { applyRetention } from '../src/store/retention.js';
import { createPgTestSchema, foldPgRollups, type PgTestSchema } from './helpers/pg-test-database.js';

const P = 'bitmaps';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const D0 = Date.UTC(2026, 9, 1);
/** More sessions than one bitmap chunk holds, so a day's sessions span several chunks. */
const SESSIONS = CHUNK_BITS + 1500;

function call(i: number, startedAt: number, userId: string | null, sessionId: string | null): CallRecord {
  return {
    id: `bm-${i}`, request_id: `bm-${i}`, project_id: P, trace_id: null, parent_id: null, started_at: startedAt, ended_at: null, latency_ms: 10, ttft_ms: null,
    tokens_per_second: null, provider: 'openai', model: 'm', response_model: null, endpoint: null, is_streaming: false, finish_reason: null, params: null,
    status: 'success', http_status: 200, error_type: null, error_message: null, prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cached_tokens: 0,
    cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: null, input_cost_usd: null, output_cost_usd: null, price_source: 'unknown',
    is_fallback: false, original_provider: null, attempt: 1, cache_hit: false, tool_calls_count: 0, api_key_id: null, user_id: userId, session_id: sessionId,
    agent: null, conversation_name: null, account_id: null, tags: [], properties: {}, confidence: null, signal: null, input: null, output: null,
  };
}

const write = (c: CallRecord): CallWrite => ({ call: c, bodyHash: c.id, clientId: true });

/** Three days of calls: session i on day i % 3 (and every 10th again the next day), users recurring daily. */
function makeCalls(): CallRecord[] {
  const calls: CallRecord[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    const day = s % 3;
    const at = D0 + day * DAY + ((s * 7919) % (DAY - 2 * MIN)) + MIN;
    calls.push(call(calls.length, at, s % 5 === 0 ? null : `user-${s % 97}`, `sess-${s}`));
    if (s % 10 === 0 && day < 2) calls.push(call(calls.length, at + DAY, `user-${s % 97}`, `sess-${s}`));
  }
  return calls;
}

function distinct(calls: CallRecord[], filters: CallFilters, key: 'user_id' | 'session_id'): number {
  return new Set(calls.filter((c) => c.started_at >= filters.from! && c.started_at < filters.to!).map((c) => c[key]).filter((v) => v !== null)).size;
}

describe('distinct members as ids and bitmaps on PostgreSQL', () => {
  let schema: PgTestSchema;
  let first: Store;
  let second: Store;
  let calls: CallRecord[];
  // Cuts through the first and last day and their hours: whole day, hour and raw minute segments.
  const range: CallFilters = { projectId: P, from: D0 + 5 * HOUR + 17 * MIN, to: D0 + 2 * DAY + 20 * HOUR + 41 * MIN };

  beforeAll(async () => {
    schema = await createPgTestSchema();
    // Folded only when the test says so, so both the queued and the folded state are read.
    first = await openPostgresStore({ databaseUrl: schema.url, rollupFoldIntervalMs: 0 });
    second = await openPostgresStore({ databaseUrl: schema.url, rollupFoldIntervalMs: 0 });
    await first.projects.ensure(P, 'Bitmaps');
    calls = makeCalls();
    // Two instances at once, batches interleaved: the same users registered by both, the same
    // days' partitions created by both.
    const batches: CallRecord[][] = [];
    for (let i = 0; i < calls.length; i += 500) batches.push(calls.slice(i, i + 500));
    await Promise.all([first, second].map(async (store, n) => {
      for (const batch of batches.filter((_, i) => i % 2 === n)) await store.calls.insertBatch(batch.map(write));
    }));
  }, 120_000);

  it('counts users and sessions exactly while their calls wait to be folded', async () => {
    const [queued] = await first.sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${MEMBER_IDS_TABLE}`);
    expect(Number(queued!.n)).toBe(0);
    const totals = await runTotals(rollupsWhereverTheyFit(first.sql), { metrics: ['unique_users', 'sessions'], filters: range });
    expect(totals.sessions).toBe(distinct(calls, range, 'session_id'));
    expect(totals.unique_users).toBe(distinct(calls, range, 'user_id'));
    // Two folders at once, as two instances run them: one takes a turn, the other waits.
    await Promise.all([foldPgRollups(schema.url), foldPgRollups(schema.url)]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await schema?.drop();
  });

  it('gives every member one id, and a day of sessions several chunks', async () => {
    const [ids] = await first.sql.query<{ n: string; unique_ids: string }>(`SELECT count(*) AS n, count(DISTINCT (kind, id)) AS unique_ids FROM ${MEMBER_IDS_TABLE}`);
    expect(Number(ids!.n)).toBe(SESSIONS + 97);
    expect(Number(ids!.unique_ids)).toBe(SESSIONS + 97);
    const [chunks] = await first.sql.query<{ n: string }>(`SELECT count(DISTINCT chunk) AS n FROM ${memberBitsTable('day')} WHERE kind = 's'`);
    expect(Number(chunks!.n)).toBeGreaterThan(1);
  });

  it('counts users and sessions exactly over whole days, hours and raw minutes', async () => {
    const read = await chooseRollupSegments(rollupsWhereverTheyFit(first.sql), { metrics: ['sessions'], dimensions: [], filters: range });
    expect(new Set(read?.segments.map((segment) => segment.grain))).toEqual(new Set(['day', 'hour', null]));
    const totals = await runTotals(rollupsWhereverTheyFit(first.sql), { metrics: ['unique_users', 'sessions'], filters: range });
    expect(totals.sessions).toBe(distinct(calls, range, 'session_id'));
    expect(totals.unique_users).toBe(distinct(calls, range, 'user_id'));
    const raw = await runTotals(rawRowsOnly(first.sql), { metrics: ['sessions'], filters: range });
    expect(raw.sessions).toBe(totals.sessions);
  });

  it('counts a member of a call stored past registration, at a raw edge, by its text', async () => {
    // As a bulk load writing rows directly would: no id, no bit.
    const pool = createPgPool({ connectionString: schema.url, max: 1 });
    try {
      const edge = call(900_000, range.from! + MIN, 'user-unregistered', 'sess-unregistered');
      await inTransaction(pool, (client) => copyCalls(client, [write(edge)]));
      const totals = await runTotals(rollupsWhereverTheyFit(first.sql), { metrics: ['unique_users', 'sessions'], filters: range });
      expect(totals.sessions).toBe(distinct([...calls, edge], range, 'session_id'));
      expect(totals.unique_users).toBe(distinct([...calls, edge], range, 'user_id'));
      await pool.query('DELETE FROM calls WHERE id = $1', [edge.id]);
    } finally {
      await pool.end();
    }
  });

  it('retention removes the bitmaps before its cutoff and the members not seen since', async () => {
    // Keep the last day only: sessions of days 0 and 1 not seen again on day 2 go.
    await applyRetention(first, 1, D0 + 2 * DAY + 12 * HOUR);
    const kept = calls.filter((c) => c.started_at >= D0 + 2 * DAY);
    const [ids] = await first.sql.query<{ sessions: string; users: string }>(
      `SELECT count(*) FILTER (WHERE kind = 's') AS sessions, count(*) FILTER (WHERE kind = 'u') AS users FROM ${MEMBER_IDS_TABLE}`);
    expect(Number(ids!.sessions)).toBe(new Set(kept.map((c) => c.session_id)).size);
    expect(Number(ids!.users)).toBe(new Set(kept.map((c) => c.user_id).filter((v) => v !== null)).size);
    const [old] = await first.sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${memberBitsTable('hour')} WHERE bucket < $1::timestamp`, [new Date(D0 + 2 * DAY).toISOString().replace('T', ' ').replace('Z', '')]);
    expect(Number(old!.n)).toBe(0);
    // A member purged and seen again gets a new id and is counted once.
    const back = call(900_001, D0 + 2 * DAY + 23 * HOUR, 'user-1', 'sess-1');
    await first.calls.insertBatch([write(back)]);
    const window: CallFilters = { projectId: P, from: D0 + 2 * DAY, to: D0 + 3 * DAY };
    const totals = await runTotals(rollupsWhereverTheyFit(first.sql), { metrics: ['unique_users', 'sessions'], filters: window });
    expect(totals.sessions).toBe(distinct([...kept, back], window, 'session_id'));
    expect(totals.unique_users).toBe(distinct([...kept, back], window, 'user_id'));
  });
});
