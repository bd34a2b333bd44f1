// The indexer's word extraction (wordListSql) against the regexp_extract_all expression it
// replaced, on stored JSON text chosen to break a split-based extraction: escapes (\n, \u00e9,
// \"), non-ASCII letters whose lowercase is ASCII, runs of spaces, punctuation at both ends,
// digits, empty and NULL input or output; the same words taken in JavaScript while a call is
// prepared (search-words.ts), over the same texts and over every code point; then the postings
// the indexer writes for such calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import { DuckDbCallRepository } from '../src/store/duckdb/calls-repository.js';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { migrateDuckDb } from '../src/store/duckdb/migrations.js';
import { CallSearchIndex, wordListSql } from '../src/store/duckdb/search-index.js';
import { searchWords } from '../src/store/search-words.js';

const TEXT = `lower(concat_ws(' ', CAST(input AS VARCHAR), CAST(output AS VARCHAR)))`;
const OLD_WORDS = `regexp_extract_all(${TEXT}, '[a-z0-9]+')`;
const NEW_WORDS = `list_filter(${wordListSql(TEXT)}, word -> word <> '')`;

/** Stored JSON text exactly as written (NULL for an absent column), input then output. */
const TRICKY: [string | null, string | null][] = [
  ['[{"role":"user","content":"Hello, WORLD!"}]', '{"role":"assistant","content":"x42  y_7--z"}'],
  ['"line\\nbreak\\ttab\\r\\u00e9t\\u00C9 caf\\u00e9"', '"say \\"quoted\\" and back\\\\slash"'],
  ['"café naïve Straße ÉCOLE İstanbul \u212Aelvin ﬁle Ωmega 😀emoji"', '"déjà—vu’s “curly”"'],
  ['"  leading and trailing spaces   "', '"   "'],
  ['[1, 2.5, -3e10, 1234567890123456789]', '{"a":{"b":[true,false,null]}}'],
  ['{}', '[]'],
  ['""', '""'],
  [null, '"only output"'],
  ['"only input"', null],
  [null, null],
  ['"!!!***(((...)))"', '"a"'],
  ['"mixedCASE123abc DEF"', '"tab\\there"'],
  // Raw tabs and newlines can only stand between JSON tokens; inside a string they are escaped.
  ['{"k":"v"}\n', ' {"pretty": [\n  "printed"\n]}'],
];

let pool: DuckDbPool;

async function rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return pool.query(sql, params);
}

beforeAll(async () => {
  pool = await DuckDbPool.open({ path: ':memory:', memoryLimit: '256MB', readers: 1 });
  await pool.write((connection) => migrateDuckDb(connection));
});
afterAll(async () => {
  await pool.close();
});

describe('wordListSql', () => {
  it('gives each stored text the same words, in the same order, as regexp_extract_all', async () => {
    const values = TRICKY.map((_, i) => `(${i}, $${2 * i + 1}::JSON, $${2 * i + 2}::JSON)`).join(', ');
    const params = TRICKY.flat();
    const result = await rows(
      `SELECT n, ${OLD_WORDS} AS old_words, ${NEW_WORDS} AS new_words FROM (VALUES ${values}) t(n, input, output) ORDER BY n`,
      params,
    );
    expect(result).toHaveLength(TRICKY.length);
    for (const row of result) expect(row.new_words, `text ${String(row.n)}`).toEqual(row.old_words);
    // Independently written expectations for a few, so the comparison above cannot pass by
    // both expressions failing alike.
    const words = (n: number): unknown => result.find((row) => row.n === n)?.new_words;
    expect(words(0)).toEqual(['role', 'user', 'content', 'hello', 'world', 'role', 'assistant', 'content', 'x42', 'y', '7', 'z']);
    expect(words(1)).toEqual(['line', 'nbreak', 'ttab', 'r', 'u00e9t', 'u00c9', 'caf', 'u00e9', 'say', 'quoted', 'and', 'back', 'slash']);
    expect(words(3)).toEqual(['leading', 'and', 'trailing', 'spaces']);
    expect(words(6)).toEqual([]);
    expect(words(9)).toEqual([]);
    expect(words(10)).toEqual(['a']);
  });

  it('keeps lowercasing before splitting: a Kelvin sign lowercases to an ASCII k inside a word', async () => {
    const [row] = await rows(`SELECT ${NEW_WORDS} AS words FROM (VALUES ('"\u212Aelvin"'::JSON, NULL::JSON)) t(input, output)`);
    expect(row?.words).toEqual(['kelvin']);
  });
});

describe('searchWords (taken while preparing)', () => {
  /** The distinct words the index's SQL takes from one stored input and output, sorted. */
  async function sqlWords(input: string | null, output: string | null): Promise<string[]> {
    const [row] = await rows(`SELECT list_sort(list_distinct(${NEW_WORDS})) AS words FROM (VALUES ($1::JSON, $2::JSON)) t(input, output)`, [input, output]);
    return row?.words as string[];
  }
  const jsWords = (input: string | null, output: string | null): string[] => searchWords(input, output).split(' ').filter((word) => word !== '').sort();

  it('gives every tricky text the words of the SQL, each once', async () => {
    for (const [input, output] of TRICKY) expect(jsWords(input, output), `${input} / ${output}`).toEqual(await sqlWords(input, output));
    expect(searchWords('"Hello hello HELLO, x42"', '"hello"')).toBe('hello x42');
    expect(searchWords(null, null)).toBe('');
  });

  it('keeps every word of a call with thousands of distinct ones, and starts afresh for the next call', async () => {
    // Past the set's first sizes, so it grows several times within one call.
    const many = JSON.stringify(Array.from({ length: 5_000 }, (_, i) => `Word${i} word${i % 7}`).join(', '));
    const words = jsWords(many, '"tail"');
    expect(words).toEqual(await sqlWords(many, '"tail"'));
    expect(words).toHaveLength(5_001);
    expect(searchWords('"only these"', null)).toBe('only these');
  });

  it('lowercases every code point as DuckDB does: each one between two letters', async () => {
    // Each code point stands between "a" and "b": where DuckDB lowercases it to a letter or a
    // digit it joins them into one word, elsewhere it splits them.
    const pieces: string[] = [];
    for (let code = 0x80; code <= 0x10ffff; code++) if (code < 0xd800 || code > 0xdfff) pieces.push(`a${String.fromCodePoint(code)}b`);
    for (let start = 0; start < pieces.length; start += 50_000) {
      const text = JSON.stringify(pieces.slice(start, start + 50_000).join(' '));
      expect(jsWords(text, null), `from U+${(start + 0x80).toString(16)}`).toEqual(await sqlWords(text, null));
    }
    expect(jsWords(JSON.stringify('a\u0130b a\u212Ab'), null)).toEqual(['aib', 'akb']);
  });
});

describe('indexer postings', () => {
  it('holds, per project, exactly the words regexp_extract_all finds in its calls, with their ids', async () => {
    const repository = new DuckDbCallRepository(pool);
    const contents = ['Hello, WORLD!  x42', 'line\nbreak "quoted" caf\u00e9 \u212Aelvin', '', '***', 'déjà—vu’s mixedCASE123abc'];
    const items = contents.map((content, i) => ({
      id: `w-${i}`, provider: 'openai', model: 'gpt-4o', started_at: Date.UTC(2026, 10, 23) - i * 60_000, latency_ms: 10, prompt_tokens: 1, completion_tokens: 1,
      ...(i === 2 ? {} : { input: [{ role: 'user', content }] }),
      ...(i === 3 ? {} : { output: { role: 'assistant', content: content.toUpperCase() } }),
    }));
    const prepared = prepareCalls(items, { projectId: 'words', apiKeyId: null });
    expect(prepared.invalid).toEqual([]);
    await repository.insertBatch(prepared.writes);
    const index = new CallSearchIndex(pool);
    expect(await index.catchUp()).toBe(contents.length);
    const postings = await rows(`SELECT token, n, list_sort(ids) AS ids FROM call_search_postings WHERE project_id = 'words' ORDER BY token`);
    const expected = await rows(
      `SELECT token, CAST(count(*) AS INTEGER) AS n, list_sort(list(id)) AS ids
       FROM (SELECT DISTINCT id, unnest(${OLD_WORDS}) AS token FROM calls WHERE project_id = 'words')
       GROUP BY token ORDER BY token`,
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(postings).toEqual(expected);
    expect(postings.some((posting) => posting.token === '')).toBe(false);
    expect(postings.find((posting) => posting.token === 'kelvin')?.ids).toEqual(['w-1']);
  });

  it('are complete when a chunk does not fit in DuckDB\'s memory limit: it is indexed in smaller ones', async () => {
    const small = await DuckDbPool.open({ path: ':memory:', memoryLimit: '24MB', threads: 1, readers: 1 });
    try {
      await small.write((connection) => migrateDuckDb(connection));
      const repository = new DuckDbCallRepository(small);
      let seed = 7;
      // A vocabulary of 12,000 words, as text has, each call drawing 300 of them.
      const word = () => `w${((seed = (seed * 48271) % 2147483647) % 12_000).toString(36)}`;
      const expected = new Map<string, Set<string>>();
      for (let start = 0; start < 4_000; start += 500) {
        const items = Array.from({ length: 500 }, (_, i) => {
          const id = `m-${start + i}`;
          const words = Array.from({ length: 300 }, word);
          for (const w of words) expected.set(w, (expected.get(w) ?? new Set()).add(id));
          return { id, provider: 'openai', model: 'gpt-4o', started_at: Date.UTC(2026, 10, 23) + start + i, latency_ms: 1, prompt_tokens: 1, completion_tokens: 1, input: words.join(' ') };
        });
        await repository.insertBatch(prepareCalls(items, { projectId: 'big', apiKeyId: null }).writes);
      }
      const index = new CallSearchIndex(small);
      expect(await index.catchUp()).toBe(4_000);
      // The whole table in one chunk needs more than the limit: the indexer went down to fit.
      expect(index.chunkLimit).toBeLessThan(4_000);
      await small.write((connection) => connection.run(`SET memory_limit = '256MB'`));
      const postings = await small.query<{ token: string; n: number; ids: string[] }>(
        `SELECT token, CAST(sum(n) AS INTEGER) AS n, flatten(list(ids)) AS ids FROM call_search_postings WHERE project_id = 'big' GROUP BY token`,
      );
      expect(postings).toHaveLength(expected.size);
      for (const posting of postings) {
        const ids = expected.get(posting.token);
        expect(posting.n, posting.token).toBe(ids?.size);
        expect(posting.ids.length, posting.token).toBe(ids!.size);
        expect(new Set(posting.ids), posting.token).toEqual(ids);
      }
    } finally {
      await small.close();
    }
  });

  it('are merged day by day, in parts that fit DuckDB\'s memory limit, leaving days that did not grow as they are', async () => {
    const small = await DuckDbPool.open({ path: ':memory:', memoryLimit: '24MB', threads: 1, readers: 1 });
    try {
      await small.write((connection) => migrateDuckDb(connection));
      const repository = new DuckDbCallRepository(small);
      let seed = 11;
      const word = () => `w${((seed = (seed * 48271) % 2147483647) % 12_000).toString(36)}`;
      const expected = new Map<string, Set<string>>();
      const dayA = Date.UTC(2026, 10, 22);
      const dayB = Date.UTC(2026, 10, 23);
      const index = new CallSearchIndex(small);
      const store = async (from: number, to: number, day: number) => {
        for (let start = from; start < to; start += 250) {
          const items = Array.from({ length: 250 }, (_, i) => {
            const id = `g-${start + i}`;
            const words = Array.from({ length: 300 }, word);
            for (const w of words) expected.set(`${day}|${w}`, (expected.get(`${day}|${w}`) ?? new Set()).add(id));
            return { id, provider: 'openai', model: 'gpt-4o', started_at: day + start + i, latency_ms: 1, prompt_tokens: 1, completion_tokens: 1, input: words.join(' ') };
          });
          await repository.insertBatch(prepareCalls(items, { projectId: 'merge', apiKeyId: null }).writes);
          // One indexer run per batch, as a trickle of calls produces: a row per word and run.
          await index.catchUp();
        }
      };
      const limit = (size: string) => small.write((connection) => connection.run(`SET memory_limit = '${size}'`));
      const postingsByDay = async () => {
        // The check's own query reads the whole table: it runs with room to spare.
        await limit('256MB');
        const rows = await small.query<{ day: string; token: string; n: number; ids: string[]; rows: bigint }>(
          `SELECT CAST(date_trunc('day', first_at) AS VARCHAR) AS day, token, CAST(sum(n) AS INTEGER) AS n, flatten(list(ids)) AS ids, count(*) AS rows
           FROM call_search_postings WHERE project_id = 'merge' GROUP BY ALL`,
        );
        await limit('24MB');
        return rows;
      };
      const expectExact = async (mergedDays: number[]) => {
        const rows = await postingsByDay();
        expect(rows).toHaveLength(expected.size);
        for (const row of rows) {
          const day = Date.parse(`${row.day.slice(0, 10)}T00:00:00Z`);
          const ids = expected.get(`${day}|${row.token}`);
          expect(new Set(row.ids), row.token).toEqual(ids);
          expect(row.n, row.token).toBe(ids!.size);
          if (mergedDays.includes(day)) expect(Number(row.rows), row.token).toBe(1);
        }
      };

      await store(0, 3_000, dayA);
      const before = Number((await small.query<{ n: bigint }>('SELECT count(*) AS n FROM call_search_postings'))[0]!.n);
      expect(before).toBeGreaterThan(expected.size * 3);
      // The whole table does not fit in one merge under this limit: it is merged in parts.
      expect(await index.merge()).toBe(expected.size);
      await expectExact([dayA]);

      await store(3_000, 4_000, dayB);
      await expectExact([dayA]);
      // The days the next merge rewrites: the day of each delete of postings it runs (DuckDB's
      // rowids do not tell, a checkpoint may renumber the rows that stay).
      const rewritten: string[] = [];
      const maintain = small.maintain.bind(small);
      small.maintain = (task) => maintain((connection) => {
        const watched = Object.create(connection) as typeof connection;
        watched.run = (sql, values) => {
          if (sql.startsWith('DELETE FROM call_search_postings')) rewritten.push(String((values as unknown[])[0]));
          return connection.run(sql, values);
        };
        return task(watched);
      });
      expect(await index.merge()).toBe(expected.size);
      small.maintain = maintain;
      await expectExact([dayA, dayB]);
      // Day A did not grow, so its rows were not rewritten.
      expect(new Set(rewritten)).toEqual(new Set(['2026-11-23 00:00:00']));
    } finally {
      await small.close();
    }
  });

  it('come from the words a call keeps, not its text, once it keeps them', async () => {
    const repository = new DuckDbCallRepository(pool);
    const item = { id: 'kept-1', provider: 'openai', model: 'gpt-4o', started_at: Date.UTC(2026, 10, 23), latency_ms: 10, prompt_tokens: 1, completion_tokens: 1, input: 'alpha beta alpha', output: 'Gamma' };
    const prepared = prepareCalls([item], { projectId: 'kept', apiKeyId: null }, { searchWords: true });
    expect(prepared.writes[0]!.searchWords).toBe('alpha beta gamma');
    await repository.insertBatch(prepared.writes);
    const [stored] = await rows(`SELECT search_words FROM calls WHERE id = 'kept-1'`);
    expect(stored?.search_words).toBe('alpha beta gamma');
    await pool.write((connection) => connection.run(`UPDATE calls SET search_words = 'delta' WHERE id = 'kept-1'`));
    await new CallSearchIndex(pool).catchUp();
    expect(await rows(`SELECT token, ids FROM call_search_postings WHERE project_id = 'kept'`)).toEqual([{ token: 'delta', ids: ['kept-1'] }]);
  });
});
