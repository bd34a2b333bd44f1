// The DuckDB store on its worker thread: errors raised in the worker reach callers as the same
// classes and classifications, close answers everything asked before it, and a worker that is
// gone fails requests as an unavailable store (the recorder spools gateway calls) instead of
// leaving them unanswered.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeCall } from '../../domain/normalize-call.js';
import { OutageSpool } from '../../recorder/outage-spool.js';
import { Recorder } from '../../recorder/recorder.js';
import { InvalidCursorError } from '../call-row.js';
import { openDuckDbStore, StoreLockedError } from '../duckdb/duckdb-store.js';
import type { CallWrite } from '../ports.js';
import { isStoreUnavailable } from '../store-errors.js';
import { StoreWorkerStoppedError, WorkerDuckDbStore } from './worker-store.js';

const opened: WorkerDuckDbStore[] = [];
const directories: string[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function open(dataDir = ':memory:', memoryLimit?: string): Promise<WorkerDuckDbStore> {
  const store = await WorkerDuckDbStore.open({ dataDir, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0, ...(memoryLimit ? { memoryLimit } : {}) });
  opened.push(store);
  return store;
}

function directory(): string {
  const path = mkdtempSync(join(tmpdir(), 'loupe-store-worker-'));
  directories.push(path);
  return path;
}

function write(id: string, promptTokens = 10): CallWrite {
  return { call: normalizeCall({ id, provider: 'openai', model: 'gpt-4o', prompt_tokens: promptTokens, completion_tokens: 2, input: [{ role: 'user', content: `q ${id}` }] }, { projectId: 'default', apiKeyId: null }), bodyHash: `h-${id}`, clientId: true };
}

describe('DuckDB store on a worker thread', () => {
  it('stores and reads back a call as the in-process store does', async () => {
    const store = await open();
    const call = write('round-trip', 37);
    expect(await store.calls.insertBatch([call, { ...write('round-trip', 38), bodyHash: 'another body' }, write('round-trip', 37)])).toEqual(['created', 'conflict', 'duplicate']);
    const stored = await store.calls.get('default', 'round-trip');
    expect(stored).toMatchObject({ id: 'round-trip', prompt_tokens: 37, completion_tokens: 2, total_tokens: 39, input: [{ role: 'user', content: 'q round-trip' }], started_at: call.call.started_at });
    expect(await store.sql.query<{ n: number }>('SELECT count(*) AS n FROM calls WHERE prompt_tokens = $1', [37])).toEqual([{ n: 1 }]);
  });

  it('raises errors from the worker with the class, code and message callers test', async () => {
    const store = await open();
    const cursor = store.calls.list({ filters: { projectId: 'default' }, sort: 'started_at', order: 'desc', limit: 10, cursor: 'not-a-cursor' });
    await expect(cursor).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(cursor).rejects.toThrow('cursor is not a cursor returned by this API');

    const binder = await store.sql.query('SELECT no_such_column FROM calls').catch((error: unknown) => error);
    expect(binder).toBeInstanceOf(Error);
    expect((binder as Error).message).toMatch(/^Binder Error: .*no_such_column/);
    expect(isStoreUnavailable(binder)).toBe(false);
  });

  it('classifies DuckDB running out of memory in the worker as an unavailable store', async () => {
    const store = await open(':memory:', '16MB');
    const error = await store.sql.query('SELECT string_agg(range::VARCHAR, \',\') AS s FROM range(20000000)').catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/^Out of Memory Error:/);
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it('refuses a file another process holds with StoreLockedError', async () => {
    const dataDir = directory();
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `
      import { DuckDBInstance } from '@duckdb/node-api';
      const instance = await DuckDBInstance.create(${JSON.stringify(join(dataDir, 'loupe.duckdb'))});
      console.log('held');
      setInterval(() => instance, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.on('data', (data: Buffer) => data.toString().includes('held') && resolve()));
      const attempt = WorkerDuckDbStore.open({ dataDir, searchIndexIntervalMs: 0 });
      await expect(attempt).rejects.toBeInstanceOf(StoreLockedError);
      await expect(attempt).rejects.toThrow(/is held by another Loupe process/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('answers every write asked before close, and they are in the file afterwards', async () => {
    const dataDir = directory();
    const store = await WorkerDuckDbStore.open({ dataDir, searchIndexIntervalMs: 0 });
    const batches = Array.from({ length: 20 }, (_, batch) => store.calls.insertBatch(Array.from({ length: 50 }, (_, i) => write(`drain-${batch}-${i}`))));
    const closing = store.close();
    await expect(store.calls.count('default')).rejects.toBeInstanceOf(StoreWorkerStoppedError);
    const outcomes = await Promise.all(batches);
    await closing;
    expect(outcomes.flat()).toEqual(Array(1000).fill('created'));
    const reopened = await openDuckDbStore({ dataDir, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
    try {
      expect(await reopened.calls.count('default')).toBe(1000);
    } finally {
      await reopened.close();
    }
  });

  it('fails requests as an unavailable store once the worker has died, without leaving any unanswered', async () => {
    const store = await open();
    await store.calls.insertBatch([write('before')]);
    const underWay = store.sql.query('SELECT count(*) AS n FROM range(100000000000) a').catch((error: unknown) => error);
    await store.terminateWorker();
    const failed = await underWay;
    expect(failed).toBeInstanceOf(StoreWorkerStoppedError);
    expect(isStoreUnavailable(failed)).toBe(true);
    const later = await store.calls.count('default').catch((error: unknown) => error);
    expect(isStoreUnavailable(later)).toBe(true);
    await store.close();
  });

  it('sends gateway calls to the outage spool when the worker dies', async () => {
    const store = await open();
    const spool = new OutageSpool(store, { directory: join(directory(), 'spool'), maxBytes: 1 << 20, replayBatch: 10, probeIntervalMs: 60_000, log: { info: () => undefined, warn: () => undefined, error: () => undefined } });
    const recorder = new Recorder(store, { maxBatch: 100, flushIntervalMs: 0, maxQueue: 1000 }, {}, spool);
    recorder.record(write('stored'));
    await recorder.settled();
    await store.terminateWorker();
    for (const id of ['g1', 'g2', 'g3']) recorder.record(write(id));
    await recorder.settled();
    expect(spool.stats()).toMatchObject({ state: 'outage', records: 3 });
    await expect(recorder.submit([write('ingested')])).rejects.toBeInstanceOf(StoreWorkerStoppedError);
    await recorder.drain();
    await spool.close();
  });
});
