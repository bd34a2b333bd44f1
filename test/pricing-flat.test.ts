// The direct pricing path against the catalog's own calcPrice, for every model of every
// catalog provider: the same three amounts to the last bit, the same refusals and the same
// unpriced outcomes, over random usage vectors, tier thresholds and price-set start dates.
import { waitForUpdate, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { catalogEntry, catalogModel, catalogPrice, catalogPriceGeneric, type CatalogPrice, type CatalogUsage } from '../src/pricing/catalog.js';
import { priceCall } from '../src/pricing/price-call.js';
import type { CallRecord } from '../src/domain/call-record.js';

type Outcome = { price: CatalogPrice | null } | { error: string };

function outcome(price: () => CatalogPrice | null): Outcome {
  try {
    return { price: price() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

let seed = 20261123;
const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const below = (limit: number): number => Math.floor(random() * limit);

/** Tier starts and price-set start dates of a model, so vectors land on both sides of each. */
function thresholds(model: ModelInfo): { tiers: number[]; dates: number[] } {
  const sets = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
  const tiers = new Set<number>();
  const dates = new Set<number>();
  for (const set of sets) {
    for (const rate of Object.values(set.prices)) if (rate && typeof rate === 'object') for (const tier of rate.tiers) tiers.add(tier.start);
    const start = (set as { constraint?: { start_date?: string } }).constraint?.start_date;
    if (start) dates.add(new Date(start).getTime());
  }
  return { tiers: [...tiers], dates: [...dates] };
}

function usageVector(tiers: number[]): CatalogUsage {
  const shape = below(6);
  const input = shape === 0 ? 0 : tiers.length > 0 && shape === 1 ? tiers[below(tiers.length)]! + below(3) - 1 : below(shape === 2 ? 2_000_000 : 150_000);
  const cacheRead = below(3) === 0 ? 0 : below(input + 1);
  const cacheWrite = below(3) === 0 ? 0 : below(input - cacheRead + 1);
  // Now and then more cached than input: calcPrice refuses some of those, the direct path must too.
  const overflow = below(20) === 0 ? 1 + below(1000) : 0;
  return { input: Math.max(0, input), cacheRead: cacheRead + overflow, cacheWrite, output: below(4) === 0 ? 0 : below(40_000) };
}

function timestamp(dates: number[]): number {
  if (dates.length > 0 && below(2) === 0) return dates[below(dates.length)]! + below(3) - 1;
  return Date.UTC(2023, 0, 1) + below(4 * 365 * 24 * 3600) * 1000 + below(1000);
}

describe('direct catalog pricing equals calcPrice', () => {
  it('for every catalog model: 100 random usage vectors each, amounts equal to the bit, refusals alike', async () => {
    const providers = (await waitForUpdate()) as Provider[];
    let models = 0;
    let direct = 0;
    let compared = 0;
    let refused = 0;
    for (const provider of providers) {
      for (const model of provider.models) {
        models++;
        const entry = catalogEntry(provider, model);
        if (entry.flat) direct++;
        const { tiers, dates } = thresholds(model);
        for (let i = 0; i < 100; i++) {
          const usage = usageVector(tiers);
          const at = timestamp(dates);
          const generic = outcome(() => catalogPriceGeneric(entry, usage, new Date(at)));
          const fast = outcome(() => catalogPrice(entry, usage, at));
          if ('error' in generic) refused++;
          if (JSON.stringify(fast) !== JSON.stringify(generic)) {
            expect({ provider: provider.id, model: model.id, usage, at, fast }).toEqual({ provider: provider.id, model: model.id, usage, at, fast: generic });
          }
          // JSON would print -0 as 0; the amounts must be the very same numbers.
          if ('price' in fast && fast.price && 'price' in generic && generic.price) {
            expect(Object.is(fast.price.totalUsd, generic.price.totalUsd) && Object.is(fast.price.inputUsd, generic.price.inputUsd)
              && Object.is(fast.price.outputUsd, generic.price.outputUsd)).toBe(true);
          }
          compared++;
        }
      }
    }
    expect(models).toBeGreaterThan(1000);
    expect(compared).toBe(models * 100);
    // The point of the direct path: nearly every model takes it (time-of-day prices do not).
    expect(direct / models).toBeGreaterThan(0.9);
    expect(refused).toBeGreaterThan(0);
  });

  it('prices calls by their Loupe names the same way: cost, split and price_source (or unpriced)', async () => {
    const providers = (await waitForUpdate()) as Provider[];
    const names: [string, string][] = [['fireworks', 'accounts/fireworks/models/gpt-oss-20b'], ['bedrock', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'], ['openai', 'gpt-4o'], ['anthropic', 'claude-sonnet-4-5'], ['gemini', 'gemini-2.5-pro'], ['acme-labs', 'acme-reasoner-1'], ['openrouter', 'no-such-model']];
    for (const provider of providers) for (const model of provider.models.slice(0, 8)) names.push([provider.id, model.id]);
    let priced = 0;
    for (const [provider, model] of names) {
      for (let i = 0; i < 20; i++) {
        const usage = usageVector([200_000]);
        usage.cacheRead = Math.min(usage.cacheRead, usage.input - usage.cacheWrite);
        const at = timestamp([]);
        const call = { provider, model, started_at: at, prompt_tokens: usage.input, cached_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite, completion_tokens: usage.output } as CallRecord;
        const entry = catalogModel(provider, model);
        const expected = entry ? outcome(() => catalogPriceGeneric(entry, usage, new Date(at))) : { price: null };
        const actual = outcome(() => {
          priceCall(call);
          return call.cost_usd === null ? null : { inputUsd: call.input_cost_usd!, outputUsd: call.output_cost_usd!, totalUsd: call.cost_usd };
        });
        expect({ provider, model, usage, actual }).toEqual({ provider, model, usage, actual: expected });
        if ('price' in actual) {
          expect(call.price_source).toBe(actual.price ? 'catalog' : 'unpriced');
          if (actual.price) priced++;
        }
      }
    }
    expect(priced).toBeGreaterThan(names.length * 10);
  });

  it('prices a model by the name it was called, when the catalog id does not match the model\'s own rule', () => {
    // Fireworks gpt-oss-20b: $0.07/M input, $0.035/M cached input, $0.30/M output; its rule
    // matches "accounts/fireworks/models/gpt-oss-20b", not the catalog id "gpt-oss-20b".
    const call = { provider: 'fireworks', model: 'accounts/fireworks/models/gpt-oss-20b', started_at: Date.UTC(2026, 5, 1), prompt_tokens: 1_000_000, cached_tokens: 400_000, cache_write_tokens: 0, completion_tokens: 100_000 } as CallRecord;
    priceCall(call);
    expect(call.price_source).toBe('catalog');
    expect(call.cost_usd).toBeCloseTo(0.6 * 0.07 + 0.4 * 0.035 + 0.1 * 0.3, 12);
    const regional = { provider: 'bedrock', model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', started_at: Date.UTC(2026, 5, 1), prompt_tokens: 1000, cached_tokens: 0, cache_write_tokens: 0, completion_tokens: 1000 } as CallRecord;
    priceCall(regional);
    expect(regional.price_source).toBe('catalog');
    expect(regional.cost_usd! > 0).toBe(true);
  });
});
