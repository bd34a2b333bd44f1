// What a comparison of the same request on several models shows at a glance: the fastest and
// the cheapest answer, the mean latency of the answers, and what the whole comparison cost.
import type { ReplayResult } from './run-replay.js';

export interface ComparedResult extends ReplayResult {
  target: { provider: string | null; model: string; reasoning_effort: string | null };
}

interface Chosen {
  provider: string | null;
  model: string;
  reasoning_effort: string | null;
  value: number;
}

/** What the summary reads of a result: a comparison just run, or read back from its calls. */
type Summarized = Pick<ComparedResult, 'target' | 'provider' | 'model' | 'status' | 'latency_ms' | 'cost_usd'>;

function best(results: Summarized[], value: (result: Summarized) => number | null): Chosen | null {
  let found: Chosen | null = null;
  for (const result of results) {
    const figure = value(result);
    // The provider and model that answered: a route's target, or a fallback's, may differ from the one asked for.
    if (figure !== null && (found === null || figure < found.value)) found = { provider: result.provider, model: result.model ?? result.target.model, reasoning_effort: result.target.reasoning_effort, value: figure };
  }
  return found;
}

export function compareSummary(results: Summarized[]) {
  const answered = results.filter((result) => result.status === 'success');
  const fastest = best(answered, (result) => result.latency_ms);
  // Only priced answers can be the cheapest: an unpriced one costs an unknown amount, not $0.
  const cheapest = best(answered, (result) => result.cost_usd);
  const latencies = answered.flatMap((result) => (result.latency_ms === null ? [] : [result.latency_ms]));
  const priced = results.filter((result) => result.cost_usd !== null);
  return {
    answered: answered.length,
    failed: results.length - answered.length,
    fastest: fastest && { provider: fastest.provider, model: fastest.model, reasoning_effort: fastest.reasoning_effort, latency_ms: fastest.value },
    cheapest: cheapest && { provider: cheapest.provider, model: cheapest.model, reasoning_effort: cheapest.reasoning_effort, cost_usd: cheapest.value },
    average_latency_ms: latencies.length > 0 ? latencies.reduce((sum, latency) => sum + latency, 0) / latencies.length : null,
    total_cost_usd: priced.length > 0 ? priced.reduce((sum, result) => sum + result.cost_usd!, 0) : null,
    unpriced_results: results.length - priced.length,
  };
}
