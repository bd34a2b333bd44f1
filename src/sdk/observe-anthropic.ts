// Records every message an Anthropic client creates (`messages.create`, streamed or not; the
// client's `messages.stream()` helper goes through it), for applications that call Anthropic
// directly. Usage follows the gateway's rule for Anthropic: input, cache-read and cache-write
// counts from message_start, the cumulative output from message_delta (the last one stands),
// prompt_tokens = input + cache read + cache write, each counted once. The answer is kept in
// OpenAI's message shape, as every other call's.
import { convertAnthropicUsage, mergeAnthropicUsage, type AnthropicUsage } from '../providers/anthropic/convert-usage.js';
import { mapStopReason } from '../providers/anthropic/map-finish-reason.js';
import { countO200k } from '../pricing/token-count.js';
import type { CallInput, LoupeClient } from './loupe-client.js';
import { attributionNow, failureOf, isObject, observeAnswer, observeStream, unansweredUsage, type Json, type ObserveOptions } from './observed-call.js';

interface Creatable {
  create(body: Record<string, unknown>, options?: unknown): PromiseLike<unknown>;
}

/** What of an Anthropic client is wrapped (the official `@anthropic-ai/sdk` client fits it). */
export interface AnthropicLike {
  messages: Creatable;
}

const PARAM_KEYS = ['temperature', 'max_tokens', 'top_p', 'top_k', 'stop_sequences', 'tools', 'tool_choice', 'thinking', 'output_config'];

/** The request's messages with its system prompt first, as the call's input. */
function inputOf(body: Json): unknown {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return body.system === undefined ? messages : [{ role: 'system', content: body.system }, ...messages];
}

/** An Anthropic answer's blocks put back together in OpenAI's message shape. */
class Answer {
  text = '';
  thinking = '';
  model: string | null = null;
  stopReason: string | null = null;
  usage: AnthropicUsage | null = null;
  finished = false;
  firstDeltaAt: number | null = null;
  private readonly tools = new Map<number, { id: unknown; name: unknown; input: unknown; json: string }>();

  block(index: number, block: unknown): void {
    if (!isObject(block)) return;
    if (block.type === 'text' && typeof block.text === 'string') this.text += block.text;
    else if (block.type === 'thinking' && typeof block.thinking === 'string') this.thinking += block.thinking;
    else if (block.type === 'tool_use') this.tools.set(index, { id: block.id, name: block.name, input: block.input, json: '' });
  }

  /** One stream event; `now` marks the first content as the time to first token. */
  event(event: unknown, now: number): void {
    if (!isObject(event)) return;
    switch (event.type) {
      case 'message_start':
        if (isObject(event.message)) {
          if (typeof event.message.model === 'string') this.model = event.message.model;
          this.usage = mergeAnthropicUsage(this.usage ?? {}, isObject(event.message.usage) ? event.message.usage : undefined);
        }
        break;
      case 'content_block_start':
        if (typeof event.index === 'number') this.block(event.index, event.content_block);
        break;
      case 'content_block_delta': {
        this.firstDeltaAt ??= now;
        const delta = isObject(event.delta) ? event.delta : {};
        if (typeof delta.text === 'string') this.text += delta.text;
        else if (typeof delta.thinking === 'string') this.thinking += delta.thinking;
        else if (typeof delta.partial_json === 'string' && typeof event.index === 'number') {
          const tool = this.tools.get(event.index);
          if (tool) tool.json += delta.partial_json;
        }
        break;
      }
      case 'message_delta':
        if (isObject(event.delta) && typeof event.delta.stop_reason === 'string') this.stopReason = event.delta.stop_reason;
        this.usage = mergeAnthropicUsage(this.usage ?? {}, isObject(event.usage) ? event.usage : undefined);
        break;
      case 'message_stop':
        this.finished = true;
        break;
    }
  }

  get toolCallCount(): number {
    return this.tools.size;
  }

  message(): Json {
    const message: Json = { role: 'assistant', content: this.text || null };
    if (this.thinking) message.reasoning_content = this.thinking;
    if (this.tools.size > 0) {
      message.tool_calls = [...this.tools.entries()].sort(([a], [b]) => a - b).map(([, tool]) => ({
        id: tool.id, type: 'function', function: { name: tool.name, arguments: tool.json || JSON.stringify(tool.input ?? {}) },
      }));
    }
    return message;
  }

  /** Tokens as reported, or counted when the answer ended before its final counts. */
  usageFields(input: unknown, complete: boolean): Partial<CallInput> {
    if (this.usage && complete) {
      const usage = convertAnthropicUsage(this.usage);
      return { prompt_tokens: usage.input.total, completion_tokens: usage.output.total, cached_tokens: usage.input.cacheRead, cache_write_tokens: usage.input.cacheWrite, usage_source: 'provider' };
    }
    const reported = this.usage ? convertAnthropicUsage(this.usage) : null;
    return {
      prompt_tokens: reported && reported.input.total > 0 ? reported.input.total : countO200k(JSON.stringify(input)),
      completion_tokens: Math.max(reported?.output.total ?? 0, countO200k(this.text + this.thinking)),
      usage_source: 'estimated',
    };
  }
}

export function observeAnthropic<T extends AnthropicLike>(client: T, loupe: LoupeClient, options: ObserveOptions = {}): T {
  const provider = options.provider ?? 'anthropic';
  const messages = client.messages;
  const create = messages.create.bind(messages);
  messages.create = (body: Json, requestOptions?: unknown) => {
    const startedAt = Date.now();
    const start = performance.now();
    const streaming = body.stream === true;
    const params: Json = {};
    for (const key of PARAM_KEYS) if (body[key] !== undefined) params[key] = body[key];
    const input = inputOf(body);
    const call: CallInput = {
      provider, model: typeof body.model === 'string' && body.model ? body.model : 'unknown', endpoint: '/v1/messages', started_at: startedAt,
      params, is_streaming: streaming, input, ...attributionNow(options),
    };
    const answer = new Answer();
    const failed = (error: unknown) => loupe.record({ ...call, latency_ms: performance.now() - start, ...failureOf(error), ...unansweredUsage() });
    return observeAnswer(create(body, requestOptions), (result) => {
      if (!streaming) {
        const message = isObject(result) ? result : {};
        (Array.isArray(message.content) ? message.content : []).forEach((block, index) => answer.block(index, block));
        answer.model = typeof message.model === 'string' ? message.model : null;
        answer.usage = isObject(message.usage) ? mergeAnthropicUsage({}, message.usage) : null;
        loupe.record({
          ...call, latency_ms: performance.now() - start, status: 'success', http_status: 200, response_model: answer.model,
          finish_reason: mapStopReason(message.stop_reason), tool_calls_count: answer.toolCallCount, output: answer.message(),
          ...answer.usageFields(input, answer.usage !== null),
        });
        return result;
      }
      return observeStream(result as object, (event) => {
        answer.event(event, performance.now());
        return true;
      }, (failure) => {
        const latency = performance.now() - start;
        const ttft = answer.firstDeltaAt === null ? null : answer.firstDeltaAt - start;
        const usage = answer.usageFields(input, answer.finished);
        const generationMs = ttft === null ? 0 : latency - ttft;
        const ended = failure !== null ? failureOf(failure) : answer.finished ? { status: 'success' as const, http_status: 200 } : { status: 'cancelled' as const };
        loupe.record({
          ...call, latency_ms: latency, ttft_ms: ttft,
          tokens_per_second: generationMs > 0 && (usage.completion_tokens ?? 0) > 0 ? (usage.completion_tokens ?? 0) / (generationMs / 1000) : null,
          response_model: answer.model, finish_reason: mapStopReason(answer.stopReason), tool_calls_count: answer.toolCallCount,
          output: answer.message(), ...usage, ...ended,
        });
      });
    }, failed);
  };
  return client;
}
