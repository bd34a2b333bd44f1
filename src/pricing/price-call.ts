// Prices a call record in place. Local models cost their electricity (rate × duration,
// zero until a rate is set, marked `local`); other models are priced from the catalog;
// a model the catalog does not know is `unpriced` with a null cost, never $0.
import type { CallRecord } from '../domain/call-record.js';
import type { PriceOverride } from '../domain/price-override.js';
import { rememberAnsweringModel } from './answering-models.js';
import { catalogModel, catalogPrice, type CatalogModel } from './catalog.js';

/** Providers that run on the operator's own hardware. */
export const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(['ollama', 'ollama-openai', 'localai', 'vllm', 'lmstudio', 'llamacpp', 'local']);

export interface LocalRates {
  /** USD per hour of model time, per model; absent means 0. */
  electricityPerHour(model: string): number | null;
}

const NO_RATES: LocalRates = { electricityPerHour: () => null };

function priceLocal(call: CallRecord, perHour: number): void {
  call.cost_usd = perHour * ((call.latency_ms ?? 0) / 3_600_000);
  call.input_cost_usd = null;
  call.output_cost_usd = null;
  call.price_source = 'local';
}

/**
 * The catalog model a call is billed as: the model that answered when the catalog knows it, else
 * the model asked for. The answering name is the more exact: an alias moves to newer snapshots
 * with other prices (gpt-4o asked, gpt-4o-2024-05-13 answered at twice the rate), and an Azure
 * deployment or a router's model has a name of its own that no catalog lists.
 */
function pricedModel(call: CallRecord): CatalogModel | null {
  const answered = call.response_model && call.response_model !== call.model ? catalogModel(call.provider, call.response_model) : null;
  if (!answered) return catalogModel(call.provider, call.model);
  // A name the catalog does not know is learned, for worst cases priced before a call (pricer.ts).
  if (!catalogModel(call.provider, call.model)) rememberAnsweringModel(call.provider, call.model, call.response_model!);
  return answered;
}

export function priceCall(call: CallRecord, rates: LocalRates = NO_RATES): void {
  if (LOCAL_PROVIDERS.has(call.provider)) return priceLocal(call, rates.electricityPerHour(call.model) ?? 0);
  const entry = pricedModel(call);
  // The catalog's usage fields: input_tokens is all input (cache reads and writes are
  // subtracted from it by the catalog), output_tokens all output with reasoning inside,
  // so nothing is billed twice.
  const price = entry
    ? catalogPrice(entry, { input: call.prompt_tokens, cacheRead: call.cached_tokens, cacheWrite: call.cache_write_tokens, output: call.completion_tokens }, call.started_at)
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

/**
 * Prices a call with its model's cost setting when there is one (it wins over the catalog):
 * an electricity rate prices model time on local providers (and on any provider that has no
 * token prices set); token prices apply to every input token, cached or not, since a cost
 * setting has one input rate. Without a setting, the catalog (or a local zero) decides.
 */
export function priceWithSetting(call: CallRecord, setting: PriceOverride | null, local = LOCAL_PROVIDERS.has(call.provider)): void {
  if (!setting) return local ? priceLocal(call, 0) : priceCall(call);
  const perHour = setting.electricity_cost_per_hour;
  const perInput = setting.cost_per_1k_input_tokens;
  const perOutput = setting.cost_per_1k_output_tokens;
  const hasTokenPrices = perInput !== null && perOutput !== null;
  if (perHour !== null && (local || !hasTokenPrices)) return priceLocal(call, perHour);
  if (!hasTokenPrices) return local ? priceLocal(call, 0) : priceCall(call);
  call.input_cost_usd = (call.prompt_tokens / 1000) * perInput;
  call.output_cost_usd = (call.completion_tokens / 1000) * perOutput;
  call.cost_usd = call.input_cost_usd + call.output_cost_usd;
  call.price_source = 'override';
}
