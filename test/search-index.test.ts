// The search index against the scan it replaces: for random terms (substrings of stored text
// in random case, absent words, short terms, punctuation, non-ASCII), with filters, sorts and
// cursor paging, the indexed repository returns exactly the scan's pages and totals, also for
// rows committed after the index last ran, deleted rows and an id deleted and stored again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import { DuckDbCallRepository } from '../src/store/duckdb/calls-repository.js';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { migrateDuckDb } from '../src/store/duckdb/migrations.js';
import { CallSearchIndex, searchRuns } from '../src/store/duckdb/search-index.js';
import type { CallFilters, LogQuery } from '../src/store/ports.js';

const WORDS = ['Market', 'report', 'VOLATILITY', 'risk', 'Zanzibar', 'quartz', 'naïve', 'café', 'Straße', 'e-mail', 'x42', 'O\'Brien', '"quoted"', 'new\nline', 'tab\there', 'ok'];
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23);

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

let pool: DuckDbPool;
let index: CallSearchIndex;
let indexed: DuckDbCallRepository;
let scanned: DuckDbCallRepository;
const texts: string[] = [];

function calls(from: number, to: number, rand: () => number, prefix = 'c') {
  const items = [];
  for (let i = from; i < to; i++) {
    const words = Array.from({ length: 4 + Math.floor(rand() * 12) }, () => WORDS[Math.floor(rand() * WORDS.length)]!);
    if (rand() < 0.03) words.push(`rare${i}token`);
    const prompt = words.join(rand() < 0.5 ? ' ' : ', ');
    const answer = words.slice().reverse().join(' ').toUpperCase();
    texts.push(prompt, answer);
    items.push({
      id: `${prefix}-${i}`, provider: rand() < 0.5 ? 'openai' : 'anthropic', model: rand() < 0.5 ? 'gpt-4o' : 'claude-sonnet-4',
      status: rand() < 0.2 ? 'error' : 'success', started_at: new Date(NOW - Math.floor(rand() * 10 * DAY)).toISOString(),
      latency_ms: Math.floor(rand() * 1000), prompt_tokens: 10, completion_tokens: 5,
      input: [{ role: 'user', content: prompt }], output: { role: 'assistant', content: answer },
    });
  }
  return items;
}

async function store(items: ReturnType<typeof calls>, projectId: string): Promise<void> {
  const prepared = prepareCalls(items, { projectId, apiKeyId: null });
  expect(prepared.invalid).toEqual([]);
  const outcomes = await scanned.insertBatch(prepared.writes);
  expect(new Set(outcomes)).toEqual(new Set(['created']));
}

/** The first pages by cursor (all of them for all but the most frequent terms), as ids. */
async function allPages(repository: DuckDbCallRepository, query: Omit<LogQuery, 'cursor'>): Promise<{ ids: string[]; total: number | null }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let total: number | null = null;
  for (let pages = 0; pages < 6; pages++) {
    const page = await repository.list({ ...query, ...(cursor ? { cursor } : {}), withTotal: pages === 0 });
    if (pages === 0) total = page.total;
    ids.push(...page.items.map((item) => item.id));
    if (!page.nextCursor) return { ids, total };
    cursor = page.nextCursor;
  }
  return { ids, total };
}

function randomTerms(rand: () => number, count: number): string[] {
  const terms = ['zanzibar', 'ZANZIBAR quartz', 'no such words here', 'ok', 'o\'b', '"quoted', 'line\ntab', 'straße', 'STRASSE', 'naïve', 'rare7token', 'e-m', 'x4', '42', 'volatility'];
  while (terms.length < count) {
    const text = texts[Math.floor(rand() * texts.length)]!;
    const start = Math.floor(rand() * text.length);
    const piece = text.slice(start, start + 2 + Math.floor(rand() * 12));
    if (piece.trim().length === 0) continue;
    terms.push([...piece].map((char) => (rand() < 0.5 ? char.toUpperCase() : char.toLowerCase())).join(''));
  }
  return terms;
}

beforeAll(async () => {
  pool = await DuckDbPool.open({ path: ':memory:', memoryLimit: '512MB', readers: 2 });
  await pool.write((connection) => migrateDuckDb(connection));
  index = new CallSearchIndex(pool);
  indexed = new DuckDbCallRepository(pool, index);
  scanned = new DuckDbCallRepository(pool);
  const rand = random(7);
  await store(calls(0, 400, rand), 'p1');
  await store(calls(400, 500, rand), 'p2');
  expect(await index.catchUp()).toBe(500);
  // Newer than the watermark, deleted after indexing, and deleted then stored with new text.
  await store(calls(500, 600, rand), 'p1');
  expect(await scanned.deleteByIds('p1', ['c-3', 'c-10', 'c-11', 'c-12', 'c-7'])).toBe(5);
  await store(calls(7, 8, rand), 'p1');
});
afterAll(async () => {
  await pool.close();
});

describe('searchRuns', () => {
  it('keeps lowercased ASCII letter-and-digit runs of at least three characters, as stored in JSON', () => {
    expect(searchRuns('Hello, WORLD x4 42')).toEqual(['hello', 'world']);
    expect(searchRuns('line\nbreak')).toEqual(['line', 'nbreak']);
    expect(searchRuns('ab')).toBeNull();
    expect(searchRuns('café')).toEqual(['caf']);
    expect(searchRuns('straße')).toBeNull();
  });
});

describe('indexed search', () => {
  it('narrows a rare term to its rows and leaves frequent or short terms to the scan', async () => {
    const rare = await index.candidates('p1', 'RARE', {});
    expect(rare).not.toBeNull();
    expect(rare!.ids.length).toBeGreaterThan(0);
    expect(rare!.ids.every((id) => Number(id.slice(2)) < 400)).toBe(true);
    expect(await index.candidates('p1', 'no such words here', {})).toEqual({ watermark: rare!.watermark, ids: [] });
    expect(await index.candidates('p1', 'ok', {})).toBeNull();
  });

  it('returns exactly the pages and totals of the scan for random terms, filters and sorts', { timeout: 120_000 }, async () => {
    const rand = random(11);
    const shapes: { filters: Omit<CallFilters, 'projectId' | 'search'>; sort: LogQuery['sort']; order: LogQuery['order'] }[] = [
      { filters: {}, sort: 'started_at', order: 'desc' },
      { filters: { from: NOW - 4 * DAY }, sort: 'started_at', order: 'desc' },
      { filters: { model: ['gpt-4o'], status: ['success'] }, sort: 'latency_ms', order: 'asc' },
      { filters: { to: NOW - 2 * DAY, provider: ['anthropic'] }, sort: 'model', order: 'desc' },
    ];
    let compared = 0;
    let nonEmpty = 0;
    for (const search of randomTerms(rand, 40)) {
      for (const projectId of ['p1', 'p2']) {
        const shape = shapes[compared % shapes.length]!;
        const query = { filters: { ...shape.filters, projectId, search }, sort: shape.sort, order: shape.order, limit: 11 };
        const expected = await allPages(scanned, query);
        const actual = await allPages(indexed, query);
        expect(actual, `${JSON.stringify(search)} in ${projectId}`).toEqual(expected);
        expect(expected.total).toBeGreaterThanOrEqual(expected.ids.length);
        compared++;
        if (expected.ids.length > 0) nonEmpty++;
      }
    }
    expect(compared).toBe(80);
    expect(nonEmpty).toBeGreaterThan(40);
  });

  it('finds rows above the watermark, never deleted rows, and the stored-again row by its new text only', { timeout: 60_000 }, async () => {
    const query = (search: string) => allPages(indexed, { filters: { projectId: 'p1', search }, sort: 'started_at', order: 'desc', limit: 50 });
    const recent = texts.slice(1000, 1200).find((text) => /rare\d+token/.test(text));
    const recentTerm = recent?.match(/rare\d+token/)?.[0];
    expect(recentTerm).toBeDefined();
    expect((await query(recentTerm!)).ids.length).toBe(1);
    for (const term of randomTerms(random(3), 20)) {
      const { ids } = await query(term);
      expect(ids.filter((id) => ['c-3', 'c-10', 'c-11', 'c-12'].includes(id))).toEqual([]);
    }
    // c-7 was stored again with the text of the last call generated.
    const again = texts[texts.length - 2]!.split(/[ ,]+/)[0]!;
    expect((await query(again)).ids).toContain('c-7');
  });

  it('keeps matching after the stored-again and newer rows are indexed too', { timeout: 120_000 }, async () => {
    expect(await index.catchUp()).toBe(101);
    const rand = random(5);
    for (const search of randomTerms(rand, 25)) {
      const query = { filters: { projectId: 'p1', search }, sort: 'started_at' as const, order: 'desc' as const, limit: 9 };
      expect(await allPages(indexed, query)).toEqual(await allPages(scanned, query));
    }
  });

  it('answers exactly as before after its runs are merged into one row per word and day', { timeout: 120_000 }, async () => {
    // Several small indexer runs, as a trickle of calls produces.
    const rand = random(21);
    for (let run = 0; run < 4; run++) {
      await store(calls(2000 + run * 10, 2010 + run * 10, rand, 'm'), 'p1');
      expect(await index.catchUp()).toBe(10);
    }
    const before = Number((await pool.query<{ n: bigint }>('SELECT count(*) AS n FROM call_search_postings'))[0]!.n);
    const groups = Number((await pool.query<{ n: bigint }>("SELECT count(*) AS n FROM (SELECT DISTINCT project_id, token, date_trunc('day', first_at) FROM call_search_postings)"))[0]!.n);
    expect(groups).toBeLessThan(before);
    expect(await index.merge()).toBe(groups);
    // Still answered from the index, with every rare row of p1 among the candidates.
    const rare = await index.candidates('p1', 'RARE', {});
    const rareRows = await pool.query<{ id: string }>("SELECT id FROM calls WHERE project_id = 'p1' AND regexp_matches(CAST(input AS VARCHAR), 'rare[0-9]+token')");
    expect(rareRows.length).toBeGreaterThan(0);
    for (const row of rareRows) expect(rare!.ids).toContain(row.id);
    for (const search of randomTerms(random(9), 25)) {
      const query = { filters: { projectId: 'p1', search }, sort: 'started_at' as const, order: 'desc' as const, limit: 9 };
      expect(await allPages(indexed, query), JSON.stringify(search)).toEqual(await allPages(scanned, query));
    }
  });
});
