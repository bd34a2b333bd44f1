// Direct pricing of one catalog model from per-token rates. The catalog's calcPrice derives
// every price from a generic unit model (dimension matching, ancestor checks, sorting) on each
// call, ~10 µs per record at ingestion. For the usage Loupe reports (input, cache reads, cache
// writes, output) that model reduces to: each priced unit bills its tokens minus those of its
// priced descendants, so the input rate applies to input less whichever cache kinds have a
// rate of their own. A model's price sets are turned into that arithmetic once, with the same
// floating-point operations in the same order as calcPrice, so the results are bit for bit
// the same (test/pricing-flat.test.ts compares both for every catalog model). Anything else
// (time-of-day prices, unknown price keys, usage calcPrice would refuse) is left to calcPrice.
import type { ModelInfo, ModelPrice, Tier } from '@pydantic/genai-prices';

export interface FlatUsage {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

export interface FlatPriceResult {
  inputUsd: number;
  outputUsd: number;
  totalUsd: number;
}

/** Which of the four reported quantities a rate bills; `request` is one per call. */
type Quantity = 'input' | 'cacheRead' | 'cacheWrite' | 'output' | 'request';

interface Term {
  quantity: Quantity;
  /** calcPrice adds input-side prices to the input total, output-side to output, others to neither. */
  direction: 'input' | 'output' | 'other';
  per: number;
  /** A flat rate, or a base rate with tiers sorted by start (the tier is chosen by input tokens). */
  rate: number | { base: number; tiers: Tier[] };
}

interface PriceSet {
  /** Applies from this epoch millisecond on; null: always. */
  from: number | null;
  /** Terms in the order of the price set's keys, the order calcPrice adds them in. */
  terms: Term[];
  /** Whether the input rate bills input less cache reads and/or less cache writes. */
  subtractCacheRead: boolean;
  subtractCacheWrite: boolean;
}

/** Price keys of the four reported quantities, and of one request. */
const BILLED: Readonly<Record<string, Omit<Term, 'rate'>>> = {
  input_mtok: { quantity: 'input', direction: 'input', per: 1e6 },
  cache_read_mtok: { quantity: 'cacheRead', direction: 'input', per: 1e6 },
  cache_write_mtok: { quantity: 'cacheWrite', direction: 'input', per: 1e6 },
  output_mtok: { quantity: 'output', direction: 'output', per: 1e6 },
  requests_kcount: { quantity: 'request', direction: 'other', per: 1e3 },
};

/**
 * Price keys of units Loupe never reports (modalities, cache TTLs, tool calls, pages): none is
 * an ancestor of a reported unit, so calcPrice bills them zero and subtracts zero for them.
 * A key outside both lists sends the model to calcPrice, which knows every unit.
 */
const UNREPORTED = new Set([
  'cache_write_1h_mtok', 'cache_write_5m_mtok', 'web_searches_kcount', 'storage_searches_kcount', 'input_audio_mtok', 'output_audio_mtok',
  'cache_audio_read_mtok', 'input_image_mtok', 'output_image_mtok', 'cache_image_read_mtok', 'input_video_mtok', 'output_video_mtok',
  'audio_hours', 'input_audio_hours', 'input_document_kpages', 'input_annotated_document_kpages', 'output_reasoning_mtok',
  'output_citation_mtok', 'input_text_messages_kcount',
]);

export interface FlatPricer {
  /** The price at `atMs`, or undefined when calcPrice must decide (it may refuse the usage). */
  price(usage: FlatUsage, atMs: number): FlatPriceResult | undefined;
}

function compileSet(prices: ModelPrice, from: number | null): PriceSet | null {
  const terms: Term[] = [];
  for (const [key, rate] of Object.entries(prices)) {
    if (rate === undefined) continue;
    if (UNREPORTED.has(key)) continue;
    const billed = BILLED[key];
    if (!billed) return null;
    if (typeof rate === 'number') terms.push({ ...billed, rate });
    else terms.push({ ...billed, rate: { base: rate.base, tiers: [...rate.tiers].sort((a, b) => a.start - b.start) } });
  }
  const priced = new Set(terms.map((term) => term.quantity));
  // calcPrice refuses a cache rate without an input rate (the ancestor's price is missing).
  if ((priced.has('cacheRead') || priced.has('cacheWrite')) && !priced.has('input')) return null;
  return { from, terms, subtractCacheRead: priced.has('cacheRead'), subtractCacheWrite: priced.has('cacheWrite') };
}

/**
 * The model's price sets as direct arithmetic, or null when calcPrice must price it.
 * `accepted` tells whether calcPrice prices the model with a price set at all: it refuses some
 * combinations of rates whatever the usage (a cache TTL rate without the cache write rate),
 * and those must keep failing as they did.
 */
export function compileFlatPricer(model: ModelInfo, accepted: (prices: ModelPrice) => boolean): FlatPricer | null {
  const sets: PriceSet[] = [];
  if (Array.isArray(model.prices)) {
    for (const conditional of model.prices) {
      const constraint = conditional.constraint as Record<string, unknown> | undefined;
      let from: number | null = null;
      if (constraint !== undefined) {
        // A start date (typed or not, as calcPrice normalizes it); time-of-day prices stay generic.
        const keys = Object.keys(constraint).filter((key) => key !== 'type').join();
        if (keys !== 'start_date' || (constraint.type !== undefined && constraint.type !== 'start_date') || typeof constraint.start_date !== 'string') return null;
        from = new Date(constraint.start_date).getTime();
        if (!Number.isFinite(from)) return null;
      }
      const set = accepted(conditional.prices) ? compileSet(conditional.prices, from) : null;
      if (!set) return null;
      sets.push(set);
    }
    if (sets.length === 0) return null;
  } else {
    const set = accepted(model.prices) ? compileSet(model.prices, null) : null;
    if (!set) return null;
    sets.push(set);
  }
  const dated = Array.isArray(model.prices);
  return {
    price(usage, atMs) {
      const { input, cacheRead, cacheWrite, output } = usage;
      // calcPrice validates usage values and its own date arithmetic; anything unusual goes there.
      if (!isCount(input) || !isCount(cacheRead) || !isCount(cacheWrite) || !isCount(output)) return undefined;
      if (dated && !(Number.isSafeInteger(atMs) && Math.abs(atMs) <= 8.64e15)) return undefined;
      return priceWith(dated ? pickSet(sets, atMs) : sets[0]!, usage);
    },
  };
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** calcPrice's choice: the last set whose start has passed, else the first. */
function pickSet(sets: PriceSet[], atMs: number): PriceSet {
  for (let i = sets.length - 1; i >= 0; i--) {
    const set = sets[i]!;
    if (set.from === null || atMs >= set.from) return set;
  }
  return sets[0]!;
}

function priceWith(set: PriceSet, usage: FlatUsage): FlatPriceResult | undefined {
  // Token counts are integers, so these differences are exact, as calcPrice's are.
  const uncachedInput = usage.input - (set.subtractCacheRead ? usage.cacheRead : 0) - (set.subtractCacheWrite ? usage.cacheWrite : 0);
  if (uncachedInput < 0) return undefined;
  let inputUsd = 0;
  let outputUsd = 0;
  let otherUsd = 0;
  for (const term of set.terms) {
    const quantity = term.quantity === 'input' ? uncachedInput : term.quantity === 'request' ? 1 : usage[term.quantity];
    const rate = term.rate;
    let cost: number;
    if (typeof rate === 'number') cost = rate * quantity / term.per;
    else {
      // calcPrice's tiered formula, operation for operation.
      let tierRate = rate.base;
      for (const tier of rate.tiers) if (usage.input > tier.start) tierRate = tier.price;
      cost = quantity <= 0 ? 0 : tierRate * quantity / 1e6 * 1e6 / term.per;
    }
    if (term.direction === 'input') inputUsd += cost;
    else if (term.direction === 'output') outputUsd += cost;
    else otherUsd += cost;
  }
  return { inputUsd, outputUsd, totalUsd: inputUsd + outputUsd + otherUsd };
}
