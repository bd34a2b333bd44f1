// The end-of-copy check on two real in-memory stores: a missing call is reported by table,
// with both counts, and so is a call whose tokens differ.
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeCall } from '../../domain/normalize-call.js';
import { openDuckDbStore } from '../../store/duckdb/duckdb-store.js';
import type { CallWrite, Store } from '../../store/ports.js';
import { CopyMismatchError } from './copy-store.js';
import { compareStores } from './verify-copy.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function storeWith(calls: Array<{ id: string; tokens: number }>): Promise<Store> {
  const store = await openDuckDbStore({ dataDir: ':memory:', searchIndexIntervalMs: 0 });
  stores.push(store);
  await store.projects.ensure('default', 'default', Date.UTC(2026, 0, 1));
  const writes: CallWrite[] = calls.map(({ id, tokens }) => ({ call: normalizeCall({ id, provider: 'p', model: 'm', prompt_tokens: tokens, cost_usd: 0.25 }, { projectId: 'default', apiKeyId: null }), bodyHash: id }));
  await store.calls.insertBatch(writes);
  return store;
}

describe('compareStores', () => {
  it('finds nothing to report between equal stores', async () => {
    const calls = [{ id: 'a', tokens: 5 }, { id: 'b', tokens: 7 }];
    expect((await compareStores(await storeWith(calls), await storeWith(calls))).mismatches).toEqual([]);
  });

  it('names each table and total that differs, with both figures', async () => {
    const source = await storeWith([{ id: 'a', tokens: 5 }, { id: 'b', tokens: 7 }, { id: 'c', tokens: 1 }]);
    const target = await storeWith([{ id: 'a', tokens: 5 }, { id: 'b', tokens: 9 }]);
    const { mismatches } = await compareStores(source, target);
    expect(mismatches).toEqual([
      { table: 'calls', source: 3, target: 2 },
      { table: 'calls: total tokens', source: 13, target: 14 },
      { table: 'calls: cost (nano-dollars)', source: 750_000_000, target: 500_000_000 },
    ]);
    expect(new CopyMismatchError(mismatches).message).toBe('the copy does not match its source: calls 3 in the source, 2 in the target; calls: total tokens 13 in the source, 14 in the target; calls: cost (nano-dollars) 750000000 in the source, 500000000 in the target');
  });
});
