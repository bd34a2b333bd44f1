// The recorder and the outage spool on a real in-memory store whose connection is made to fail
// the way an unreachable PostgreSQL does: gateway records go to the spool and are stored once
// the store answers again; awaited submissions are refused, never acknowledged; a full spool
// drops records and says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeCall } from '../domain/normalize-call.js';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { CallWrite, Store } from '../store/ports.js';
import { OutageSpool } from './outage-spool.js';
import { Recorder } from './recorder.js';

let store: Store | null = null;
const directories: string[] = [];
afterEach(async () => {
  await store?.close();
  store = null;
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function write(id: string): CallWrite {
  return { call: normalizeCall({ id, provider: 'openai', model: 'gpt-4o', completion_tokens: 2 }, { projectId: 'default', apiKeyId: null }), bodyHash: '', clientId: false };
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

/** A real store whose connection can be cut: every call fails as an unreachable server's would. */
async function cuttableStore(): Promise<{ store: Store; cut: { now: boolean } }> {
  const real = await openDuckDbStore({ dataDir: ':memory:', searchIndexIntervalMs: 0 });
  store = real;
  const cut = { now: false };
  const insert = real.calls.insertBatch.bind(real.calls);
  const ping = real.ping.bind(real);
  real.calls.insertBatch = (writes) => (cut.now ? Promise.reject(refused()) : insert(writes));
  (real as { ping: () => Promise<void> }).ping = () => (cut.now ? Promise.reject(refused()) : ping());
  return { store: real, cut };
}

function logged() {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await check()).toBe(true);
}

function directory(): string {
  const path = mkdtempSync(join(tmpdir(), 'loupe-spool-unit-'));
  directories.push(path);
  return join(path, 'spool');
}

describe('Recorder with an outage spool', () => {
  it('spools gateway records while the store is cut, refuses awaited ones, and stores the spooled ones once when it is back', async () => {
    const { store: real, cut } = await cuttableStore();
    const { lines, log } = logged();
    const stored: string[] = [];
    const spool = new OutageSpool(real, { directory: directory(), maxBytes: 1 << 20, replayBatch: 2, probeIntervalMs: 20, onStored: (calls) => stored.push(...calls.map((call) => call.id)), log });
    const recorder = new Recorder(real, { maxBatch: 100, flushIntervalMs: 0, maxQueue: 1000 }, {}, spool);
    recorder.record(write('before'));
    await recorder.settled();

    cut.now = true;
    for (const id of ['g1', 'g2', 'g3']) recorder.record(write(id));
    await recorder.settled();
    expect(spool.stats()).toMatchObject({ state: 'outage', records: 3 });
    await expect(recorder.submit([write('ingested')])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    recorder.record(write('g4'));
    await recorder.settled();
    expect(spool.stats().records).toBe(4);
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([expect.stringContaining('store unavailable (connect ECONNREFUSED')]);

    cut.now = false;
    await until(() => spool.stats().state === 'ok' && spool.stats().records === 0);
    expect(stored).toEqual(['g1', 'g2', 'g3', 'g4']);
    expect(await real.calls.count('default')).toBe(5);
    expect(await real.calls.get('default', 'ingested')).toBeNull();
    expect(lines.at(-1)).toEqual({ level: 'info', message: 'spool: stored 4 of 4 spooled call records' });
    await recorder.drain();
    await spool.close();
  });

  it('reports once a call whose commit landed while its answer was lost to the outage', async () => {
    const { store: real, cut } = await cuttableStore();
    const { log } = logged();
    const stored: string[] = [];
    const committed: string[] = [];
    const spool = new OutageSpool(real, { directory: directory(), maxBytes: 1 << 20, replayBatch: 10, probeIntervalMs: 20, onStored: (calls) => stored.push(...calls.map((call) => call.id)), log });
    const recorder = new Recorder(real, { maxBatch: 100, flushIntervalMs: 0, maxQueue: 1000 }, { onCommitted: (calls) => committed.push(...calls.map((call) => call.id)) }, spool);
    // The next commit reaches the store, then the connection drops before its answer arrives.
    const insert = real.calls.insertBatch.bind(real.calls);
    real.calls.insertBatch = async (writes) => {
      real.calls.insertBatch = insert;
      await insert(writes);
      cut.now = true;
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    };
    recorder.record(write('landed'));
    await recorder.settled();
    expect(spool.stats()).toMatchObject({ state: 'outage', records: 1 });
    recorder.record(write('spooled'));
    await recorder.settled();

    cut.now = false;
    await until(() => spool.stats().state === 'ok' && spool.stats().records === 0);
    expect(committed).toEqual([]);
    expect(stored).toEqual(['landed', 'spooled']);
    expect(await real.calls.count('default')).toBe(2);
    await recorder.drain();
    await spool.close();
  });

  it('drops what does not fit in a full spool, counts it and logs it', async () => {
    const { store: real, cut } = await cuttableStore();
    const { lines, log } = logged();
    const one = Buffer.byteLength(`${JSON.stringify({ bodyHash: '', call: write('d0').call })}\n`);
    // The first record's write fails and starts the outage, so it is spooled marked as attempted.
    const attempted = Buffer.byteLength(',"attempted":true');
    const spool = new OutageSpool(real, { directory: directory(), maxBytes: one * 2 + attempted, replayBatch: 10, probeIntervalMs: 60_000, log });
    const recorder = new Recorder(real, { maxBatch: 100, flushIntervalMs: 0, maxQueue: 1000 }, {}, spool);
    cut.now = true;
    for (const id of ['d0', 'd1', 'd2', 'd3', 'd4']) recorder.record(write(id));
    await recorder.settled();
    expect(spool.stats()).toMatchObject({ records: 2, dropped: 3 });
    expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([expect.stringMatching(/^spool full \(\d+ bytes at .*\): 3 gateway call records were not recorded \(3 since start\)$/)]);
    await recorder.drain();
    await spool.close();
  });
});
