// Records every chat completion, embedding and Responses API call an OpenAI client makes, for applications that call
// providers directly rather than through Loupe's gateway. The client's own create() methods are
// wrapped in place: answers, streams and errors reach the caller as before, and each call is
// queued on a LoupeClient when it ends. A stream is asked for its usage chunk (the gateway's rule:
// OpenAI reports streaming usage only when asked), which is kept from a caller that did not ask.
import { outputWithReasoning } from '../domain/usage.js';
import { countO200k } from '../pricing/token-count.js';
import type { CallInput, LoupeClient } from './loupe-client.js';
import { observeResponses, type Creatable } from './observe-openai-responses.js';
import { attributionNow, failureOf, isObject, observeAnswer, observeStream, unansweredUsage, type Json, type ObserveOptions } from './observed-call.js';


/** What of an OpenAI client is wrapped (the official `openai` package's client fits it). */
export interface OpenAiLike {
  baseURL?: string;
  chat: { completions: Creatable };
  embeddings?: Creatable;
  responses?: Creatable;
}

const HOSTS: [RegExp, string][] = [
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)mistral\.ai$/, 'mistral'],
  [/(^|\.)groq\.com$/, 'groq'],
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)together\.(xyz|ai)$/, 'together'],
  [/(^|\.)x\.ai$/, 'xai'],
  [/(^|\.)fireworks\.ai$/, 'fireworks'],
  [/(^|\.)openai\.azure\.com$/, 'azure'],
  // Gemini's OpenAI-compatible endpoint (…/v1beta/openai/): priced as Google's models.
  [/^generativelanguage\.googleapis\.com$/, 'gemini'],
];

function providerOf(baseUrl: string | undefined): string {
  if (!baseUrl) return 'openai';
  try {
    const url = new URL(baseUrl);
    if (url.port === '11434') return 'ollama';
    return HOSTS.find(([pattern]) => pattern.test(url.hostname))?.[1] ?? 'openai';
  } catch {
    return 'openai';
  }
}

const PARAM_KEYS = ['temperature', 'max_tokens', 'max_completion_tokens', 'max_output_tokens', 'reasoning', 'reasoning_effort', 'top_p', 'frequency_penalty', 'presence_penalty', 'stop', 'seed', 'n', 'response_format', 'tools', 'tool_choice', 'parallel_tool_calls'];

function paramsOf(body: Json): Json {
  const params: Json = {};
  for (const key of PARAM_KEYS) if (body[key] !== undefined) params[key] = body[key];
  return params;
}

interface Usage {
  prompt: number;
  completion: number;
  cached: number;
  reasoning: number;
}

function usageOf(value: unknown): Usage | null {
  if (!isObject(value)) return null;
  const count = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.floor(x) : 0);
  const prompt = count(value.prompt_tokens);
  const reasoning = count(isObject(value.completion_tokens_details) ? value.completion_tokens_details.reasoning_tokens : 0);
  const total = typeof value.total_tokens === 'number' ? count(value.total_tokens) : null;
  return {
    prompt,
    completion: outputWithReasoning({ prompt, completion: count(value.completion_tokens), reasoning, total }),
    // DeepSeek counts cache reads as prompt_cache_hit_tokens, as the gateway reads them (convert-usage.ts).
    cached: Math.max(count(isObject(value.prompt_tokens_details) ? value.prompt_tokens_details.cached_tokens : 0), count(value.prompt_cache_hit_tokens)),
    reasoning,
  };
}

function usageFields(usage: Usage | null, input: unknown, outputText: string): Partial<CallInput> {
  if (usage) {
    return { prompt_tokens: usage.prompt, completion_tokens: usage.completion, cached_tokens: Math.min(usage.cached, usage.prompt), reasoning_tokens: Math.min(usage.reasoning, usage.completion), usage_source: 'provider' };
  }
  // No usage reported (a stream cut short, or one whose caller turned usage off): counted here.
  return { prompt_tokens: input == null ? 0 : countO200k(JSON.stringify(input)), completion_tokens: countO200k(outputText), usage_source: 'estimated' };
}

/** A streamed answer put back together: its text, tool calls, finish reason and usage. */
class StreamedAnswer {
  content = '';
  finishReason: string | null = null;
  model: string | null = null;
  usage: Usage | null = null;
  firstChunkAt: number | null = null;
  private readonly toolCalls = new Map<number, { id: unknown; name: string; arguments: string }>();

  take(chunk: unknown): void {
    if (!isObject(chunk)) return;
    if (typeof chunk.model === 'string') this.model = chunk.model;
    if (isObject(chunk.usage)) this.usage = usageOf(chunk.usage);
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : null;
    if (!choice) return;
    this.firstChunkAt ??= performance.now();
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
    const delta = isObject(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string') this.content += delta.content;
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (!isObject(call)) continue;
        const index = typeof call.index === 'number' ? call.index : this.toolCalls.size;
        const fn = isObject(call.function) ? call.function : {};
        const known = this.toolCalls.get(index) ?? { id: call.id ?? null, name: '', arguments: '' };
        if (typeof fn.name === 'string') known.name += fn.name;
        if (typeof fn.arguments === 'string') known.arguments += fn.arguments;
        this.toolCalls.set(index, known);
      }
    }
  }

  message(): Json {
    const message: Json = { role: 'assistant', content: this.content || null };
    if (this.toolCalls.size > 0) {
      message.tool_calls = [...this.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
    }
    return message;
  }

  get toolCallCount(): number {
    return this.toolCalls.size;
  }
}

export function observeOpenAI<T extends OpenAiLike>(client: T, loupe: LoupeClient, options: ObserveOptions = {}): T {
  const provider = options.provider ?? providerOf(client.baseURL);
  const base = (body: Json, endpoint: string, startedAt: number): CallInput => ({
    provider, model: typeof body.model === 'string' && body.model ? body.model : 'unknown', endpoint, started_at: startedAt, params: paramsOf(body),
    ...attributionNow(options),
  });

  const completions = client.chat.completions;
  const createChat = completions.create.bind(completions);
  completions.create = (body: Json, requestOptions?: unknown) => {
    const startedAt = Date.now();
    const start = performance.now();
    const streaming = body.stream === true;
    // The usage chunk is asked for when the caller left stream_options alone, and then hidden.
    const askUsage = streaming && body.stream_options === undefined;
    const sent = askUsage ? { ...body, stream_options: { include_usage: true } } : body;
    const call = base(body, '/v1/chat/completions', startedAt);
    const failed = (error: unknown) => loupe.record({ ...call, is_streaming: streaming, latency_ms: performance.now() - start, input: body.messages, ...failureOf(error), ...unansweredUsage() });
    return observeAnswer(createChat(sent, requestOptions), (result) => {
      if (!streaming) {
        const answer = isObject(result) ? result : {};
        const choice = Array.isArray(answer.choices) && isObject(answer.choices[0]) ? answer.choices[0] : {};
        const message = isObject(choice.message) ? choice.message : null;
        loupe.record({
          ...call, is_streaming: false, latency_ms: performance.now() - start, status: 'success', http_status: 200,
          response_model: typeof answer.model === 'string' ? answer.model : null,
          finish_reason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
          tool_calls_count: Array.isArray(message?.tool_calls) ? message.tool_calls.length : 0,
          input: body.messages, output: message,
          ...usageFields(usageOf(answer.usage), body.messages, typeof message?.content === 'string' ? message.content : ''),
        });
        return result;
      }
      const answer = new StreamedAnswer();
      return observeStream(result as object, (chunk) => {
        answer.take(chunk);
        const usageOnly = isObject(chunk) && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage);
        return !(askUsage && usageOnly);
      }, (failure) => {
        const latency = performance.now() - start;
        const ttft = answer.firstChunkAt === null ? null : answer.firstChunkAt - start;
        const usage = usageFields(answer.usage, body.messages, answer.content);
        const generationMs = ttft === null ? 0 : latency - ttft;
        const ended = failure !== null ? failureOf(failure) : answer.finishReason === null ? { status: 'cancelled' as const } : { status: 'success' as const, http_status: 200 };
        loupe.record({
          ...call, is_streaming: true, latency_ms: latency, ttft_ms: ttft,
          tokens_per_second: generationMs > 0 && (usage.completion_tokens ?? 0) > 0 ? (usage.completion_tokens ?? 0) / (generationMs / 1000) : null,
          response_model: answer.model, finish_reason: answer.finishReason, tool_calls_count: answer.toolCallCount,
          input: body.messages, output: answer.message(), ...usage, ...ended,
        });
      });
    }, failed);
  };

  const embeddings = client.embeddings;
  if (embeddings) {
    const createEmbeddings = embeddings.create.bind(embeddings);
    embeddings.create = (body: Json, requestOptions?: unknown) => {
      const call = base(body, '/v1/embeddings', Date.now());
      const start = performance.now();
      return observeAnswer(createEmbeddings(body, requestOptions), (result) => {
        const usage = usageOf(isObject(result) ? result.usage : null);
        loupe.record({ ...call, latency_ms: performance.now() - start, status: 'success', http_status: 200, input: body.input, ...usageFields(usage ? { ...usage, completion: 0 } : null, body.input, '') });
        return result;
      }, (error) => loupe.record({ ...call, latency_ms: performance.now() - start, input: body.input, ...failureOf(error), ...unansweredUsage() }));
    };
  }
  if (client.responses) observeResponses(client.responses, loupe, base);
  return client;
}
