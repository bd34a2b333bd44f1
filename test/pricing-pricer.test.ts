// The Pricer (what ingestion and the gateway call): cost settings over the catalog, local
// electricity, unpriced models, provider flavours, and the worst case budgets reserve.
// Expected figures come from the providers' published prices, written out here by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../src/domain/call-record.js';
import { normalizeCall } from '../src/domain/normalize-call.js';
import { catalogModel } from '../src/pricing/catalog.js';
import { CostSettings } from '../src/pricing/cost-settings.js';
import { createPricer, type Pricer } from '../src/pricing/pricer.js';
import { countO200k } from '../src/pricing/token-count.js';
import { worstCaseCost } from '../src/budgets/worst-case.js';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/ports.js';

let store: Store;
let settings: CostSettings;
let pricer: Pricer;

beforeAll(async () => {
  store = await openDuckDbStore({ dataDir: ':memory:' });
  settings = await CostSettings.load(store.priceOverrides);
  pricer = createPricer(settings);
});
afterAll(async () => {
  await store.close();
});

function priced(fields: Record<string, unknown>, projectId = 'p'): CallRecord {
  const call = normalizeCall({ provider: 'openai', model: 'gpt-4o', started_at: '2026-06-01T12:00:00Z', ...fields }, { projectId, apiKeyId: null });
  pricer.priceCall(call);
  return call;
}

const setting = (model: string, fields: Record<string, number | null>, projectId = 'p') => settings.set({
  project_id: projectId, model, cost_per_1k_input_tokens: null, cost_per_1k_output_tokens: null, electricity_cost_per_hour: null, updated_at: Date.now(), ...fields,
});

describe('Pricer.priceCall', () => {
  it('prices provider flavours from the catalog: OpenRouter and Mistral names map to their catalog ids', () => {
    // OpenRouter openai/gpt-4o: $2.50 / $10 per 1M; Mistral mistral-large-latest: $2 / $6 per 1M.
    const routed = priced({ provider: 'openrouter', model: 'openai/gpt-4o', prompt_tokens: 4000, completion_tokens: 1000 });
    expect([routed.cost_usd, routed.price_source]).toEqual([expect.closeTo(4000 * 2.5e-6 + 1000 * 10e-6, 12), 'catalog']);
    const mistral = priced({ provider: 'mistral', model: 'mistral-large-latest', prompt_tokens: 10_000, completion_tokens: 2000 });
    expect(mistral.input_cost_usd).toBeCloseTo(10_000 * 2e-6, 12);
    expect(mistral.output_cost_usd).toBeCloseTo(2000 * 6e-6, 12);
  });

  it('lets a project cost setting win over the catalog, for that project only', async () => {
    await setting('gpt-4o', { cost_per_1k_input_tokens: 0.004, cost_per_1k_output_tokens: 0.012 });
    const call = priced({ prompt_tokens: 1500, cached_tokens: 500, completion_tokens: 250, reasoning_tokens: 100 });
    // A setting has one input rate: all 1,500 prompt tokens, 250 output tokens (reasoning inside).
    expect([call.input_cost_usd, call.output_cost_usd, call.price_source]).toEqual([expect.closeTo(1.5 * 0.004, 12), expect.closeTo(0.25 * 0.012, 12), 'override']);
    expect(call.cost_usd).toBeCloseTo(0.006 + 0.003, 12);
    const elsewhere = priced({ prompt_tokens: 1500, cached_tokens: 500, completion_tokens: 250 }, 'other-project');
    expect([elsewhere.cost_usd, elsewhere.price_source]).toEqual([expect.closeTo(1000 * 2.5e-6 + 500 * 1.25e-6 + 250 * 10e-6, 12), 'catalog']);
    await settings.delete('p', 'gpt-4o');
    expect(priced({ prompt_tokens: 1000, completion_tokens: 0 }).price_source).toBe('catalog');
  });

  it('costs a local model its electricity for the call duration; none set costs zero, marked local', async () => {
    const unset = priced({ provider: 'ollama', model: 'qwen2.5:14b', prompt_tokens: 500, completion_tokens: 500, latency_ms: 45_000 });
    expect([unset.cost_usd, unset.input_cost_usd, unset.price_source]).toEqual([0, null, 'local']);
    await setting('qwen2.5:14b', { electricity_cost_per_hour: 0.48 });
    const rated = priced({ provider: 'ollama', model: 'qwen2.5:14b', prompt_tokens: 500, completion_tokens: 500, latency_ms: 45_000 });
    expect([rated.cost_usd, rated.price_source]).toEqual([expect.closeTo(0.48 * 45 / 3600, 12), 'local']);
    // Token prices set for a local model without an electricity rate are used as such.
    await setting('llama3.1:70b', { cost_per_1k_input_tokens: 0.001, cost_per_1k_output_tokens: 0.002 });
    const tokenPriced = priced({ provider: 'vllm', model: 'llama3.1:70b', prompt_tokens: 2000, completion_tokens: 1000, latency_ms: 1000 });
    expect([tokenPriced.cost_usd, tokenPriced.price_source]).toEqual([expect.closeTo(0.002 + 0.002, 12), 'override']);
  });

  it('leaves an unknown model unpriced with null costs, and a reported cost as reported', () => {
    const unknown = priced({ provider: 'acme', model: 'acme-9000', prompt_tokens: 100, completion_tokens: 100 });
    expect([unknown.cost_usd, unknown.input_cost_usd, unknown.output_cost_usd, unknown.price_source]).toEqual([null, null, null, 'unpriced']);
    const reported = priced({ prompt_tokens: 100, completion_tokens: 100, cost_usd: 0.77 });
    expect([reported.cost_usd, reported.price_source]).toEqual([0.77, 'reported']);
  });
});

describe('Pricer.worstCaseCostUsd', () => {
  it('prices the whole prompt plus max output at catalog rates', () => {
    expect(pricer.worstCaseCostUsd({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 1200, maxOutputTokens: 800 })).toBeCloseTo(1200 * 0.15e-6 + 800 * 0.6e-6, 12);
  });

  it('assumes an Anthropic prompt may be written to the cache, which costs more than plain input', () => {
    // claude-sonnet-4: $3.75 per 1M cache-write tokens against $3 input; $15 output.
    expect(pricer.worstCaseCostUsd({ provider: 'anthropic', model: 'claude-sonnet-4-20250514', promptTokens: 10_000, maxOutputTokens: 2000 }))
      .toBeCloseTo(10_000 * 3.75e-6 + 2000 * 15e-6, 12);
  });

  it('reserves the thinking a request asks for without a cap on top of the default answer, and only the cap when there is one', () => {
    const body = (fields: Record<string, unknown>) => ({ projectId: 'p', provider: 'anthropic', model: 'claude-sonnet-4-20250514', timeoutMs: 60_000, body: { messages: 'Hi', ...fields } });
    const prompt = countO200k('Hi');
    // $3.75/M (a prompt that may be written to the cache) and $15/M output.
    const cost = (output: number) => prompt * 3.75e-6 + output * 15e-6;
    expect(worstCaseCost(body({}), settings)).toBeCloseTo(cost(4096), 12);
    expect(worstCaseCost(body({ reasoning_effort: 'high' }), settings)).toBeCloseTo(cost(4096 + 16_384), 12);
    expect(worstCaseCost(body({ thinking: { type: 'enabled', budget_tokens: 5000 } }), settings)).toBeCloseTo(cost(4096 + 5000), 12);
    expect(worstCaseCost(body({ reasoning_effort: 'high', max_completion_tokens: 3000 }), settings)).toBeCloseTo(cost(3000), 12);
    expect(worstCaseCost(body({ reasoning_effort: 'none' }), settings)).toBeCloseTo(cost(4096), 12);
    expect(worstCaseCost(body({ reasoning_effort: 'constructor' }), settings)).toBeCloseTo(cost(4096), 12);
  });

  it("uses the project's settings, bills local models for the longest they may run, and is null when unpriced", async () => {
    await setting('house-13b', { cost_per_1k_input_tokens: 0.01, cost_per_1k_output_tokens: 0.02 }, 'wc');
    expect(pricer.worstCaseCostUsd({ projectId: 'wc', provider: 'in-house', model: 'house-13b', promptTokens: 3000, maxOutputTokens: 500 })).toBeCloseTo(0.03 + 0.01, 12);
    expect(pricer.worstCaseCostUsd({ provider: 'in-house', model: 'house-13b', promptTokens: 3000, maxOutputTokens: 500 })).toBeNull();
    await setting('mixtral:8x7b', { electricity_cost_per_hour: 0.9 }, 'wc');
    expect(pricer.worstCaseCostUsd({ projectId: 'wc', provider: 'ollama', model: 'mixtral:8x7b', promptTokens: 10, maxOutputTokens: 10, maxDurationMs: 120_000 })).toBeCloseTo(0.9 * 120 / 3600, 12);
  });
});

type Rate = number | { base: number; tiers: { start: number; price: number }[] };

/** Per-1M price for a field, the tier chosen by the call's total input tokens (as published). */
function rateAt(rate: Rate | undefined, inputTokens: number): number {
  if (rate === undefined) return 0;
  if (typeof rate === 'number') return rate;
  return rate.tiers.filter((tier) => inputTokens > tier.start).at(-1)?.price ?? rate.base;
}

describe('property: tiered catalog prices equal an independent exact computation', () => {
  it('holds for 10,000 random usage vectors on both sides of the 200k tier, to 1e-9 USD', () => {
    const models = [['anthropic', 'claude-sonnet-4-5'], ['google', 'gemini-2.5-pro']] as const;
    let seed = 99;
    const random = (below: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * below);
    const pico = (tokens: number, perMillion: number) => BigInt(tokens) * BigInt(Math.round(perMillion * 1e6));
    for (let i = 0; i < 10_000; i++) {
      const [provider, model] = models[i % models.length]!;
      const table = catalogModel(provider, model)!.model.prices as Record<string, Rate>;
      const input = random(400_000);
      const cacheRead = random(input + 1);
      const cacheWrite = table.cache_write_mtok ? random(input - cacheRead + 1) : 0;
      const output = random(30_000);
      const call = priced({ provider, model, prompt_tokens: input, cached_tokens: cacheRead, cache_write_tokens: cacheWrite, completion_tokens: output }, 'property');
      const exact = pico(input - cacheRead - cacheWrite, rateAt(table.input_mtok, input)) + pico(cacheRead, rateAt(table.cache_read_mtok, input))
        + pico(cacheWrite, rateAt(table.cache_write_mtok, input)) + pico(output, rateAt(table.output_mtok, input));
      expect(Math.abs(call.cost_usd! - Number(exact) / 1e12)).toBeLessThan(1e-9);
    }
  });
});
