import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../domain/call-record.js';
import { CallMetrics, MAX_MODEL_SERIES, OTHER } from './call-metrics.js';

const call = (provider: string, model: string): CallRecord => ({
  provider, model, status: 'success', prompt_tokens: 1, completion_tokens: 1, cached_tokens: 0, reasoning_tokens: 0, cost_usd: 0.5, cache_hit: false, latency_ms: 100, ttft_ms: null,
} as CallRecord);

describe('CallMetrics', () => {
  it('keeps at most MAX_MODEL_SERIES provider and model pairs apart; the rest share one "_other" series', () => {
    const metrics = new CallMetrics();
    metrics.observe(Array.from({ length: MAX_MODEL_SERIES + 25 }, (_, index) => call(`p${index % 3}`, `m${index}`)));
    metrics.observe([call('p0', 'm0'), call('new-provider', 'new-model')]);
    const lines = metrics.exposition().split('\n').filter((line) => line.startsWith('loupe_calls_total{'));
    expect(lines).toHaveLength(MAX_MODEL_SERIES + 1);
    expect(lines).toContain(`loupe_calls_total{provider="${OTHER}",model="${OTHER}",status="success"} 26`);
    expect(lines).toContain('loupe_calls_total{provider="p0",model="m0",status="success"} 2');
  });

  it('escapes backslashes, quotes and newlines in label values', () => {
    const metrics = new CallMetrics();
    metrics.observe([call('openai', 'we"ird\\model\nname')]);
    expect(metrics.exposition()).toContain('loupe_calls_total{provider="openai",model="we\\"ird\\\\model\\nname",status="success"} 1');
  });
});
