// An export on DuckDB hands its freed memory back after every page (SET memory_limit on a
// reader connection) while other connections write and read: exports, ingestion and
// analytics must all keep going, and every acknowledged call must be stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/domain/call-record.js';
import { overview } from '../src/analytics/overview.js';
import { exportCallsStream } from '../src/export/export-calls.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { CallWrite, Store } from '../src/store/ports.js';

const P = 'beside';
const RUN_MS = 6_000;

function call(i: number, startedAt: number): CallRecord {
  return {
    id: `bw-${i}`, request_id: `bw-${i}`, project_id: P, trace_id: null, parent_id: null, started_at: startedAt, ended_at: null, latency_ms: 100 + (i % 900),
    ttft_ms: null, tokens_per_second: null, provider: 'openai', model: ['m1', 'm2'][i % 2]!, response_model: null, endpoint: null, is_streaming: false,
    finish_reason: 'stop', params: null, status: 'success', http_status: 200, error_type: null, error_message: null, prompt_tokens: 10, completion_tokens: 5,
    total_tokens: 15, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: 0.001, input_cost_usd: null,
    output_cost_usd: null, price_source: 'catalog', is_fallback: false, original_provider: null, attempt: 1, cache_hit: false, tool_calls_count: 0,
    api_key_id: null, user_id: `u-${i % 50}`, session_id: `s-${i % 400}`, agent: null, conversation_name: null, account_id: null, tags: [], properties: {},
    confidence: null, signal: null, input: [{ role: 'user', content: `question ${i} ${'about the quarterly figures '.repeat(8)}` }],
    output: { role: 'assistant', content: `answer ${i} ${'the figures hold '.repeat(6)}` },
  };
}

const write = (c: CallRecord): CallWrite => ({ call: c, bodyHash: c.id, clientId: true });

describe('exports beside writes and reads on DuckDB', () => {
  let dir: string;
  let store: Store;
  const start = Date.now() - 3_600_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loupe-export-beside-'));
    store = await openDuckDbStore({ dataDir: dir, memoryLimit: '512MB' });
    await store.projects.ensure(P, 'Beside');
    for (let i = 0; i < 6_000; i += 1_000) await store.calls.insertBatch(Array.from({ length: 1_000 }, (_, k) => write(call(i + k, start + i + k))));
  });
  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every export, write and read finishes, and every acknowledged call is stored', async () => {
    const end = Date.now() + RUN_MS;
    let next = 6_000;
    const exported: number[] = [];
    let reads = 0;
    await Promise.all([
      (async () => {
        while (Date.now() < end) {
          const batch = Array.from({ length: 250 }, (_, k) => call(next + k, start + next + k));
          next += 250;
          expect(new Set(await store.calls.insertBatch(batch.map(write)))).toEqual(new Set(['created']));
        }
      })(),
      (async () => {
        while (Date.now() < end) {
          let bytes = 0;
          // Small pages: many releases per export.
          for await (const chunk of exportCallsStream(store.sql, { filters: { projectId: P, from: start, to: start + 6_000 }, format: 'ndjson', includeContent: true, pageSize: 200 })) bytes += (chunk as Buffer).length;
          exported.push(bytes);
        }
      })(),
      (async () => {
        while (Date.now() < end) {
          await overview(store.sql, { projectId: P, from: start - 60_000 });
          reads++;
        }
      })(),
    ]);
    // The exported range holds the first 6,000 calls only: every export is the same bytes.
    expect(exported.length).toBeGreaterThan(1);
    expect(new Set(exported).size).toBe(1);
    expect(reads).toBeGreaterThan(0);
    expect(await store.calls.count(P)).toBe(next);
  }, 60_000);
});
