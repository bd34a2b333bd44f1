// What only the PostgreSQL store has: `loupe migrate`, daily partitions created ahead and on
// demand, the trigram index of search text, and several instances on one database (migrations racing,
// the same ids written at once).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCallFilters } from '../src/analytics/filters.js';
import { SqlParams } from '../src/analytics/sql-params.js';
import type { CallRecord } from '../src/domain/call-record.js';
import { CrossInstanceEvents } from '../src/live/cross-instance-events.js';
import { LiveEventBus } from '../src/live/event-bus.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/ports.js';
import { closePgTestSchema, connectedPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { startTestServer } from './helpers/test-server.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DAY = 86_400_000;

function call(id: string, startedAt: number): CallRecord {
  return {
    id, request_id: id, project_id: 'p', trace_id: null, parent_id: null, started_at: startedAt, ended_at: null, latency_ms: 10, ttft_ms: null,
    tokens_per_second: null, provider: 'openai', model: 'm', response_model: null, endpoint: null, is_streaming: false, finish_reason: null, params: null,
    status: 'success', http_status: 200, error_type: null, error_message: null, prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cached_tokens: 0,
    cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: null, input_cost_usd: null, output_cost_usd: null, price_source: 'unknown',
    is_fallback: false, original_provider: null, attempt: 1, cache_hit: false, tool_calls_count: 0, api_key_id: null, user_id: null, session_id: null,
    agent: null, conversation_name: null, account_id: null, tags: [], properties: {}, confidence: null, signal: null, input: null, output: null,
  };
}

let schema: PgTestSchema;
let client: pg.Client;

beforeAll(async () => {
  ({ schema, client } = await connectedPgTestSchema());
});
afterAll(() => closePgTestSchema(schema, client));

async function partitions(): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace n ON n.oid = p.relnamespace WHERE p.relname = 'calls' AND n.nspname = $1 ORDER BY 1`,
    [schema.schema],
  );
  return result.rows.map((row) => row.name);
}

const dayName = (ms: number) => `calls_${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;

describe('loupe migrate', () => {
  it('applies every migration once, then reports the schema up to date', async () => {
    const env = { ...process.env, DATABASE_URL: schema.url, LOUPE_LOG_LEVEL: 'silent' };
    const first = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'migrate'], { cwd: ROOT, env });
    expect(first.stdout.trim()).toBe(`postgres: applied migrations ${POSTGRES_MIGRATIONS.map((migration) => migration.version).join(', ')}`);
    const again = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'migrate'], { cwd: ROOT, env });
    expect(again.stdout.trim()).toBe('postgres: schema already up to date');
    const versions = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version).sort((a, b) => a - b));
    // The partitions of the coming week exist before any call arrives.
    const names = await partitions();
    for (let i = 0; i <= 7; i++) expect(names).toContain(dayName(Date.now() + i * DAY));
  });
});

describe('several instances on one database', () => {
  let stores: Store[] = [];

  beforeAll(async () => {
    // Three instances starting at once on an already-migrated schema, and their migrations racing.
    stores = await Promise.all([0, 1, 2].map(() => openPostgresStore({ databaseUrl: schema.url, poolSize: 4 })));
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  it('every connection runs in UTC and without JIT compilation', async () => {
    const [settings] = await stores[0]!.sql.query<{ zone: string; jit: string }>("SELECT current_setting('TimeZone') AS zone, current_setting('jit') AS jit");
    expect(settings).toEqual({ zone: 'UTC', jit: 'off' });
  });

  it('the same ids written by three instances at once are created exactly once each', async () => {
    const now = Date.now();
    const batch = Array.from({ length: 200 }, (_, i) => ({ call: call(`shared-${i}`, now - i * 1000), bodyHash: `h${i}`, clientId: true }));
    const results = await Promise.all(stores.map((store) => store.calls.insertBatch(batch)));
    for (let i = 0; i < batch.length; i++) {
      const outcomes = results.map((result) => result[i]).sort();
      expect(outcomes).toEqual(['created', 'duplicate', 'duplicate']);
    }
    expect(await stores[0]!.calls.count('p')).toBe(200);
    const conflict = await stores[1]!.calls.insertBatch([{ ...batch[0]!, bodyHash: 'other' }]);
    expect(conflict).toEqual(['conflict']);
  });

  it('a call from long ago gets its day partition on demand, and is found by id', async () => {
    const old = Date.UTC(2024, 1, 29, 23, 59, 59, 999);
    expect(await stores[2]!.calls.insertBatch([{ call: call('leap-day', old), bodyHash: 'x', clientId: true }])).toEqual(['created']);
    expect(await partitions()).toContain('calls_20240229');
    expect((await stores[0]!.calls.get('p', 'leap-day'))!.started_at).toBe(old);
    const rows = await client.query<{ part: string }>("SELECT tableoid::regclass::text AS part FROM calls WHERE id = 'leap-day'");
    expect(rows.rows[0]!.part).toMatch(/calls_20240229$/);
  });

  it('three instances writing the first calls of the same new days at once all store them', async () => {
    const days = [Date.UTC(2023, 4, 10, 12), Date.UTC(2023, 4, 11, 12), Date.UTC(2023, 4, 12, 12)];
    const results = await Promise.all(stores.map((store, n) => store.calls.insertBatch(days.map((day, i) => ({ call: call(`new-day-${n}-${i}`, day), bodyHash: 'x', clientId: true })))));
    expect(results).toEqual(stores.map(() => days.map(() => 'created')));
    expect(await partitions()).toEqual(expect.arrayContaining(['calls_20230510', 'calls_20230511', 'calls_20230512']));
  });

  it('a server with LOUPE_RETENTION_DAYS drops the partitions of older days at start', async () => {
    const server = await startTestServer({ database_url: schema.url, retention_days: 30 }, 'postgres');
    try {
      // Every day before the cutoff, not only the first one seen gone: the drops run one by one.
      await expect.poll(async () => (await partitions()).filter((name) => name < dayName(Date.now() - 40 * DAY)), { timeout: 5000 }).toEqual([]);
      expect(await server.store.calls.get('p', 'leap-day')).toBeNull();
      expect(await server.store.calls.count('p')).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('a day dropped by another instance\'s retention is created again on the next write', async () => {
    const day = Date.UTC(2025, 0, 1, 12);
    expect(await stores[0]!.calls.insertBatch([{ call: call('new-year-1', day), bodyHash: 'a', clientId: true }])).toEqual(['created']);
    expect(await stores[1]!.calls.purgeBefore(Date.UTC(2025, 0, 2))).toBe(1);
    expect(await partitions()).not.toContain('calls_20250101');
    // stores[0] still believes the day exists.
    expect(await stores[0]!.calls.insertBatch([{ call: call('new-year-2', day), bodyHash: 'b', clientId: true }])).toEqual(['created']);
    expect(await partitions()).toContain('calls_20250101');
  });

  it('a batch that PostgreSQL refuses during its COPY is rolled back whole, ids unclaimed, and the next batch goes in', async () => {
    const now = Date.now();
    const refused = [
      { call: call('copy-ok', now), bodyHash: 'a', clientId: true },
      { call: call('copy-bad', now), bodyHash: 'b', clientId: true, inputJson: '{not json' },
    ];
    await expect(stores[0]!.calls.insertBatch(refused)).rejects.toMatchObject({ code: '22P02' });
    expect(await stores[0]!.calls.get('p', 'copy-ok')).toBeNull();
    const retried = [refused[0]!, { ...refused[1]!, inputJson: '{"fixed":true}' }];
    expect(await stores[0]!.calls.insertBatch(retried)).toEqual(['created', 'created']);
    expect((await stores[1]!.calls.get('p', 'copy-bad'))?.input).toEqual({ fixed: true });
  });

  it('live events relay between instances in order, split under the NOTIFY payload limit', async () => {
    const [busA, busB] = [new LiveEventBus(), new LiveEventBus()];
    const bridges = await Promise.all([CrossInstanceEvents.start(busA, stores[0]!.broadcast!, () => undefined), CrossInstanceEvents.start(busB, stores[1]!.broadcast!, () => undefined)]);
    try {
      const heard: unknown[] = [];
      busB.subscribe('p', (event) => heard.push(event.data));
      expect(busA.hasAudience).toBe(false);
      // B announces its subscriber; A relays from then on.
      await expect.poll(() => { bridges[1]!.announce(); return busA.hasAudience; }, { timeout: 3000 }).toBe(true);
      for (let i = 0; i < 300; i++) busA.publish('p', 'log_updated', { n: i, pad: 'x'.repeat(1000) });
      busA.publish('p', 'log_updated', { n: 'too large', pad: 'x'.repeat(9000) });
      busA.publish('other', 'log_updated', { n: 'other project' });
      busA.publish('p', 'log_updated', { n: 'last' });
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(301);
      expect(heard.map((data) => (data as { n: unknown }).n)).toEqual([...Array.from({ length: 300 }, (_, i) => i), 'last']);
    } finally {
      for (const bridge of bridges) await bridge.stop();
    }
  });

  it('logs search is served by the trigram index of call_search, and calls carry none', async () => {
    const indexes = await client.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname IN ('call_search_trgm', 'calls_search_trgm')",
      [schema.schema],
    );
    expect(indexes.rows.map((row) => row.indexname)).toEqual(['call_search_trgm']);
    expect(indexes.rows[0]!.indexdef).toMatch(/gin_trgm_ops/);
    await client.query('ANALYZE calls');
    await client.query('SET enable_seqscan = off');
    const params = new SqlParams();
    const where = compileCallFilters({ projectId: 'p', search: 'needle' }, params, 'postgres');
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM calls WHERE ${where}`, params.values);
    await client.query('RESET enable_seqscan');
    // Each partition carries its own copy of the index, named after the partition.
    expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on call_search_\d{8}_search_text_idx/);
  });
});
