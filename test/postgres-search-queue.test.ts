// Logs search on PostgreSQL with its text indexed behind a queue: answers are exact whether a
// row is queued or indexed, rows committed late are not skipped, several instances' indexers
// index each row once, deletes and retention take the text with them, and the migration queues
// the calls stored before it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/domain/call-record.js';
import { copyCalls } from '../src/store/postgres/copy-calls.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { checkout, createPgPool } from '../src/store/postgres/pg-pool.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { queueBatch } from '../src/store/postgres/batch-queues.js';
import { PgSearchIndexer } from '../src/store/postgres/search-indexer.js';
import type { CallWrite, Store } from '../src/store/ports.js';
import { closePgTestSchema, connectedPgTestSchema, createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';

const HOUR = 3_600_000;
const NOW = Date.now();

function write(id: string, startedAt: number, prompt: string | null): CallWrite {
  const call: CallRecord = {
    id, request_id: id, project_id: 'p', trace_id: null, parent_id: null, started_at: startedAt, ended_at: null, latency_ms: 10, ttft_ms: null,
    tokens_per_second: null, provider: 'openai', model: 'm', response_model: null, endpoint: null, is_streaming: false, finish_reason: null, params: null,
    status: 'success', http_status: 200, error_type: null, error_message: null, prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cached_tokens: 0,
    cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: null, input_cost_usd: null, output_cost_usd: null, price_source: 'unknown',
    is_fallback: false, original_provider: null, attempt: 1, cache_hit: false, tool_calls_count: 0, api_key_id: null, user_id: null, session_id: null,
    agent: null, conversation_name: null, account_id: null, tags: [], properties: {}, confidence: null, signal: null,
    input: prompt === null ? null : [{ role: 'user', content: prompt }], output: null,
  };
  return { call, bodyHash: id, clientId: true };
}

/** Ids whose stored text a search for `term` matches, newest first, as the API pages them. */
async function searchIds(store: Store, term: string): Promise<string[]> {
  const page = await store.calls.list({ filters: { projectId: 'p', search: term }, sort: 'started_at', order: 'desc', limit: 1000 });
  return page.items.map((item) => item.id);
}

/** What a scan of the written prompts finds for `term`, newest first. */
function expectedIds(writes: CallWrite[], term: string): string[] {
  return writes
    .filter((w) => JSON.stringify(w.call.input ?? '').toLowerCase().includes(term.toLowerCase()))
    .sort((a, b) => b.call.started_at - a.call.started_at || (b.call.id < a.call.id ? -1 : 1))
    .map((w) => w.call.id);
}

let schema: PgTestSchema;
let client: pg.Client;
const count = async (sql: string): Promise<number> => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);

beforeAll(async () => {
  ({ schema, client } = await connectedPgTestSchema());
});
afterAll(() => closePgTestSchema(schema, client));

describe('search text indexed behind a queue', () => {
  const stores: Store[] = [];
  const written: CallWrite[] = [];
  let pool: pg.Pool;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) stores.push(await openPostgresStore({ databaseUrl: schema.url, poolSize: 3, searchIndexIntervalMs: 0 }));
    pool = createPgPool({ connectionString: schema.url, max: 3 });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await pool.end();
  });

  async function insert(store: Store, writes: CallWrite[]): Promise<void> {
    expect(await store.calls.insertBatch(writes)).toEqual(writes.map(() => 'created'));
    written.push(...writes);
  }

  it('answers exactly with rows queued, indexed, and some of each', async () => {
    // Seven batches: one indexer run takes five, so the last two stay queued.
    for (let b = 0; b < 7; b++) {
      await insert(stores[b % 3]!, Array.from({ length: 4 }, (_, i) => write(`q-${b}-${i}`, NOW - (b * 4 + i) * 60_000, i === 3 ? null : `batch ${b} row ${i}${i % 2 === 0 ? ' Needle' : ''}`)));
    }
    const expected = expectedIds(written, 'needle');
    expect(expected).toHaveLength(14);
    expect(await searchIds(stores[0]!, 'needle')).toEqual(expected);
    // Rows without content are never queued.
    expect(await count('SELECT count(*) AS n FROM call_search_pending, unnest(ids)')).toBe(21);

    expect(await new PgSearchIndexer(pool).runOnce()).toBe(5);
    expect(await count('SELECT count(*) AS n FROM call_search')).toBe(15);
    expect(await count('SELECT count(*) AS n FROM call_search_pending')).toBe(2);
    expect(await searchIds(stores[1]!, 'needle')).toEqual(expected);
    expect(await searchIds(stores[1]!, 'batch 6 row 2')).toEqual(['q-6-2']);
    expect(await searchIds(stores[1]!, 'batch 0 row 1')).toEqual(['q-0-1']);
    // Paged by cursor, both ways, and by page number, across indexed and queued rows.
    for (const order of ['desc', 'asc'] as const) {
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await stores[0]!.calls.list({ filters: { projectId: 'p', search: 'needle' }, sort: 'started_at', order, limit: 4, ...(cursor ? { cursor } : {}) });
        paged.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(order === 'desc' ? expected : [...expected].reverse());
    }
    const third = await stores[0]!.calls.list({ filters: { projectId: 'p', search: 'needle' }, sort: 'started_at', order: 'desc', limit: 4, page: 3, withTotal: true });
    expect(third.items.map((item) => item.id)).toEqual(expected.slice(8, 12));
    expect(third.total).toBe(14);
    const window = { from: NOW - 20 * 60_000, to: NOW - 8 * 60_000 };
    const windowed = await stores[0]!.calls.list({ filters: { projectId: 'p', search: 'needle', ...window }, sort: 'started_at', order: 'desc', limit: 100 });
    expect(windowed.items.map((item) => item.id)).toEqual(expected.filter((id) => {
      const started = written.find((w) => w.call.id === id)!.call.started_at;
      return started >= window.from && started < window.to;
    }));

    await new PgSearchIndexer(pool).drain();
    expect(await count('SELECT count(*) AS n FROM call_search_pending')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM call_search')).toBe(21);
    expect(await searchIds(stores[2]!, 'needle')).toEqual(expected);
    expect(await searchIds(stores[2]!, 'row 3')).toEqual([]);
  });

  it('a batch that commits after later batches were indexed is found, then indexed', async () => {
    const late = write('late-1', NOW - 30 * 60_000, 'committed late, Needle inside');
    const slow = await checkout(pool);
    try {
      // A writer whose transaction began first and commits last.
      await slow.query('BEGIN');
      await copyCalls(slow, [late]);
      await queueBatch(slow, [late]);
      await insert(stores[0]!, [write('early-1', NOW - 20 * 60_000, 'committed early, Needle too')]);
      await new PgSearchIndexer(pool).drain();
      expect(await count('SELECT count(*) AS n FROM call_search_pending')).toBe(0);
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    written.push(late);
    expect(await searchIds(stores[1]!, 'needle')).toEqual(expectedIds(written, 'needle'));
    expect(await searchIds(stores[1]!, 'committed late')).toEqual(['late-1']);
    await new PgSearchIndexer(pool).drain();
    expect(await count("SELECT count(*) AS n FROM call_search WHERE id = 'late-1'")).toBe(1);
    expect(await searchIds(stores[1]!, 'committed late')).toEqual(['late-1']);
  });

  it('three instances indexing at once index every queued row exactly once', async () => {
    for (let b = 0; b < 12; b++) {
      await insert(stores[b % 3]!, Array.from({ length: 5 }, (_, i) => write(`m-${b}-${i}`, NOW - 2 * HOUR - (b * 5 + i) * 1000, `many ${b} ${i} needle`)));
    }
    const indexers = [0, 1, 2].map(() => new PgSearchIndexer(pool));
    // A run that found the lock held returns null; keep going until the queue is empty.
    await Promise.all(indexers.map(async (indexer) => {
      while ((await count('SELECT count(*) AS n FROM call_search_pending')) > 0) await indexer.runOnce();
    }));
    const withContent = written.filter((w) => w.call.input !== null).length;
    expect(await count('SELECT count(*) AS n FROM call_search')).toBe(withContent);
    expect(await count('SELECT count(DISTINCT id) AS n FROM call_search')).toBe(withContent);
    expect(await searchIds(stores[0]!, 'needle')).toEqual(expectedIds(written, 'needle'));
  });

  it('the indexer makes a day\'s search partition that is missing (made by an older instance), then indexes the day', async () => {
    const day = Date.UTC(2024, 8, 3, 8);
    await insert(stores[0]!, [write('missing-part-1', day, 'a day without its search partition, needle')]);
    await client.query('DROP TABLE call_search_20240903');
    const indexer = new PgSearchIndexer(pool);
    // The first run fails on the missing partition, makes it, and leaves the batch queued.
    expect(await indexer.runOnce()).toBe(0);
    expect(await searchIds(stores[1]!, 'without its search partition')).toEqual(['missing-part-1']);
    await indexer.drain();
    expect(await count('SELECT count(*) AS n FROM call_search_pending')).toBe(0);
    expect(await count("SELECT count(*) AS n FROM call_search_20240903 WHERE id = 'missing-part-1'")).toBe(1);
  });

  it('a call deleted while queued and written again under its id is indexed once, with its new text', async () => {
    const at = NOW - 3 * HOUR;
    await insert(stores[0]!, [write('again-1', at, 'first text, needle')]);
    expect(await stores[1]!.calls.deleteByIds('p', ['again-1'])).toBe(1);
    written.splice(written.findIndex((w) => w.call.id === 'again-1'), 1);
    await insert(stores[2]!, [write('again-1', at, 'second text, needle')]);
    await new PgSearchIndexer(pool).drain();
    expect((await client.query("SELECT search_text FROM call_search WHERE id = 'again-1'")).rows.map((row) => (row.search_text as string).includes('second text'))).toEqual([true]);
    expect(await searchIds(stores[0]!, 'first text')).toEqual([]);
    expect(await searchIds(stores[0]!, 'second text')).toEqual(['again-1']);
  });

  it('a deleted call leaves the search text; retention drops the day of both', async () => {
    const oldDay = Date.UTC(2024, 5, 1, 12);
    await insert(stores[0]!, [write('old-1', oldDay, 'old needle one'), write('old-2', oldDay + 1000, 'old needle two')]);
    await new PgSearchIndexer(pool).drain();
    expect(await stores[1]!.calls.deleteByIds('p', ['old-1'])).toBe(1);
    expect(await count("SELECT count(*) AS n FROM call_search WHERE id = 'old-1'")).toBe(0);
    expect(await searchIds(stores[2]!, 'old needle')).toEqual(['old-2']);
    expect(await stores[2]!.calls.purgeBefore(Date.UTC(2024, 5, 2))).toBe(1);
    expect(await count("SELECT count(*) AS n FROM pg_class WHERE relname IN ('calls_20240601', 'call_search_20240601') AND relnamespace = current_schema()::regnamespace")).toBe(0);
    expect(await searchIds(stores[2]!, 'old needle')).toEqual([]);
    // A queued row whose day was dropped is let go by the indexer.
    await insert(stores[0]!, [write('old-3', oldDay, 'old needle three')]);
    await stores[1]!.calls.purgeBefore(Date.UTC(2024, 5, 2));
    await new PgSearchIndexer(pool).drain();
    expect(await count('SELECT count(*) AS n FROM call_search_pending')).toBe(0);
  });
});

describe('the migration to a queued search index', () => {
  it('queues the calls stored before it, which searches find at once and the indexer takes in', async () => {
    const own = await createPgTestSchema();
    const setup = new pg.Client({ connectionString: own.url });
    await setup.connect();
    try {
      await setup.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)');
      for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version < 8)) {
        await setup.query(migration.sql);
        await setup.query("INSERT INTO schema_migrations VALUES ($1, $2, now())", [migration.version, migration.name]);
      }
      await setup.query("SELECT ensure_calls_partition('2025-03-04')");
      await setup.query(`INSERT INTO calls (id, request_id, project_id, started_at, provider, model, is_streaming, status, prompt_tokens, completion_tokens, total_tokens,
          cached_tokens, cache_write_tokens, reasoning_tokens, usage_source, price_source, is_fallback, attempt, cache_hit, tool_calls_count, tags, properties, input, body_hash)
        SELECT 'before-' || n, 'r', 'p', '2025-03-04 10:00'::timestamp + n * interval '1 second', 'openai', 'm', false, 'success', 1, 1, 2, 0, 0, 0, 'provider', 'unknown',
          false, 1, false, 0, '{}', '{}', CASE WHEN n % 3 = 0 THEN NULL ELSE json_build_array(json_build_object('content', 'stored ' || n || CASE WHEN n % 2 = 0 THEN ' Needle' ELSE '' END)) END, 'h'
        FROM generate_series(1, 12) AS n`);
      const store = await openPostgresStore({ databaseUrl: own.url, searchIndexIntervalMs: 0 });
      try {
        expect(await setup.query("SELECT 1 FROM pg_class WHERE relname = 'call_search_20250304'")).toHaveProperty('rowCount', 1);
        expect(Number((await setup.query<{ n: string }>('SELECT count(*) AS n FROM call_search_pending, unnest(ids)')).rows[0]!.n)).toBe(8);
        const needles = ['before-10', 'before-8', 'before-4', 'before-2'];
        expect(await searchIds(store, 'needle')).toEqual(needles);
        const pool = createPgPool({ connectionString: own.url, max: 1 });
        try {
          await new PgSearchIndexer(pool).drain();
        } finally {
          await pool.end();
        }
        expect(Number((await setup.query<{ n: string }>('SELECT count(*) AS n FROM call_search')).rows[0]!.n)).toBe(8);
        expect(await searchIds(store, 'needle')).toEqual(needles);
      } finally {
        await store.close();
      }
    } finally {
      await setup.end();
      await own.drop();
    }
  });
});
