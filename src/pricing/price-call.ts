// Prices a call record in place. Local models cost their electricity (rate × duration,
// zero until a rate is set, marked `local`); other models are priced from the catalog;
// a model the catalog does not know is `unpriced` with a null cost, never $0.
import type { CallRecord } from '../domain/call-record.js';
import { catalogModel, catalogPrice } from './catalog.js';

/** Providers that run on the operator's own hardware. */
export const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(['ollama', 'ollama-openai', 'localai', 'vllm', 'lmstudio', 'llamacpp', 'local']);

export interface LocalRates {
  /** USD per hour of model time, per model; absent means 0. */
  electricityPerHour(model: string): number | null;
}

const NO_RATES: LocalRates = { electricityPerHour: () => null };

export function priceCall(call: CallRecord, rates: LocalRates = NO_RATES): void {
  if (LOCAL_PROVIDERS.has(call.provider)) {
    const rate = rates.electricityPerHour(call.model) ?? 0;
    const hours = (call.latency_ms ?? 0) / 3_600_000;
    call.cost_usd = rate * hours;
    call.input_cost_usd = null;
    call.output_cost_usd = null;
    call.price_source = 'local';
    return;
  }
  const entry = catalogModel(call.provider, call.model);
  const price = entry
    ? catalogPrice(entry, { input: call.prompt_tokens, cacheRead: call.cached_tokens, cacheWrite: call.cache_write_tokens, output: call.completion_tokens }, new Date(call.started_at))
    : null;
  if (!price) {
    call.cost_usd = null;
    call.input_cost_usd = null;
    call.output_cost_usd = null;
    call.price_source = 'unpriced';
    return;
  }
  call.cost_usd = price.totalUsd;
  call.input_cost_usd = price.inputUsd;
  call.output_cost_usd = price.outputUsd;
  call.price_source = 'catalog';
}
