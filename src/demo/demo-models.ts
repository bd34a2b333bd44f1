// The models the demo simulates: names the pricing catalog knows (plus one it does not, so
// unpriced calls show up as such), with latency, speed, size and reliability per model.

export interface DemoModel {
  provider: string;
  model: string;
  local: boolean;
  /** Share of traffic. */
  weight: number;
  medianLatencyMs: number;
  medianTtftMs: number;
  tokensPerSecond: number;
  errorRate: number;
  /** Decision quality for the trading pipeline: probability that a confident call wins. */
  skill: number;
  reasoning: boolean;
}

export const DEMO_MODELS: readonly DemoModel[] = [
  { provider: 'openai', model: 'gpt-4o', local: false, weight: 22, medianLatencyMs: 1800, medianTtftMs: 420, tokensPerSecond: 85, errorRate: 0.02, skill: 0.62, reasoning: false },
  { provider: 'openai', model: 'gpt-4o-mini', local: false, weight: 30, medianLatencyMs: 900, medianTtftMs: 260, tokensPerSecond: 120, errorRate: 0.015, skill: 0.54, reasoning: false },
  { provider: 'openai', model: 'o3-mini', local: false, weight: 6, medianLatencyMs: 5200, medianTtftMs: 2600, tokensPerSecond: 140, errorRate: 0.03, skill: 0.66, reasoning: true },
  { provider: 'anthropic', model: 'claude-sonnet-4-20250514', local: false, weight: 16, medianLatencyMs: 2300, medianTtftMs: 650, tokensPerSecond: 70, errorRate: 0.025, skill: 0.64, reasoning: false },
  { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', local: false, weight: 10, medianLatencyMs: 1100, medianTtftMs: 380, tokensPerSecond: 105, errorRate: 0.02, skill: 0.53, reasoning: false },
  { provider: 'mistral', model: 'mistral-large-latest', local: false, weight: 6, medianLatencyMs: 2000, medianTtftMs: 520, tokensPerSecond: 60, errorRate: 0.04, skill: 0.56, reasoning: false },
  { provider: 'ollama', model: 'llama3.1:8b', local: true, weight: 7, medianLatencyMs: 3400, medianTtftMs: 900, tokensPerSecond: 32, errorRate: 0.05, skill: 0.48, reasoning: false },
  { provider: 'ollama', model: 'qwen2.5:7b', local: true, weight: 2, medianLatencyMs: 3000, medianTtftMs: 800, tokensPerSecond: 36, errorRate: 0.05, skill: 0.5, reasoning: false },
  { provider: 'acme-labs', model: 'acme-reasoner-1', local: false, weight: 1, medianLatencyMs: 2600, medianTtftMs: 700, tokensPerSecond: 55, errorRate: 0.03, skill: 0.55, reasoning: false },
];

export const FALLBACK_ORDER: Readonly<Record<string, string>> = {
  openai: 'anthropic',
  anthropic: 'openai',
  mistral: 'openai',
  ollama: 'openai',
  'acme-labs': 'openai',
};

export interface DemoError {
  type: string;
  http: number;
  message: string;
  status: 'error' | 'timeout';
}

export const DEMO_ERRORS: readonly { weight: number; value: DemoError }[] = [
  { weight: 5, value: { type: 'rate_limit', http: 429, message: 'Rate limit reached for requests per minute. Please try again in 20s.', status: 'error' } },
  { weight: 3, value: { type: 'timeout', http: 504, message: 'upstream did not answer within 60 s', status: 'timeout' } },
  { weight: 2, value: { type: 'server_error', http: 500, message: 'The server had an error while processing your request.', status: 'error' } },
  { weight: 1, value: { type: 'overloaded', http: 529, message: 'Overloaded', status: 'error' } },
  { weight: 1, value: { type: 'context_length_exceeded', http: 400, message: "This model's maximum context length is 128000 tokens.", status: 'error' } },
];
