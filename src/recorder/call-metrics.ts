// What this instance recorded, as Prometheus series (LiteLLM's model metrics): calls by
// provider, model and status, tokens, cost, unpriced calls, cache hits, and latency and time to
// first token as histograms. Counted per committed batch in plain maps (a label lookup per
// metric per call, as client libraries do, would cost ingestion several microseconds a record)
// and written out as exposition text when scraped. Across projects: no project or user labels.
// Model names come from callers, so the number of series is bounded; the rest share one label.
import type { CallRecord } from '../domain/call-record.js';

const LATENCY_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const TTFT_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Distinct provider and model pairs kept apart; later ones share provider and model "_other". */
export const MAX_MODEL_SERIES = 1000;
export const OTHER = '_other';

class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    // Cumulative buckets are summed when written; here each value lands in its first bucket.
    for (let index = 0; index < this.bounds.length; index++) {
      if (value <= this.bounds[index]!) {
        this.counts[index]! += 1;
        return;
      }
    }
  }
}

interface ModelSeries {
  provider: string;
  model: string;
  byStatus: Map<string, number>;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  unpriced: number;
  cacheHits: number;
  latency: Histogram;
  ttft: Histogram;
}

/** A label value as the exposition format spells it. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class CallMetrics {
  private readonly series = new Map<string, ModelSeries>();

  observe(calls: readonly CallRecord[]): void {
    for (const call of calls) {
      const series = this.seriesOf(call.provider, call.model);
      series.byStatus.set(call.status, (series.byStatus.get(call.status) ?? 0) + 1);
      series.promptTokens += call.prompt_tokens;
      series.completionTokens += call.completion_tokens;
      series.cachedTokens += call.cached_tokens;
      series.reasoningTokens += call.reasoning_tokens;
      if (call.cost_usd === null) series.unpriced += 1;
      else series.costUsd += call.cost_usd;
      if (call.cache_hit) series.cacheHits += 1;
      if (call.latency_ms !== null) series.latency.observe(call.latency_ms / 1000);
      if (call.ttft_ms !== null) series.ttft.observe(call.ttft_ms / 1000);
    }
  }

  /** The series as Prometheus exposition text (no trailing newline). */
  exposition(): string {
    const all = [...this.series.values()];
    const labels = (series: ModelSeries) => `provider="${label(series.provider)}",model="${label(series.model)}"`;
    const lines: string[] = [];
    const counter = (name: string, help: string, rows: string[]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...rows);
    };
    counter('loupe_calls_total', 'Calls recorded by this instance, by provider, model and status.',
      all.flatMap((series) => [...series.byStatus].map(([status, n]) => `loupe_calls_total{${labels(series)},status="${label(status)}"} ${n}`)));
    counter('loupe_tokens_total', 'Tokens of the recorded calls: prompt (cached included), completion (reasoning included), cached, reasoning.',
      all.flatMap((series) => ([['prompt', series.promptTokens], ['completion', series.completionTokens], ['cached', series.cachedTokens], ['reasoning', series.reasoningTokens]] as const)
        .map(([kind, n]) => `loupe_tokens_total{${labels(series)},kind="${kind}"} ${n}`)));
    counter('loupe_cost_usd_total', 'Cost of the priced calls, in US dollars.', all.map((series) => `loupe_cost_usd_total{${labels(series)}} ${series.costUsd}`));
    counter('loupe_unpriced_calls_total', 'Calls whose model has no known price (their cost is not in loupe_cost_usd_total).', all.map((series) => `loupe_unpriced_calls_total{${labels(series)}} ${series.unpriced}`));
    counter('loupe_cache_hits_total', "Calls answered from the gateway's cache.", all.map((series) => `loupe_cache_hits_total{${labels(series)}} ${series.cacheHits}`));
    const histogram = (name: string, help: string, pick: (series: ModelSeries) => Histogram) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const series of all) {
        const values = pick(series);
        let cumulative = 0;
        values.bounds.forEach((bound, index) => {
          cumulative += values.counts[index]!;
          lines.push(`${name}_bucket{${labels(series)},le="${bound}"} ${cumulative}`);
        });
        lines.push(`${name}_bucket{${labels(series)},le="+Inf"} ${values.count}`, `${name}_sum{${labels(series)}} ${values.sum}`, `${name}_count{${labels(series)}} ${values.count}`);
      }
    };
    histogram('loupe_call_latency_seconds', 'Latency of the recorded calls.', (series) => series.latency);
    histogram('loupe_time_to_first_token_seconds', 'Time to first token of the recorded calls that have one (streams).', (series) => series.ttft);
    return lines.join('\n');
  }

  private seriesOf(provider: string, model: string): ModelSeries {
    let key = `${provider}\u0000${model}`;
    let series = this.series.get(key);
    if (series) return series;
    if (this.series.size >= MAX_MODEL_SERIES) {
      [provider, model, key] = [OTHER, OTHER, `${OTHER}\u0000${OTHER}`];
      series = this.series.get(key);
      if (series) return series;
    }
    series = {
      provider, model, byStatus: new Map(), promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, costUsd: 0, unpriced: 0, cacheHits: 0,
      latency: new Histogram(LATENCY_BUCKETS_S), ttft: new Histogram(TTFT_BUCKETS_S),
    };
    this.series.set(key, series);
    return series;
  }
}
