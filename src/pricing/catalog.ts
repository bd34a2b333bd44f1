// The bundled price catalog (@pydantic/genai-prices, no network at run time), resolved once
// per provider and model: matching a model against the whole catalog costs ~20 µs, pricing
// against the one resolved model ~10 µs through calcPrice, and a fraction of a microsecond
// through the model's rates compiled to direct arithmetic (flat-price.ts), which ingestion
// uses for every record it can.
import { calcPrice, findProvider, type ModelInfo, type ModelPrice, type Provider } from '@pydantic/genai-prices';
import { compileFlatPricer, type FlatPricer } from './flat-price.js';

/** Loupe provider names whose catalog id differs. */
const PROVIDER_IDS: Readonly<Record<string, string>> = {
  gemini: 'google',
  'google-ai': 'google',
  vertex: 'google',
  bedrock: 'aws',
  'azure-openai': 'azure',
  xai: 'x-ai',
  'together-ai': 'together',
};

export interface CatalogModel {
  providerId: string;
  model: ModelInfo;
  /**
   * The name calcPrice matches the model by: the caller's, since a model's own id need not
   * match its rule (AWS regional and Fireworks "accounts/…" models do not).
   */
  matchName: string;
  /** The provider narrowed to this one model, so calcPrice skips matching. */
  narrowed: Provider;
  /** The model's prices as direct arithmetic; null when only calcPrice can price it. */
  flat: FlatPricer | null;
}

const MAX_CACHED = 10_000;
const resolved = new Map<string, CatalogModel | null>();

function resolve(provider: string, model: string): CatalogModel | null {
  const known = findProvider({ providerId: PROVIDER_IDS[provider] ?? provider });
  // A provider the catalog does not list (a gateway, a custom deployment) is matched by model name.
  const probe = known
    ? calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { provider: known })
    : calcPrice({ input_tokens: 1, output_tokens: 1 }, model);
  return probe ? catalogEntry(probe.provider, probe.model, model) : null;
}

/** One model of one catalog provider, ready to price calls that name it `matchName`. */
export function catalogEntry(provider: Provider, model: ModelInfo, matchName = model.id): CatalogModel {
  const narrowed = { ...provider, models: [model] };
  // Whether calcPrice prices this model with these very rates (its own id may not match its
  // match rule, or match through a fallback provider) and accepts them at all.
  const accepted = (prices: ModelPrice): boolean => {
    try {
      return calcPrice({ input_tokens: 0, output_tokens: 0 }, matchName, { provider: { ...narrowed, models: [{ ...model, prices }] } })?.model_price === prices;
    } catch {
      return false;
    }
  };
  return { providerId: provider.id, model, matchName, narrowed, flat: compileFlatPricer(model, accepted) };
}

export function catalogModel(provider: string, model: string): CatalogModel | null {
  const key = `${provider}\u0000${model}`;
  let entry = resolved.get(key);
  if (entry === undefined) {
    entry = resolve(provider, model);
    if (resolved.size >= MAX_CACHED) resolved.clear();
    resolved.set(key, entry);
  }
  return entry;
}

export interface CatalogUsage {
  /** All input tokens, cache reads and writes included. */
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** All output tokens, reasoning included (billed as output). */
  output: number;
}

export interface CatalogPrice {
  inputUsd: number;
  outputUsd: number;
  totalUsd: number;
}

/** The price of a call at `atMs` (epoch milliseconds, which decides dated price sets). */
export function catalogPrice(entry: CatalogModel, usage: CatalogUsage, atMs: number): CatalogPrice | null {
  return entry.flat?.price(usage, atMs) ?? catalogPriceGeneric(entry, usage, new Date(atMs));
}

/** The same price through calcPrice's generic unit model, for whatever the direct path declines. */
export function catalogPriceGeneric(entry: CatalogModel, usage: CatalogUsage, at: Date): CatalogPrice | null {
  const result = calcPrice(
    { input_tokens: usage.input, cache_read_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite, output_tokens: usage.output },
    entry.matchName,
    { provider: entry.narrowed, timestamp: at },
  );
  return result ? { inputUsd: result.input_price, outputUsd: result.output_price, totalUsd: result.total_price } : null;
}

/** Catalog providers listed by GET /api/v1/pricing/models (the catalog has no list call). */
const LISTED_PROVIDERS = ['openai', 'anthropic', 'google', 'mistral', 'groq', 'deepseek', 'x-ai', 'aws', 'azure', 'cohere', 'together', 'fireworks', 'openrouter', 'perplexity', 'moonshotai', 'novita', 'cerebras', 'ovhcloud', 'avian'];

export interface ListedPrice {
  provider: string;
  model: string;
  name: string | null;
  /** USD per 1M tokens; the base rate when the model is tiered. */
  input_per_1m: number | null;
  output_per_1m: number | null;
  cached_input_per_1m: number | null;
  cache_write_per_1m: number | null;
  tiered: boolean;
}

function rate(value: unknown): { value: number | null; tiered: boolean } {
  if (typeof value === 'number') return { value, tiered: false };
  if (value && typeof value === 'object' && 'base' in value) return { value: Number((value as { base: number }).base), tiered: true };
  return { value: null, tiered: false };
}

/** The current prices of one catalog model (the last of its dated price sets). */
export function currentPrices(model: ModelInfo): Record<string, unknown> {
  return Array.isArray(model.prices) ? (model.prices.at(-1)?.prices ?? {}) : model.prices;
}

export function listCatalog(search: string | undefined, limit: number): ListedPrice[] {
  const needle = search?.toLowerCase();
  const out: ListedPrice[] = [];
  for (const id of LISTED_PROVIDERS) {
    const provider = findProvider({ providerId: id });
    for (const model of provider?.models ?? []) {
      if (needle && !`${id}/${model.id} ${model.name ?? ''}`.toLowerCase().includes(needle)) continue;
      const prices = currentPrices(model);
      const rates = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok'].map((key) => rate(prices[key]));
      out.push({
        provider: id, model: model.id, name: model.name ?? null, input_per_1m: rates[0]!.value, output_per_1m: rates[1]!.value,
        cached_input_per_1m: rates[2]!.value, cache_write_per_1m: rates[3]!.value, tiered: rates.some((entry) => entry.tiered),
      });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
