// The rules that turn a period's figures per model into optimization suggestions (seed 001),
// each stated with its numbers. A model is judged only on enough calls to mean something.
import { RECOMMENDATION_MIN_CALLS, type ModelRow } from '../analytics/breakdowns.js';
import type { Suggestion, SuggestionType } from '../domain/suggestion.js';

/** A suggestion as the rules state it, before it is kept (id, times and implemented state). */
export type SuggestionDraft = Pick<Suggestion, 'key' | 'suggestion_type' | 'model_name' | 'title' | 'description' | 'priority' | 'potential_improvement'>;

/** The period's figures over every model. */
export interface OverallFigures {
  avg_latency: number | null;
  avg_tokens_per_second: number | null;
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const ms = (value: number) => `${Math.round(value).toLocaleString('en')} ms`;
const usd = (value: number) => `$${value.toFixed(6)}`;

/** Slower than this many times the all-model average is worth saying; twice as slow is urgent. */
const SLOW = 1.5;
const ERROR_RATE = 0.05;
const CHEAPER = 2;
const SLOW_TOKENS = 0.5;

export function suggestionsFrom(models: ModelRow[], overall: OverallFigures): SuggestionDraft[] {
  const drafts: SuggestionDraft[] = [];
  const judged = models.filter((row) => (num(row.requests) ?? 0) >= RECOMMENDATION_MIN_CALLS);
  const recommended = models.find((row) => (row.recommendation as { recommended?: boolean } | null)?.recommended === true);
  for (const row of judged) {
    const model = String(row.model);
    const key = (type: SuggestionType) => `${type}:${String(row.provider)}/${model}`;
    const requests = num(row.requests)!;
    const latency = num(row.avg_latency);
    if (latency !== null && overall.avg_latency !== null && overall.avg_latency > 0 && latency > SLOW * overall.avg_latency) {
      const ratio = latency / overall.avg_latency;
      drafts.push({
        key: key('performance'), suggestion_type: 'performance', model_name: model, title: 'High Latency Detected', priority: ratio >= 2 ? 'high' : 'medium',
        description: `Average latency is ${ms(latency)} against ${ms(overall.avg_latency)} over all models (${ratio.toFixed(1)}×), p95 ${num(row.p95_latency) === null ? '—' : ms(num(row.p95_latency)!)}, over ${requests} requests. Consider a faster model for latency-sensitive calls, shorter prompts, or streaming.`,
        potential_improvement: `${Math.round((1 - overall.avg_latency / latency) * 100)}% lower average latency at the all-model average`,
      });
    }
    const errorRate = num(row.error_rate);
    if (errorRate !== null && errorRate >= ERROR_RATE) {
      drafts.push({
        key: key('reliability'), suggestion_type: 'reliability', model_name: model, title: 'High Error Rate', priority: errorRate >= 2 * ERROR_RATE ? 'high' : 'medium',
        description: `${percent(errorRate)} of ${requests} requests failed. See the errors by type and message (analytics/errors), and give this model a fallback provider.`,
        potential_improvement: `up to ${percent(errorRate)} fewer failed requests`,
      });
    }
    const cost = num(row.avg_cost_per_call);
    const cheaperCost = recommended ? num(recommended.avg_cost_per_call) : null;
    const success = num(row.success_rate);
    const cheaperSuccess = recommended ? num(recommended.success_rate) : null;
    if (recommended && recommended !== row && cost !== null && cheaperCost !== null && cheaperCost > 0 && cost >= CHEAPER * cheaperCost
      && success !== null && cheaperSuccess !== null && cheaperSuccess >= success - 0.02) {
      drafts.push({
        key: key('cost'), suggestion_type: 'cost', model_name: model, title: 'Cheaper Model Available', priority: cost >= 5 * cheaperCost ? 'high' : 'medium',
        description: `${String(recommended.model)} costs ${usd(cheaperCost)} per call against ${usd(cost)} here (${(cost / cheaperCost).toFixed(1)}×), with ${percent(cheaperSuccess)} success against ${percent(success)}. Route the calls that do not need this model to ${String(recommended.model)}.`,
        potential_improvement: `${Math.round((1 - cheaperCost / cost) * 100)}% lower cost per call`,
      });
    }
    const speed = num(row.avg_tokens_per_second);
    if (speed !== null && overall.avg_tokens_per_second !== null && speed < SLOW_TOKENS * overall.avg_tokens_per_second) {
      drafts.push({
        key: key('throughput'), suggestion_type: 'throughput', model_name: model, title: 'Low Throughput', priority: 'low',
        description: `${speed.toFixed(1)} tokens/s against ${overall.avg_tokens_per_second.toFixed(1)} over all models. For a local model, check its hardware and quantization; otherwise prefer a faster model for long answers.`,
        potential_improvement: `${(overall.avg_tokens_per_second / speed).toFixed(1)}× the tokens per second at the all-model average`,
      });
    }
  }
  return drafts;
}
