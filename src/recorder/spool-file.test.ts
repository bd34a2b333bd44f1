// The spool file on disk and its replay into a real (in-memory) store: order kept, the size
// bound exact and reported, a torn last line repaired, and a replay cut short by a crash
// completed later without storing anything twice.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeCall } from '../domain/normalize-call.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/ports.js';
import { OutageSpool } from './outage-spool.js';
import { readSegment, SpoolFile, type SpooledRecord } from './spool-file.js';

const directories: string[] = [];
let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function spoolDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'loupe-spool-test-'));
  directories.push(directory);
  return join(directory, 'spool');
}

function record(id: string): SpooledRecord {
  return { call: normalizeCall({ id, provider: 'openai', model: 'gpt-4o', prompt_tokens: 3 }, { projectId: 'default', apiKeyId: null }), bodyHash: '' };
}

const lineBytes = (item: SpooledRecord) => Buffer.byteLength(`${JSON.stringify({ bodyHash: item.bodyHash, call: item.call })}\n`);

async function readAll(path: string): Promise<{ ids: string[]; skipped: number }> {
  const skipped = { lines: 0 };
  const ids: string[] = [];
  for await (const chunk of readSegment(path, 3, skipped)) ids.push(...chunk.records.map((item) => item.call.id));
  return { ids, skipped: skipped.lines };
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('SpoolFile', () => {
  it('keeps records in order across appends and seals them into segments, oldest first', async () => {
    const spool = new SpoolFile(spoolDirectory(), 1 << 20);
    await spool.append([record('a'), record('b')]);
    await spool.append([record('c')]);
    const first = await spool.seal();
    await spool.append([record('d')]);
    const both = await spool.seal();
    expect(both).toHaveLength(2);
    expect(both[0]).toBe(first[0]);
    expect((await readAll(both[0]!)).ids).toEqual(['a', 'b', 'c']);
    expect((await readAll(both[1]!)).ids).toEqual(['d']);
    expect(spool.size).toEqual({ records: 4, bytes: ['a', 'b', 'c', 'd'].map((id) => lineBytes(record(id))).reduce((a, b) => a + b) });
    await spool.close();
  });

  it('refuses what exceeds its bound and says how many records it dropped', async () => {
    const one = lineBytes(record('r0'));
    const spool = new SpoolFile(spoolDirectory(), one * 3 + 1);
    expect(await spool.append([record('r0'), record('r1')])).toEqual({ written: 2, dropped: 0 });
    expect(await spool.append([record('r2'), record('r3'), record('r4')])).toEqual({ written: 1, dropped: 2 });
    expect(await spool.append([record('r5')])).toEqual({ written: 0, dropped: 1 });
    expect(spool.size).toEqual({ records: 3, bytes: one * 3 });
    await spool.close();
  });

  it('cuts a torn last line left by a crash mid-append, so the next record starts on its own line', async () => {
    const directory = spoolDirectory();
    const before = new SpoolFile(directory, 1 << 20);
    await before.append([record('x1'), record('x2')]);
    await before.close();
    const intact = statSync(join(directory, 'spool.jsonl')).size;
    const torn = '{"bodyHash":"","call":{"id":"x3","proj';
    appendFileSync(join(directory, 'spool.jsonl'), torn);

    const after = new SpoolFile(directory, 1 << 20);
    expect(after.recover()).toBe(torn.length);
    expect(statSync(join(directory, 'spool.jsonl')).size).toBe(intact);
    expect(after.size.records).toBe(2);
    await after.append([record('x4')]);
    const [segment] = await after.seal();
    expect(await readAll(segment!)).toEqual({ ids: ['x1', 'x2', 'x4'], skipped: 0 });
    await after.close();
  });

  it('skips a torn or unreadable line in a segment instead of failing the replay', async () => {
    const directory = spoolDirectory();
    const spool = new SpoolFile(directory, 1 << 20);
    await spool.append([record('y1')]);
    const [segment] = await spool.seal();
    appendFileSync(segment!, 'not json\n{"bodyHash":"","call":{"id":"y2"');
    expect(await readAll(segment!)).toEqual({ ids: ['y1'], skipped: 2 });
    await spool.close();
  });
});

describe('OutageSpool replay', () => {
  it('stores every spooled record once, in order, and deletes the segments; a replay cut short is finished without doubles', async () => {
    store = await openDuckDbStore({ dataDir: ':memory:', searchIndexIntervalMs: 0 });
    const directory = spoolDirectory();
    const records = Array.from({ length: 25 }, (_, i) => record(`call-${String(i).padStart(2, '0')}`));
    const file = new SpoolFile(directory, 1 << 20);
    await file.append(records);
    await file.close();
    // A previous run crashed after storing the first 10 of its replay.
    await store.calls.insertBatch(records.slice(0, 10).map((item) => ({ call: item.call, bodyHash: item.bodyHash, clientId: true })));

    const announced: string[] = [];
    const spool = new OutageSpool(store, { directory, maxBytes: 1 << 20, replayBatch: 4, probeIntervalMs: 1000, onStored: (calls) => announced.push(...calls.map((call) => call.id)), log: silent });
    spool.start();
    expect(spool.stats().records).toBe(25);
    await spool.replay();
    expect(await store.calls.count('default')).toBe(25);
    expect(announced).toEqual(records.slice(10).map((item) => item.call.id));
    expect(spool.stats()).toMatchObject({ state: 'ok', records: 0, bytes: 0, dropped: 0 });
    expect(readdirSync(directory)).toEqual([]);
    const stored = await store.calls.get('default', 'call-17');
    expect([stored?.prompt_tokens, stored?.model]).toEqual([3, 'gpt-4o']);
    await spool.close();
  });
});
