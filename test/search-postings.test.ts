// The indexer's posting query (postingsSql) against the formulation it replaced, which
// deduplicated every (call, word) pair of the stored text before grouping: the same rows,
// column for column (ids compared as sets), over several projects, words repeated inside a
// call, shared and absent content, and words on both sides of the MAX_CANDIDATES limit on kept
// ids; for calls whose words were taken while preparing and for calls stored without them
// (gateway calls, rows older than the words), alone and mixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import { DuckDbCallRepository } from '../src/store/duckdb/calls-repository.js';
import { DuckDbPool } from '../src/store/duckdb/connection-pool.js';
import { migrateDuckDb } from '../src/store/duckdb/migrations.js';
import { CallSearchIndex, MAX_CANDIDATES, postingsSql, wordListSql } from '../src/store/duckdb/search-index.js';

/** The posting query as it was before postingsSql: DISTINCT (project, id, time, word), then GROUP BY. */
function formerPostingsSql(source: string): string {
  return `SELECT project_id, token, min(started_at) AS first_at, max(started_at) AS last_at, count(*) AS n,
      CASE WHEN count(*) <= ${MAX_CANDIDATES} THEN list(id) ELSE [] END AS ids
    FROM (
      SELECT DISTINCT project_id, id, started_at, token FROM (
        SELECT project_id, id, started_at,
          unnest(${wordListSql("lower(concat_ws(' ', CAST(input AS VARCHAR), CAST(output AS VARCHAR)))")}) AS token
        FROM ${source}
      ) WHERE token <> ''
    )
    GROUP BY project_id, token`;
}

const canonical = (sql: string): string =>
  `SELECT project_id, token, first_at, last_at, CAST(n AS INTEGER) AS n, list_sort(ids) AS ids FROM (${sql}) ORDER BY project_id, token`;

let pool: DuckDbPool;
/** The batches written, as submitted, to write them again elsewhere. */
const batches: { project: string; items: Record<string, unknown>[] }[] = [];
/** Calls per project and marker word, counted as the items are written (markers are in the input only). */
const markerCalls = new Map<string, number>();

beforeAll(async () => {
  pool = await DuckDbPool.open({ path: ':memory:', memoryLimit: '512MB', readers: 1 });
  await pool.write((connection) => migrateDuckDb(connection));
  const repository = new DuckDbCallRepository(pool);
  let seed = 99;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const vocabulary = ['alpha', 'beta', 'gamma', 'delta', 'Epsilon', 'zeta', 'eta42', 'theta', 'iota', 'kappa', 'x', 'café', 'déjà-vu'];
  const start = Date.UTC(2026, 10, 1);
  for (const [project, calls] of [['big', 4_100], ['small', 300], ['other', 50]] as const) {
    const items = Array.from({ length: calls }, (_, i) => {
      const words = Array.from({ length: 3 + Math.floor(random() * 12) }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);
      // "common" in every call (past the id limit in "big"), "limit" in exactly MAX_CANDIDATES
      // calls and "over" in one more, each repeated inside its calls.
      if (i < MAX_CANDIDATES) words.push('limit', 'LIMIT');
      if (i <= MAX_CANDIDATES) words.push('over over');
      words.push('common', 'Common.');
      const hasInput = i % 17 !== 3 || (project === 'big' && i <= MAX_CANDIDATES);
      if (hasInput) for (const marker of new Set(words.filter((word) => ['limit', 'over over', 'common'].includes(word)))) {
        const key = `${project}/${marker.split(' ')[0]!}`;
        markerCalls.set(key, (markerCalls.get(key) ?? 0) + 1);
      }
      return {
        id: `${project}-${i}`, provider: 'openai', model: 'gpt-4o', started_at: start + Math.floor(random() * 20 * 86_400_000), latency_ms: 5,
        prompt_tokens: 1, completion_tokens: 1,
        ...(!hasInput ? {} : { input: [{ role: 'user', content: words.join(' ') }] }),
        ...(i % 13 === 5 ? {} : { output: { role: 'assistant', content: `${words.slice(0, 3).join(', ')}! ${i}` } }),
      };
    });
    for (let offset = 0; offset < items.length; offset += 1_000) batches.push({ project, items: items.slice(offset, offset + 1_000) });
  }
  // Words taken while preparing for some batches; the others are stored without them, as the
  // gateway's calls are, and their text is read.
  for (const [i, { project, items }] of batches.entries()) {
    const prepared = prepareCalls(items, { projectId: project, apiKeyId: null }, { searchWords: i % 2 === 0 });
    expect(prepared.invalid).toEqual([]);
    expect(prepared.writes.every((write) => (write.searchWords !== undefined) === (i % 2 === 0))).toBe(true);
    await repository.insertBatch(prepared.writes);
  }
});
afterAll(async () => {
  await pool.close();
});

describe('postingsSql', () => {
  it('gives exactly the postings of the former DISTINCT-then-GROUP BY query', { timeout: 60_000 }, async () => {
    const worded = batches.filter((_, i) => i % 2 === 0).reduce((sum, batch) => sum + batch.items.length, 0);
    const [{ stored }] = (await pool.query(`SELECT count(*) AS stored FROM calls WHERE search_words IS NOT NULL`)) as [{ stored: bigint }];
    expect(Number(stored)).toBe(worded);
    expect(worded).toBeGreaterThan(1_000);
    expect(worded).toBeLessThan(4_450);
    const former = await pool.query(canonical(formerPostingsSql('calls')));
    const only = async (where: string) => pool.query(canonical(postingsSql('calls', where)));
    // Each kind alone, then both together.
    expect(await only('search_words IS NOT NULL')).toEqual(await pool.query(canonical(formerPostingsSql('calls WHERE search_words IS NOT NULL'))));
    expect(await only('search_words IS NULL')).toEqual(await pool.query(canonical(formerPostingsSql('calls WHERE search_words IS NULL'))));
    const current = await only('true');
    expect(current.length).toBeGreaterThan(40);
    expect(current).toEqual(former);
    // Independently known rows, so equality cannot come from both queries failing alike.
    const posting = (project: string, token: string) => current.find((row) => row.project_id === project && row.token === token);
    const limit = markerCalls.get('big/limit')!;
    const over = markerCalls.get('big/over')!;
    expect([limit, over]).toEqual([MAX_CANDIDATES, MAX_CANDIDATES + 1]);
    expect(posting('big', 'over')).toMatchObject({ n: over, ids: [] });
    expect(posting('big', 'common')).toMatchObject({ n: markerCalls.get('big/common'), ids: [] });
    expect(posting('big', 'limit')).toMatchObject({ n: limit });
    expect((posting('big', 'limit')!.ids as string[]).length).toBe(limit);
    expect(posting('small', 'over')).toMatchObject({ n: markerCalls.get('small/over') });
    expect((posting('other', 'common')!.ids as string[]).length).toBe(markerCalls.get('other/common'));
    expect(current.some((row) => row.token === '')).toBe(false);
  });

  it('is what the indexer writes', { timeout: 60_000 }, async () => {
    const index = new CallSearchIndex(pool);
    expect(await index.catchUp()).toBe(4_450);
    const written = await pool.query(canonical(`SELECT * FROM call_search_postings`));
    const former = await pool.query(canonical(formerPostingsSql('calls')));
    expect(written).toEqual(former);
  });
});
