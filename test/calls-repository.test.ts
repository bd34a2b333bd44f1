// The DuckDB calls repository on a file store: optimistic appends, and recovery when a
// batch larger than one appender chunk (2,048 rows) hits duplicate keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/ports.js';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-calls-repo-'));
  store = await openDuckDbStore({ dataDir: dir });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function writes(from: number, to: number) {
  const items = Array.from({ length: to - from }, (_, i) => ({
    id: `repo-${from + i}`, provider: 'openai', model: 'gpt-4o', prompt_tokens: 10, completion_tokens: 5,
    input: [{ role: 'user', content: `question ${from + i} ${'text '.repeat(100)}` }],
  }));
  return prepareCalls(items, { projectId: 'default', apiKeyId: null }).writes;
}

describe('insertBatch on a file store', () => {
  it('stores new ids, reports repeats as duplicates, and keeps working after a failed optimistic append', async () => {
    expect(new Set(await store.calls.insertBatch(writes(0, 5000)))).toEqual(new Set(['created']));
    const repeat = await store.calls.insertBatch(writes(0, 5000));
    expect(new Set(repeat)).toEqual(new Set(['duplicate']));
    const mixed = await store.calls.insertBatch(writes(2500, 7500));
    expect(mixed.slice(0, 2500).every((outcome) => outcome === 'duplicate')).toBe(true);
    expect(mixed.slice(2500).every((outcome) => outcome === 'created')).toBe(true);
    expect(new Set(await store.calls.insertBatch(writes(7500, 10_000)))).toEqual(new Set(['created']));
    expect(await store.calls.count('default')).toBe(10_000);
    // A row from the third data chunk of its batch (rows 4,096 and on) reads back intact.
    const stored = await store.calls.get('default', 'repo-4321');
    expect(stored?.input).toEqual([{ role: 'user', content: `question 4321 ${'text '.repeat(100)}` }]);
    expect(stored?.total_tokens).toBe(15);
  });
});
