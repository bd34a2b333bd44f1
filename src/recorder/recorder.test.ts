// The recorder against a real in-memory store: group commit, acknowledgement after commit,
// the bounded queue, and draining on shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeCall } from '../domain/normalize-call.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { CallWrite, Store } from '../store/ports.js';
import { QueueFullError, Recorder, RecorderClosedError } from './recorder.js';

let store: Store;
afterEach(async () => {
  await store?.close();
});

function write(id: string): CallWrite {
  return { call: normalizeCall({ id, provider: 'p', model: 'm' }, { projectId: 'default', apiKeyId: null }), bodyHash: id };
}

describe('Recorder', () => {
  it('commits concurrent submissions in shared batches and acknowledges after the commit', async () => {
    store = await openDuckDbStore({ dataDir: ':memory:' });
    const batches: number[] = [];
    const insert = store.calls.insertBatch.bind(store.calls);
    store.calls.insertBatch = (writes) => {
      batches.push(writes.length);
      return insert(writes);
    };
    const recorder = new Recorder(store, { maxBatch: 100, flushIntervalMs: 5, maxQueue: 10_000 });
    const submissions = Array.from({ length: 50 }, (_, i) => recorder.submit([write(`a${i}`), write(`b${i}`)]));
    const outcomes = await Promise.all(submissions);
    expect(outcomes.flat().every((outcome) => outcome === 'created')).toBe(true);
    expect(await store.calls.count('default')).toBe(100);
    expect(batches.length).toBeLessThan(50);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('refuses work beyond the queue bound instead of growing', async () => {
    store = await openDuckDbStore({ dataDir: ':memory:' });
    const recorder = new Recorder(store, { maxBatch: 10, flushIntervalMs: 1000, maxQueue: 100 });
    const first = recorder.submit(Array.from({ length: 100 }, (_, i) => write(`q${i}`)));
    await expect(recorder.submit([write('overflow')])).rejects.toBeInstanceOf(QueueFullError);
    await recorder.drain();
    await first;
    expect(await store.calls.count('default')).toBe(100);
  });

  it('writes everything queued on drain and refuses new work after', async () => {
    store = await openDuckDbStore({ dataDir: ':memory:' });
    const recorder = new Recorder(store, { maxBatch: 1000, flushIntervalMs: 10_000, maxQueue: 10_000 });
    for (let i = 0; i < 250; i++) recorder.record(write(`d${i}`));
    await recorder.drain();
    expect(await store.calls.count('default')).toBe(250);
    await expect(recorder.submit([write('late')])).rejects.toBeInstanceOf(RecorderClosedError);
  });

  it('rejects the waiting submissions when the store fails, so nothing is acknowledged', async () => {
    store = await openDuckDbStore({ dataDir: ':memory:' });
    store.calls.insertBatch = () => Promise.reject(new Error('disk on fire'));
    const recorder = new Recorder(store, { maxBatch: 10, flushIntervalMs: 1, maxQueue: 100 });
    await expect(recorder.submit([write('x')])).rejects.toThrow('disk on fire');
  });
});
