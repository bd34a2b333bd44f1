// Ingested calls priced end to end: every stored row equals an independent exact computation
// from the published prices, and the cost views' totals equal the sum of the stored rows,
// with unpriced calls and their tokens reported apart rather than as $0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe.each(['duckdb', 'postgres'] as const)('stored costs on %s', (engine) => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    // A local model server under a custom name: its type, not its name, makes it local.
    server = await startTestServer({ providers: [{ name: 'gpu-box', type: 'vllm', base_url: 'http://127.0.0.1:9/v1' }] }, engine);
    key = await server.createKey('totals', ['read', 'ingest']);
  });
  afterAll(async () => {
    await server.close();
  });

  /** Published USD per 1M tokens (input, cache read, cache write, output), written by hand. */
  const PRICES = {
    'gpt-4o': { provider: 'openai', input: 2.5, cacheRead: 1.25, cacheWrite: null, output: 10 },
    'gpt-4o-mini': { provider: 'openai', input: 0.15, cacheRead: 0.075, cacheWrite: null, output: 0.6 },
    'claude-sonnet-4-20250514': { provider: 'anthropic', input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 },
  } as const;
  type PricedModel = keyof typeof PRICES;

  /** Exact cost in pico-dollars (1e-12 USD): tokens × micro-dollars per 1M tokens. */
  const pico = (tokens: number, perMillion: number) => BigInt(tokens) * BigInt(Math.round(perMillion * 1e6));

  interface Generated { id: string; body: Record<string, unknown>; expectedPico: bigint | null; tokens: number; local: boolean }

  function generate(count: number): Generated[] {
    let seed = 7;
    const random = (below: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * below);
    const now = Date.now();
    const models = [...Object.keys(PRICES), 'acme-unknown-1', 'llama3.1:8b'];
    return Array.from({ length: count }, (_, i) => {
      const model = models[i % models.length]!;
      const input = random(60_000);
      const output = random(8000);
      const id = `tot-${i}`;
      const startedAt = new Date(now - 60_000 - i * 1000).toISOString();
      if (model === 'acme-unknown-1') return { id, body: { id, provider: 'acme', model, prompt_tokens: input, completion_tokens: output, started_at: startedAt }, expectedPico: null, tokens: input + output, local: false };
      if (model === 'llama3.1:8b') return { id, body: { id, provider: 'ollama', model, prompt_tokens: input, completion_tokens: output, latency_ms: 5000, started_at: startedAt }, expectedPico: 0n, tokens: input + output, local: true };
      const price = PRICES[model as PricedModel];
      const cacheRead = random(input + 1);
      const cacheWrite = price.cacheWrite === null ? 0 : random(input - cacheRead + 1);
      const reasoning = random(output + 1);
      const expectedPico = pico(input - cacheRead - cacheWrite, price.input) + pico(cacheRead, price.cacheRead) + pico(cacheWrite, price.cacheWrite ?? 0) + pico(output, price.output);
      return {
        id, expectedPico, tokens: input + output, local: false,
        body: { id, provider: price.provider, model, prompt_tokens: input, cached_tokens: cacheRead, cache_write_tokens: cacheWrite, completion_tokens: output, reasoning_tokens: reasoning, started_at: startedAt },
      };
    });
  }

  describe('stored costs and their totals', () => {
    it('prices 500 ingested calls exactly, and the savings totals equal the stored rows', async () => {
      const calls = generate(500);
      const ingested = await server.request('POST', '/api/v1/calls', { key, body: calls.map((call) => call.body) });
      expect(ingested.statusCode, ingested.body).toBe(200);

      const stored = new Map<string, { cost_usd: number | null; price_source: string }>();
      let cursor: string | null = null;
      do {
        const page = (await server.request('GET', `/api/v1/logs?days=2&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key })).json();
        for (const row of page.data) stored.set(row.id, row);
        cursor = page.next_cursor;
      } while (cursor);
      expect(stored.size).toBe(500);

      let storedSum = 0;
      for (const call of calls) {
        const row = stored.get(call.id)!;
        if (call.expectedPico === null) {
          expect([row.cost_usd, row.price_source]).toEqual([null, 'unpriced']);
          continue;
        }
        expect(Math.abs(row.cost_usd! - Number(call.expectedPico) / 1e12), call.id).toBeLessThan(1e-9);
        storedSum += row.cost_usd!;
      }

      const savings = (await server.request('GET', '/api/v1/analytics/savings?days=2', { key })).json();
      expect(Math.abs(savings.total_cost_usd - storedSum)).toBeLessThan(1e-9);
      const exactTotal = calls.reduce((sum, call) => sum + (call.expectedPico ?? 0n), 0n);
      expect(Math.abs(savings.total_cost_usd - Number(exactTotal) / 1e12)).toBeLessThan(1e-9);
      const unpriced = calls.filter((call) => call.expectedPico === null);
      expect(savings.unpriced_requests).toBe(unpriced.length);
      expect(savings.unpriced_tokens).toBe(unpriced.reduce((sum, call) => sum + call.tokens, 0));
      expect(savings.total_requests).toBe(500);
      expect(savings.local_requests).toBe(calls.filter((call) => call.local).length);
      expect(savings.total_tokens).toBe(calls.reduce((sum, call) => sum + call.tokens, 0));
      expect(savings.providers.reduce((sum: number, row: { actual_cost_usd: number }) => sum + row.actual_cost_usd, 0)).toBeCloseTo(storedSum, 9);
    });
  });

  describe('local providers under a custom name', () => {
    it('prices a configured local provider by electricity and counts it as local in savings', async () => {
      const local = await server.createKey('custom-local', ['admin']);
      // By its name alone this would be unpriced; on our own box it costs electricity only.
      await server.request('POST', '/api/v1/calls', { key: local, body: { id: 'gpu-1', provider: 'gpu-box', model: 'meta-llama/Llama-3.1-8B-Instruct', prompt_tokens: 1000, completion_tokens: 1000, latency_ms: 20_000 } });
      const free = (await server.request('GET', '/api/v1/logs/gpu-1', { key: local })).json();
      expect([free.cost_usd, free.price_source]).toEqual([0, 'local']);
      await server.request('POST', '/api/v1/cost-settings', { key: local, body: { model: 'meta-llama/Llama-3.1-8B-Instruct', electricity_cost_per_hour: 0.72 } });
      await server.request('POST', '/api/v1/calls', { key: local, body: { id: 'gpu-2', provider: 'gpu-box', model: 'meta-llama/Llama-3.1-8B-Instruct', prompt_tokens: 1000, completion_tokens: 1000, latency_ms: 20_000 } });
      const rated = (await server.request('GET', '/api/v1/logs/gpu-2', { key: local })).json();
      expect([rated.cost_usd, rated.price_source]).toEqual([expect.closeTo(0.72 * 20 / 3600, 12), 'local']);
      const savings = (await server.request('GET', '/api/v1/analytics/savings?days=1', { key: local })).json();
      expect([savings.local_requests, savings.remote_requests, savings.providers[0].provider_type]).toEqual([2, 0, 'local']);
    });
  });
});
