// /metrics: what the instance recorded, by provider and model, against figures recomputed here
// from the calls sent (counts by status, tokens, cost, unpriced calls, cache hits, and the
// latency and time-to-first-token histograms); a retried call is counted once; a server that
// asks for a key refuses scrapers without a read key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

interface Sent {
  id: string; provider: string; model: string; status: 'success' | 'error' | 'timeout'; prompt_tokens: number; completion_tokens: number;
  cached_tokens: number; reasoning_tokens: number; latency_ms: number; ttft_ms?: number; cost_usd?: number; cache_hit?: boolean;
}

// gpt-4o is priced from the catalog; in-house-model has no price.
const calls: Sent[] = Array.from({ length: 40 }, (_, index) => ({
  id: `m-${index}`,
  provider: index % 4 === 3 ? 'acme' : 'openai',
  model: index % 4 === 3 ? 'in-house-model' : 'gpt-4o',
  status: index % 7 === 0 ? 'error' : index % 11 === 0 ? 'timeout' : 'success',
  prompt_tokens: 100 + index * 13,
  completion_tokens: 10 + index * 3,
  cached_tokens: index % 5 === 0 ? 50 : 0,
  reasoning_tokens: index % 6 === 0 ? 5 : 0,
  // 0.05 s to 160 s: every latency bucket and past the last one.
  latency_ms: Math.round(50 * 1.23 ** index),
  ...(index % 3 === 0 ? { ttft_ms: 30 + index * 40 } : {}),
  ...(index % 9 === 1 ? { cache_hit: true } : {}),
}));

type Series = Map<string, number>;
/** Samples of the exposition text, keyed by name and sorted labels. */
function parse(text: string): Series {
  const samples: Series = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => `${name}=${value}`).sort().join(',');
    samples.set(`${match[1]}{${labels}}`, Number(match[3]));
  }
  return samples;
}
const key = (name: string, labels: Record<string, string>) => `${name}{${Object.entries(labels).map(([n, v]) => `${n}=${v}`).sort().join(',')}}`;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('GET /metrics', () => {
  let server: TestServer;
  let samples: Series;
  let stored: { id: string; cost_usd: number | null }[];

  beforeAll(async () => {
    server = await startTestServer();
    const body = calls.map((call) => ({ ...call, started_at: new Date(Date.now() - 60_000).toISOString() }));
    expect((await server.request('POST', '/api/v1/calls', { body })).statusCode).toBe(200);
    // The same records again: stored once, counted once.
    expect((await server.request('POST', '/api/v1/calls', { body: body.slice(0, 10) })).statusCode).toBe(200);
    stored = ((await server.request('GET', '/api/v1/logs?hours=1&limit=100')).json() as { data: { id: string; cost_usd: number | null }[] }).data;
    const scraped = await server.request('GET', '/metrics');
    expect(scraped.statusCode).toBe(200);
    expect(scraped.headers['content-type']).toContain('text/plain');
    samples = parse(scraped.body);
  });
  afterAll(async () => server?.close());

  it('counts the calls by provider, model and status, and their tokens', () => {
    for (const [provider, model] of [['openai', 'gpt-4o'], ['acme', 'in-house-model']] as const) {
      const mine = calls.filter((call) => call.model === model);
      for (const status of ['success', 'error', 'timeout']) {
        const expected = mine.filter((call) => call.status === status).length;
        expect(samples.get(key('loupe_calls_total', { provider, model, status })) ?? 0, `${model} ${status}`).toBe(expected);
      }
      expect(samples.get(key('loupe_tokens_total', { provider, model, kind: 'prompt' }))).toBe(sum(mine.map((call) => call.prompt_tokens)));
      expect(samples.get(key('loupe_tokens_total', { provider, model, kind: 'completion' }))).toBe(sum(mine.map((call) => call.completion_tokens)));
      expect(samples.get(key('loupe_tokens_total', { provider, model, kind: 'cached' }))).toBe(sum(mine.map((call) => call.cached_tokens)));
      expect(samples.get(key('loupe_tokens_total', { provider, model, kind: 'reasoning' }))).toBe(sum(mine.map((call) => call.reasoning_tokens)));
      expect(samples.get(key('loupe_cache_hits_total', { provider, model }))).toBe(mine.filter((call) => call.cache_hit).length);
    }
  });

  it('sums the cost of priced calls and counts the unpriced ones apart', () => {
    const cost = (model: string) => sum(stored.filter((row) => calls.find((call) => call.id === row.id)!.model === model && row.cost_usd !== null).map((row) => row.cost_usd!));
    expect(samples.get(key('loupe_cost_usd_total', { provider: 'openai', model: 'gpt-4o' }))).toBeCloseTo(cost('gpt-4o'), 9);
    expect(samples.get(key('loupe_cost_usd_total', { provider: 'openai', model: 'gpt-4o' }))).toBeGreaterThan(0);
    expect(samples.get(key('loupe_unpriced_calls_total', { provider: 'openai', model: 'gpt-4o' }))).toBe(0);
    expect(samples.get(key('loupe_unpriced_calls_total', { provider: 'acme', model: 'in-house-model' }))).toBe(calls.filter((call) => call.model === 'in-house-model').length);
    expect(samples.get(key('loupe_cost_usd_total', { provider: 'acme', model: 'in-house-model' }))).toBe(0);
  });

  it('gives latency and time to first token as cumulative histograms in seconds', () => {
    const mine = calls.filter((call) => call.model === 'gpt-4o');
    const labels = { provider: 'openai', model: 'gpt-4o' };
    for (const bound of [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]) {
      expect(samples.get(key('loupe_call_latency_seconds_bucket', { ...labels, le: String(bound) })), `le ${bound}`).toBe(mine.filter((call) => call.latency_ms / 1000 <= bound).length);
    }
    expect(samples.get(key('loupe_call_latency_seconds_bucket', { ...labels, le: '+Inf' }))).toBe(mine.length);
    expect(samples.get(key('loupe_call_latency_seconds_count', labels))).toBe(mine.length);
    expect(samples.get(key('loupe_call_latency_seconds_sum', labels))).toBeCloseTo(sum(mine.map((call) => call.latency_ms / 1000)), 9);
    const streamed = mine.filter((call) => call.ttft_ms !== undefined);
    for (const bound of [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]) {
      expect(samples.get(key('loupe_time_to_first_token_seconds_bucket', { ...labels, le: String(bound) })), `ttft le ${bound}`).toBe(streamed.filter((call) => call.ttft_ms! / 1000 <= bound).length);
    }
    expect(samples.get(key('loupe_time_to_first_token_seconds_count', labels))).toBe(streamed.length);
  });
});

describe('GET /metrics on a server that asks for a key', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ metrics_require_key: true });
  });
  afterAll(async () => server?.close());

  it('answers a read key only', async () => {
    const anonymous = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    const ingest = await server.createKey('default', ['ingest']);
    expect((await server.request('GET', '/metrics', { key: ingest })).statusCode).toBe(403);
    const reader = await server.createKey('default', ['read']);
    const scraped = await server.request('GET', '/metrics', { key: reader });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('loupe_recorder_pending_records');
  });
});
