// Turns what the gateway measured into a stored call: usage by the accounting rules (the
// provider's counts when it sent them, else a tokenizer estimate marked `estimated`),
// timings, attribution and content, priced like any other call.
import { countO200k } from '../pricing/token-count.js';
import type { CallRecordInput, CallStatus } from '../domain/call-record.js';
import { redactCall } from '../security/redact-call.js';
import { normalizeCall } from '../domain/normalize-call.js';
import { priceCall } from '../pricing/price-call.js';
import type { CallWrite } from '../store/ports.js';
import type { CanonicalUsage } from '../domain/usage.js';
import { tokensPerSecond } from '../providers/kit/usage.js';
import { responsesConversation } from '../providers/openai-compatible/responses-answer.js';

export interface GatewayOutcome {
  id: string;
  requestId: string;
  attempt: number;
  isFallback: boolean;
  originalProvider: string | null;
  projectId: string;
  apiKeyId: string;
  provider: string;
  model: string;
  endpoint: string;
  streaming: boolean;
  startedAt: number;
  latencyMs: number;
  ttftMs: number | null;
  status: CallStatus;
  httpStatus: number | null;
  errorType?: string;
  errorMessage?: string;
  /** The provider's counts; partial (e.g. input only) unless usageComplete. */
  usage: CanonicalUsage | null;
  usageComplete: boolean;
  /** Provider-measured generation time (Ollama's eval_duration), for tokens/s. */
  generationNs: number | null;
  finishReason: string | null;
  responseModel: string | null;
  toolCalls: number;
  /** Answered from the gateway's cache: the call whose answer it is. */
  cacheOf?: string;
  /** A whole successful answer as sent, kept for the cache when the request uses it. */
  answerBody?: { bytes: Buffer; contentType: string };
  /** All generated text, for estimating completion tokens when usage is missing. */
  completionText: string;
  requestBody: Record<string, unknown>;
  output: unknown;
  attribution: Partial<CallRecordInput>;
}

function estimateTokens(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return countO200k(typeof value === 'string' ? value : JSON.stringify(value));
}

// Tools are kept so that a replay offers the model the same tools.
// Also the Messages API's (stop_sequences, top_k, thinking, output_config) and the Responses API's (max_output_tokens, reasoning, text).
const PARAM_KEYS = ['temperature', 'max_tokens', 'max_completion_tokens', 'max_output_tokens', 'top_p', 'top_k', 'frequency_penalty', 'presence_penalty', 'stop', 'stop_sequences', 'seed', 'n', 'response_format', 'text', 'reasoning', 'reasoning_effort', 'thinking', 'output_config', 'tools', 'tool_choice', 'parallel_tool_calls'];

/**
 * What the call was asked: the messages, the prompt or the input; with the system prompt first
 * where the API keeps it beside them (Anthropic's `system`, the Responses API's `instructions`,
 * whose `input` may also be a single user message as a string).
 */
function promptOf(outcome: GatewayOutcome): unknown {
  const body = outcome.requestBody;
  if (outcome.endpoint === '/v1/messages' && body.system !== undefined && Array.isArray(body.messages)) return [{ role: 'system', content: body.system }, ...(body.messages as unknown[])];
  if (outcome.endpoint === '/v1/responses') return responsesConversation(body);
  return body.messages ?? body.prompt ?? body.input;
}

export function buildGatewayCall(outcome: GatewayOutcome): CallWrite {
  const body = outcome.requestBody;
  const usage = outcome.usage;
  const fromProvider = usage !== null && outcome.usageComplete;
  // A failure that produced no answer (an error status, a refused or unreachable request, a
  // timeout before the first byte) used no tokens: providers do not bill it, and counting its
  // prompt would add spend that never happened (once per attempt of a fallback chain).
  const unanswered = (outcome.status === 'error' || outcome.status === 'timeout') && usage === null && outcome.completionText === '';
  // Without final counts (include_usage off, a broken or cancelled stream), what the provider
  // did report stands and the rest is counted with a tokenizer.
  const conversation = promptOf(outcome);
  const prompt = unanswered ? 0 : fromProvider || (usage?.input.total ?? 0) > 0 ? usage!.input.total : estimateTokens(conversation);
  const completion = unanswered ? 0 : fromProvider ? usage.output.total : Math.max(usage?.output.total ?? 0, estimateTokens(outcome.completionText));
  const cached = Math.min(usage?.input.cacheRead ?? 0, prompt);
  const cacheWrite = Math.min(usage?.input.cacheWrite ?? 0, prompt - cached);
  const reasoning = Math.min(usage?.output.reasoning ?? 0, completion);
  const generationMs = outcome.ttftMs === null ? null : outcome.latencyMs - outcome.ttftMs;
  // An answer from the cache was not generated: it has no speed.
  const measured = !outcome.cacheOf && generationMs && generationMs > 0 && completion > 0 ? completion / (generationMs / 1000) : null;
  const params: Record<string, unknown> = {};
  for (const key of PARAM_KEYS) if (body[key] !== undefined) params[key] = body[key];
  const input: CallRecordInput = {
    id: outcome.id, request_id: outcome.requestId, attempt: outcome.attempt, is_fallback: outcome.isFallback, original_provider: outcome.originalProvider,
    provider: outcome.provider, model: outcome.model, endpoint: outcome.endpoint,
    started_at: outcome.startedAt, latency_ms: outcome.latencyMs, ttft_ms: outcome.ttftMs,
    tokens_per_second: (outcome.generationNs ? tokensPerSecond(completion, outcome.generationNs) : null) ?? measured,
    is_streaming: outcome.streaming, status: outcome.status, http_status: outcome.httpStatus,
    error_type: outcome.errorType ?? null, error_message: outcome.errorMessage?.slice(0, 10_000) ?? null,
    finish_reason: outcome.finishReason, response_model: outcome.responseModel, tool_calls_count: outcome.toolCalls,
    prompt_tokens: prompt, completion_tokens: completion, cached_tokens: cached, cache_write_tokens: cacheWrite, reasoning_tokens: reasoning,
    usage_source: fromProvider ? 'provider' : 'estimated',
    params, input: conversation ?? null, output: outcome.output,
    ...outcome.attribution,
  };
  if (outcome.cacheOf) {
    input.cache_hit = true;
    input.properties = { ...input.properties, cache_of: outcome.cacheOf };
  }
  const call = normalizeCall(input, { projectId: outcome.projectId, apiKeyId: outcome.apiKeyId, now: outcome.startedAt });
  if (outcome.cacheOf) Object.assign(call, { cost_usd: 0, input_cost_usd: 0, output_cost_usd: 0, price_source: 'cache' });
  else priceCall(call);
  const content = redactCall(call, { inputJson: call.input == null ? null : JSON.stringify(call.input), outputJson: call.output == null ? null : JSON.stringify(call.output) });
  return { call, bodyHash: '', clientId: false, ...content };
}
