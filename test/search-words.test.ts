// The indexer's word extraction (wordListSql) against the regexp_extract_all expression it
// replaced, on stored JSON text chosen to break a split-based extraction: escapes (\n, \u00e9,
// \"), non-ASCII letters whose lowercase is ASCII, runs of spaces, punctuation at both ends,
// digits, empty and NULL input or output; then the postings the indexer writes for such calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import { DuckDbCallRepository } from '../src/store/duckdb/calls-repository.js';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { migrateDuckDb } from '../src/store/duckdb/migrations.js';
import { CallSearchIndex, wordListSql } from '../src/store/duckdb/search-index.js';

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
});
