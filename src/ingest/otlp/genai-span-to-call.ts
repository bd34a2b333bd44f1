// A span of the OpenTelemetry GenAI semantic conventions (or OpenLLMetry's older attribute names)
// as a Loupe call record, for ingestion's own validation and recorder. Only spans of a model call
// become calls: agent, tool, workflow and retrieval spans, and spans with no GenAI attribute at
// all, are skipped. Attribution an instrumentation puts on an enclosing span (the agent of an
// invoke_agent span, a conversation or user id) is taken from the nearest ancestor in the same
// request that carries it.
import { countO200k } from '../../pricing/token-count.js';
import { convertMessages, indexedMessages, openAiTools, systemMessage, toolCallCount } from './genai-messages.js';
import type { Attributes, AttributeValue, OtlpSpan } from './otlp-spans.js';

/** Calls recorded from spans carry this id prefix and tag. */
export const OTLP_ID_PREFIX = 'otel:';
export const OTLP_TAG = 'otel';

export class SpanRejected extends Error {}

const NOT_MODEL_CALLS = new Set(['execute_tool', 'invoke_agent', 'create_agent', 'invoke_workflow', 'retrieval']);
const ENDPOINTS: Record<string, string> = { chat: '/v1/chat/completions', text_completion: '/v1/completions', embeddings: '/v1/embeddings' };

/** The conventions' provider names, where Loupe (and its price catalog) names the provider otherwise. */
const PROVIDERS: Record<string, string> = {
  'aws.bedrock': 'bedrock',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'gcp.gemini': 'gemini',
  'gcp.gen_ai': 'gemini',
  'gcp.vertex_ai': 'vertex',
  mistral_ai: 'mistral',
  x_ai: 'xai',
  'ibm.watsonx.ai': 'watsonx',
};

const PARAMS: [string, string][] = [
  ['gen_ai.request.temperature', 'temperature'],
  ['gen_ai.request.max_tokens', 'max_tokens'],
  ['gen_ai.request.top_p', 'top_p'],
  ['gen_ai.request.top_k', 'top_k'],
  ['gen_ai.request.frequency_penalty', 'frequency_penalty'],
  ['gen_ai.request.presence_penalty', 'presence_penalty'],
  ['gen_ai.request.stop_sequences', 'stop'],
  ['gen_ai.request.seed', 'seed'],
  ['gen_ai.request.choice.count', 'n'],
];

const SESSION_KEYS = ['gen_ai.conversation.id', 'session.id', 'traceloop.association.properties.session_id'];
const USER_KEYS = ['user.id', 'enduser.id', 'traceloop.association.properties.user_id'];
const AGENT_KEYS = ['gen_ai.agent.name'];

const text = (value: AttributeValue | undefined, max = 256): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : typeof value === 'number' ? String(value) : null);
const first = (attributes: Attributes, keys: string[]): AttributeValue | undefined => {
  for (const key of keys) if (attributes[key] !== undefined && attributes[key] !== null) return attributes[key];
  return undefined;
};

/** A token count as given; an attribute that is not a count refuses the span by name. */
function tokens(attributes: Attributes, keys: string[]): number | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) throw new SpanRejected(`${key}: must be a non-negative integer`);
    return number;
  }
  return undefined;
}

/** Whether a span is about a model at all (any of the conventions' identifying attributes). */
function isGenAi(attributes: Attributes): boolean {
  return ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.system', 'gen_ai.request.model', 'gen_ai.response.model', 'llm.request.type'].some((key) => attributes[key] !== undefined);
}

/** The attribute from the span itself, else from its nearest ancestor in the request that has it. */
function inherited(span: OtlpSpan, spans: ReadonlyMap<string, OtlpSpan>, keys: string[]): string | null {
  let current: OtlpSpan | undefined = span;
  for (let depth = 0; current && depth < 64; depth++) {
    const value = text(first(current.attributes, keys));
    if (value !== null) return value;
    current = current.parentSpanId ? spans.get(current.parentSpanId) : undefined;
  }
  return null;
}

/**
 * The content an instrumentation left on the span's attributes or on one of its events; the
 * older conventions put it on an event of its own (`gen_ai.content.prompt` with `gen_ai.prompt`).
 */
function content(span: OtlpSpan, key: string, legacy?: { event: string; key: string }): AttributeValue | undefined {
  if (span.attributes[key] !== undefined) return span.attributes[key];
  for (const event of span.events) {
    if (event.attributes[key] !== undefined) return event.attributes[key];
    if (legacy && event.name === legacy.event && event.attributes[legacy.key] !== undefined) return event.attributes[legacy.key];
  }
  return undefined;
}

function estimate(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return countO200k(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * The call record of a model-call span, or null for any other span. Throws SpanRejected when the
 * span is a model call Loupe cannot record (no model, a count that is not a count).
 */
export function genAiSpanToCall(span: OtlpSpan, spans: ReadonlyMap<string, OtlpSpan>): Record<string, unknown> | null {
  const attributes = span.attributes;
  if (!isGenAi(attributes)) return null;
  const operation = text(attributes['gen_ai.operation.name']) ?? text(attributes['llm.request.type']);
  if (operation !== null && NOT_MODEL_CALLS.has(operation)) return null;

  const model = text(attributes['gen_ai.request.model']) ?? text(attributes['gen_ai.response.model']);
  if (model === null) throw new SpanRejected('gen_ai.request.model: is missing (a model call is recorded under its model)');
  const system = text(first(attributes, ['gen_ai.provider.name', 'gen_ai.system']), 128)?.toLowerCase() ?? 'unknown';

  // Content: the conventions' messages, else OpenLLMetry's indexed attributes.
  const instructions = systemMessage(content(span, 'gen_ai.system_instructions'));
  const inputMessages = convertMessages(content(span, 'gen_ai.input.messages', { event: 'gen_ai.content.prompt', key: 'gen_ai.prompt' })) ?? indexedMessages(attributes, 'gen_ai.prompt');
  const outputMessages = convertMessages(content(span, 'gen_ai.output.messages', { event: 'gen_ai.content.completion', key: 'gen_ai.completion' })) ?? indexedMessages(attributes, 'gen_ai.completion');
  const input = instructions || inputMessages ? [...(instructions ? [instructions] : []), ...(inputMessages ?? [])] : undefined;
  const answer = outputMessages?.[0];
  // The finish reason is a column of its own, not part of the stored answer.
  const { finish_reason: answerFinish, ...output } = answer ?? {};

  // Usage: input counts all input tokens and output all output tokens, cached and reasoning
  // included, as the conventions ask. A sender that counted them apart (cached above all input)
  // is added up so that nothing is lost.
  const givenPrompt = tokens(attributes, ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens']);
  const givenCompletion = tokens(attributes, ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens']);
  const cached = tokens(attributes, ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens']) ?? 0;
  const cacheWrite = tokens(attributes, ['gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens']) ?? 0;
  const reasoning = tokens(attributes, ['gen_ai.usage.reasoning.output_tokens']) ?? 0;
  const reported = givenPrompt !== undefined || givenCompletion !== undefined;
  let prompt = givenPrompt ?? 0;
  let completion = givenCompletion ?? 0;
  if (cached + cacheWrite > prompt) prompt += cached + cacheWrite;
  if (reasoning > completion) completion += reasoning;
  if (!reported) {
    // No usage on the span: counted from its content, and said to be counted.
    prompt = Math.max(prompt, estimate(input));
    completion = Math.max(completion, operation === 'embeddings' ? 0 : estimate(answer?.content));
  }

  const startedAt = Math.floor(Number(span.startNs) / 1e6);
  const latencyMs = Number(span.endNs - span.startNs) / 1e6;
  const ttftSeconds = attributes['gen_ai.response.time_to_first_chunk'];
  const ttftMs = typeof ttftSeconds === 'number' && ttftSeconds >= 0 ? ttftSeconds * 1000 : null;
  const streaming = attributes['gen_ai.request.stream'] ?? attributes['llm.is_streaming'];
  const generationMs = ttftMs === null ? null : latencyMs - ttftMs;

  const finishReasons = attributes['gen_ai.response.finish_reasons'];
  const finishReason = Array.isArray(finishReasons) ? text(finishReasons[0], 64) : text(finishReasons, 64) ?? text(answerFinish as AttributeValue, 64);
  const failed = span.statusCode === 2;
  const errorType = failed ? text(attributes['error.type'], 128) ?? 'error' : null;
  const exception = span.events.find((event) => event.name === 'exception')?.attributes;
  const httpStatus = attributes['http.response.status_code'];

  const params: Record<string, unknown> = {};
  for (const [key, name] of PARAMS) if (attributes[key] !== undefined && attributes[key] !== null) params[name] = attributes[key];
  const tools = openAiTools(attributes['gen_ai.tool.definitions']);
  if (tools) params.tools = tools;
  const service = text(span.resource['service.name']);

  return {
    id: `${OTLP_ID_PREFIX}${span.traceId}:${span.spanId}`,
    trace_id: span.traceId,
    // In the calls' own id space, so a model call under another model call links to its row.
    parent_id: span.parentSpanId ? `${OTLP_ID_PREFIX}${span.traceId}:${span.parentSpanId}` : null,
    started_at: startedAt,
    ended_at: Math.floor(Number(span.endNs) / 1e6),
    latency_ms: latencyMs,
    ttft_ms: ttftMs,
    tokens_per_second: generationMs !== null && generationMs > 0 && completion > 0 ? completion / (generationMs / 1000) : null,
    provider: PROVIDERS[system] ?? system,
    model,
    response_model: text(attributes['gen_ai.response.model']),
    endpoint: operation ? ENDPOINTS[operation] ?? null : null,
    is_streaming: streaming === true || ttftMs !== null,
    finish_reason: finishReason,
    params,
    status: failed ? (/timeout/i.test(errorType ?? '') ? 'timeout' : 'error') : 'success',
    http_status: typeof httpStatus === 'number' && httpStatus >= 100 && httpStatus <= 599 ? httpStatus : null,
    error_type: errorType,
    error_message: failed ? (span.statusMessage || text(exception?.['exception.message'], 10_000)) ?? null : null,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: cached,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: reasoning,
    usage_source: reported ? 'provider' : 'estimated',
    tool_calls_count: toolCallCount(answer),
    session_id: inherited(span, spans, SESSION_KEYS),
    user_id: inherited(span, spans, USER_KEYS),
    agent: inherited(span, spans, AGENT_KEYS),
    tags: [OTLP_TAG],
    properties: service ? { 'service.name': service } : undefined,
    input,
    output: answer ? output : undefined,
  };
}
