// Costs at ingestion: golden cases computed by hand from the providers' published prices,
// and a property test against an independent exact computation from the catalog's table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogModel } from '../src/pricing/catalog.js';
import { priceCall } from '../src/pricing/price-call.js';
import type { CallRecord } from '../src/domain/call-record.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function ingest(record: Record<string, unknown>) {
  const response = await server.request('POST', '/api/v1/calls', { body: { started_at: '2026-06-01T12:00:00Z', ...record } });
  expect(response.statusCode, response.body).toBe(201);
  return (await server.request('GET', `/api/v1/logs/${record.id as string}`)).json() as Record<string, unknown>;
}

describe('golden costs', () => {
  it('OpenAI gpt-4o: cached input at the cached rate, reasoning billed once as output', async () => {
    // $2.50/M input, $1.25/M cached input, $10/M output (openai.com/api/pricing).
    const call = await ingest({ id: 'price-openai', provider: 'openai', model: 'gpt-4o', prompt_tokens: 1000, cached_tokens: 400, completion_tokens: 200, reasoning_tokens: 50 });
    expect(call.input_cost_usd).toBeCloseTo(600 * 2.5e-6 + 400 * 1.25e-6, 12);
    expect(call.output_cost_usd).toBeCloseTo(200 * 10e-6, 12);
    expect(call.cost_usd).toBeCloseTo(0.004, 12);
    expect(call.price_source).toBe('catalog');
  });

  it('Anthropic claude-sonnet-4: cache reads and writes at their own rates, each counted once', async () => {
    // $3/M input, $0.30/M cache read, $3.75/M cache write (5 min), $15/M output.
    const call = await ingest({ id: 'price-anthropic', provider: 'anthropic', model: 'claude-sonnet-4-20250514', prompt_tokens: 3500, cached_tokens: 2000, cache_write_tokens: 500, completion_tokens: 300 });
    expect(call.input_cost_usd).toBeCloseTo(1000 * 3e-6 + 2000 * 0.3e-6 + 500 * 3.75e-6, 12);
    expect(call.cost_usd).toBeCloseTo(0.005475 + 0.0045, 12);
  });

  it('a tiered model: past 200k input tokens every token is billed at the long-context rate', async () => {
    // claude-sonnet-4-5: $3 → $6/M input and $15 → $22.50/M output above 200k input tokens.
    const call = await ingest({ id: 'price-tiered', provider: 'anthropic', model: 'claude-sonnet-4-5', prompt_tokens: 250_000, completion_tokens: 1000 });
    expect(call.cost_usd).toBeCloseTo(250_000 * 6e-6 + 1000 * 22.5e-6, 12);
    const below = await ingest({ id: 'price-tiered-below', provider: 'anthropic', model: 'claude-sonnet-4-5', prompt_tokens: 150_000, completion_tokens: 1000 });
    expect(below.cost_usd).toBeCloseTo(150_000 * 3e-6 + 1000 * 15e-6, 12);
  });

  it('a local model costs its electricity (none set: zero, marked local)', async () => {
    const call = await ingest({ id: 'price-local', provider: 'ollama', model: 'llama3.1:8b', prompt_tokens: 100, completion_tokens: 100, latency_ms: 90_000 });
    expect([call.cost_usd, call.price_source]).toEqual([0, 'local']);
    const record = { provider: 'ollama', model: 'llama3.1:8b', latency_ms: 90_000 } as CallRecord;
    priceCall(record, { electricityPerHour: () => 0.2 });
    expect(record.cost_usd).toBeCloseTo(0.2 * 90 / 3600, 12);
  });

  it('billed as the model that answered when the catalog knows it, else as the model asked for', async () => {
    // gpt-4o asked, its May 2024 snapshot answered: $5/M input, $15/M output, not gpt-4o's $2.50 / $10.
    const snapshot = await ingest({ id: 'price-snapshot', provider: 'openai', model: 'gpt-4o', response_model: 'gpt-4o-2024-05-13', prompt_tokens: 1000, completion_tokens: 200 });
    expect(snapshot.cost_usd).toBeCloseTo(1000 * 5e-6 + 200 * 15e-6, 12);
    // An Azure deployment named by its owner, answered by gpt-4o-mini: $0.15/M input, $0.60/M output.
    const deployment = await ingest({ id: 'price-deployment', provider: 'azure', model: 'support-bot-prod', response_model: 'gpt-4o-mini-2024-07-18', prompt_tokens: 2000, completion_tokens: 500 });
    expect([deployment.price_source, deployment.model]).toEqual(['catalog', 'support-bot-prod']);
    expect(deployment.cost_usd).toBeCloseTo(2000 * 0.15e-6 + 500 * 0.6e-6, 12);
    // An answering name no catalog lists leaves the model asked for to price the call.
    const unlisted = await ingest({ id: 'price-unlisted-answer', provider: 'openai', model: 'gpt-4o', response_model: 'acme-finetune-7', prompt_tokens: 1000, completion_tokens: 200 });
    expect(unlisted.cost_usd).toBeCloseTo(1000 * 2.5e-6 + 200 * 10e-6, 12);
    const neither = await ingest({ id: 'price-neither', provider: 'azure', model: 'support-bot-prod', response_model: 'acme-finetune-7', prompt_tokens: 1000, completion_tokens: 200 });
    expect([neither.cost_usd, neither.price_source]).toEqual([null, 'unpriced']);
  });

  it('an unknown model is unpriced with a null cost, never $0; a reported cost is kept', async () => {
    const call = await ingest({ id: 'price-unknown', provider: 'acme-labs', model: 'acme-reasoner-1', prompt_tokens: 100, completion_tokens: 100 });
    expect([call.cost_usd, call.input_cost_usd, call.price_source]).toEqual([null, null, 'unpriced']);
    const reported = await ingest({ id: 'price-reported', provider: 'acme-labs', model: 'acme-reasoner-1', cost_usd: 0.0123 });
    expect(reported.cost_usd).toBe(0.0123);
  });
});

/** Exact cost in units of 1e-12 USD: tokens × (price per million in micro-dollars). */
function exactPicoUsd(tokens: number, pricePerMillion: number): bigint {
  return BigInt(tokens) * BigInt(Math.round(pricePerMillion * 1e6));
}

describe('property: catalog prices equal an independent exact computation', () => {
  it('holds for 10,000 random usage vectors to 1e-9 USD', () => {
    const models = [['openai', 'gpt-4o'], ['openai', 'gpt-4o-mini'], ['anthropic', 'claude-sonnet-4-20250514'], ['anthropic', 'claude-3-5-haiku-20241022']] as const;
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 10_000; i++) {
      const [provider, model] = models[i % models.length]!;
      const table = catalogModel(provider, model)!.model.prices as Record<string, number>;
      const input = Math.floor(random() * 150_000);
      const cacheRead = table.cache_read_mtok ? Math.floor(random() * input) : 0;
      const cacheWrite = table.cache_write_mtok ? Math.floor(random() * (input - cacheRead)) : 0;
      const output = Math.floor(random() * 20_000);
      const call = { provider, model, started_at: Date.UTC(2026, 5, 1), prompt_tokens: input, cached_tokens: cacheRead, cache_write_tokens: cacheWrite, completion_tokens: output } as CallRecord;
      priceCall(call);
      const pico = exactPicoUsd(input - cacheRead - cacheWrite, table.input_mtok!) + exactPicoUsd(cacheRead, table.cache_read_mtok ?? 0)
        + exactPicoUsd(cacheWrite, table.cache_write_mtok ?? 0) + exactPicoUsd(output, table.output_mtok!);
      expect(Math.abs(call.cost_usd! - Number(pico) / 1e12)).toBeLessThan(1e-9);
    }
  });
});
