// The one pricing entry point for ingestion and the gateway: a project's cost settings win
// over the bundled catalog, local models cost electricity, unknown models stay unpriced.
import type { CallRecord } from '../domain/call-record.js';
import { normalizeCall } from '../domain/normalize-call.js';
import { answeringModel } from './answering-models.js';
import type { CostSettings } from './cost-settings.js';
import { LOCAL_PROVIDERS, priceWithSetting } from './price-call.js';

export interface WorstCaseQuery {
  provider: string;
  model: string;
  promptTokens: number;
  maxOutputTokens: number;
  /** Whose cost settings apply; without it only the catalog (or a local zero) prices. */
  projectId?: string | undefined;
  /** The longest a local model can run (its upstream timeout): electricity is billed by time. */
  maxDurationMs?: number | undefined;
}

export interface Pricer {
  /** Fills cost_usd, input_cost_usd, output_cost_usd and price_source; a reported cost is kept. */
  priceCall(call: CallRecord): void;
  /**
   * The cheap pass on the store path for a call already priced from the catalog where it was
   * prepared (an ingestion worker, the gateway): applies the project's cost setting, and
   * prices a provider configured as local by its electricity even when its name is custom.
   */
  finalize(call: CallRecord): void;
  /** The most a call can cost before it is made; null when the model has no price. */
  worstCaseCostUsd(query: WorstCaseQuery): number | null;
}

/** Used for local models when the caller gives no duration bound (the default upstream timeout). */
export const DEFAULT_MAX_DURATION_MS = 600_000;

/** Local by name (ollama, vllm, ...) unless told more, e.g. by the provider registry. */
export type LocalProviderTest = (provider: string) => boolean;

export function createPricer(settings: CostSettings, isLocalProvider: LocalProviderTest = (provider) => LOCAL_PROVIDERS.has(provider)): Pricer {
  const priceCall = (call: CallRecord): void => {
    if (call.price_source === 'reported' || call.price_source === 'cache') return;
    priceWithSetting(call, settings.get(call.project_id, call.model), isLocalProvider(call.provider));
  };
  const finalize = (call: CallRecord): void => {
    if (call.price_source === 'reported' || call.price_source === 'cache') return;
    const setting = settings.get(call.project_id, call.model);
    const local = isLocalProvider(call.provider);
    if (setting || (local && call.price_source !== 'local')) priceWithSetting(call, setting, local);
  };

  const costOf = (query: WorstCaseQuery, cacheWrite: number): number | null => {
    // A name the catalog does not know is priced as the model that answered for it last.
    const answered = answeringModel(query.provider, query.model);
    const call = normalizeCall(
      {
        provider: query.provider, model: query.model, ...(answered ? { response_model: answered } : {}), prompt_tokens: query.promptTokens, cache_write_tokens: cacheWrite,
        completion_tokens: query.maxOutputTokens, latency_ms: query.maxDurationMs ?? DEFAULT_MAX_DURATION_MS,
      },
      { projectId: query.projectId ?? '', apiKeyId: null },
    );
    priceCall(call);
    return call.cost_usd;
  };

  return {
    priceCall,
    finalize,
    worstCaseCostUsd(query) {
      const promptTokens = Math.max(0, Math.ceil(query.promptTokens));
      const bounded = { ...query, promptTokens, maxOutputTokens: Math.max(0, Math.ceil(query.maxOutputTokens)) };
      const plain = costOf(bounded, 0);
      if (plain === null) return null;
      // A prompt may be written to the provider's cache, which costs more than plain input
      // (Anthropic: 1.25×), so the worst case is the dearer of the two.
      return Math.max(plain, costOf(bounded, promptTokens) ?? plain);
    },
  };
}

/** Configured providers are local when the registry says so; others by their name. */
export function registryLocalTest(registry: { get(name: string): { provider_type: 'local' | 'remote' } | null }): LocalProviderTest {
  return (provider) => {
    const record = registry.get(provider);
    return record ? record.provider_type === 'local' : LOCAL_PROVIDERS.has(provider);
  };
}
