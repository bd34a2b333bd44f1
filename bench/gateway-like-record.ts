// The gateway-like call record the PostgreSQL ingestion benchmarks write: ~0.6 KB of prompt and
// answer, six models over four providers, one record every 10 ms ending at `now`.
import type { CallRecord } from '../src/domain/call-record.js';
import type { CallWrite } from '../src/store/ports.js';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-3-5-haiku', 'mistral-large-latest', 'llama3.1:8b'];
const PROVIDERS = ['openai', 'anthropic', 'mistral', 'ollama'];

/** Record `i` of `count`. */
export function gatewayLikeWrite(i: number, count: number, now: number): CallWrite {
  const call: CallRecord = {
    id: `ing-${i}`, request_id: `ing-${i}`, project_id: 'ingest', trace_id: null, parent_id: null, started_at: now - (count - i) * 10, ended_at: now - (count - i) * 10 + 800,
    latency_ms: 200 + (i % 3000), ttft_ms: 50 + (i % 400), tokens_per_second: 20 + (i % 80), provider: PROVIDERS[i % 4]!, model: MODELS[i % 6]!, response_model: null,
    endpoint: '/v1/chat/completions', is_streaming: i % 3 === 0, finish_reason: 'stop', params: { temperature: 0.2 }, status: i % 10 === 9 ? 'error' : 'success',
    http_status: 200, error_type: null, error_message: null, prompt_tokens: 300 + (i % 900), completion_tokens: 80 + (i % 300), total_tokens: 380 + (i % 900) + (i % 300),
    cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'provider', cost_usd: 0.001 + (i % 100) / 1e5, input_cost_usd: null, output_cost_usd: null,
    price_source: 'catalog', is_fallback: false, original_provider: null, attempt: 1, cache_hit: false, tool_calls_count: 0, api_key_id: null, user_id: `user-${i % 500}`,
    session_id: `session-${Math.floor(i / 8)}`, agent: 'analyst', conversation_name: null, account_id: null, tags: ['demo'], properties: { symbol: 'AAPL' }, confidence: null, signal: null,
    input: [{ role: 'user', content: `question ${i}: ${'summarize the quarterly report risk and revenue forecast '.repeat(6)}` }],
    output: { role: 'assistant', content: `answer ${i}: ${'the forecast holds steady '.repeat(6)}` },
  };
  return { call, bodyHash: `h${i}`, clientId: false };
}
