// An OpenAI chat answer said in Anthropic's Messages format, for a client of the Messages API
// served by an OpenAI-compatible model: a whole answer becomes one message (a thinking block for
// the model's reasoning, text and tool_use blocks, the stop reason, usage with cache reads apart
// from input_tokens as Anthropic counts them); a stream becomes Anthropic's events, written as
// the chunks arrive. Reasoning (DeepSeek's, vLLM's `reasoning_content`, OpenRouter's `reasoning`)
// carries no signature: the thinking block's is empty, and such a block sent back in a later
// turn is dropped on the way to the model (messages-to-chat.ts).
import type { CanonicalUsage } from '../../domain/usage.js';
import type { CallPlan } from '../kit/adapter.js';
import type { ChatChunk, CompletionBody } from './openai-schemas.js';

type Json = Record<string, unknown>;

export function anthropicStopReason(finish: string | null | undefined): string | null {
  switch (finish) {
    case undefined: case null: return null;
    case 'length': return 'max_tokens';
    case 'tool_calls': case 'function_call': return 'tool_use';
    case 'content_filter': return 'refusal';
    default: return 'end_turn';
  }
}

/** Anthropic's input_tokens leave out the tokens read from and written to the cache, which it counts apart. */
export function anthropicUsage(usage: CanonicalUsage | null): Json {
  if (!usage) return { input_tokens: 0, output_tokens: 0 };
  return { input_tokens: usage.input.total - usage.input.cacheRead - usage.input.cacheWrite, output_tokens: usage.output.total, cache_read_input_tokens: usage.input.cacheRead, cache_creation_input_tokens: usage.input.cacheWrite };
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    return {};
  }
}

export function chatAnswerToMessage(answer: CompletionBody, plan: CallPlan, usage: CanonicalUsage | null): Json {
  const choice = answer.choices?.[0];
  const message = choice?.message;
  const content: Json[] = [];
  const reasoning = message?.reasoning_content ?? message?.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (typeof message?.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  for (const call of message?.tool_calls ?? []) content.push({ type: 'tool_use', id: call.id ?? '', name: call.function?.name ?? '', input: parseArguments(call.function?.arguments ?? '') });
  return {
    id: plan.id, type: 'message', role: 'assistant', model: answer.model ?? plan.model, content,
    stop_reason: anthropicStopReason(choice?.finish_reason), stop_sequence: null, usage: anthropicUsage(usage),
  };
}

const event = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** Writes Anthropic's stream events for OpenAI chunks: one content block open at a time. */
export class AnthropicEventWriter {
  private started = false;
  private index = -1;
  private open: 'thinking' | 'text' | number | null = null;

  constructor(private readonly plan: CallPlan) {}

  chunk(chunk: ChatChunk): string {
    let out = this.start(chunk.model);
    const delta = chunk.choices?.[0]?.delta;
    const reasoning = delta?.reasoning_content ?? delta?.reasoning ?? '';
    if (reasoning !== '') {
      if (this.open !== 'thinking') out += this.openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
      out += event('content_block_delta', { index: this.index, delta: { type: 'thinking_delta', thinking: reasoning } });
    }
    const text = delta?.content ?? '';
    if (text !== '') {
      if (this.open !== 'text') out += this.openBlock('text', { type: 'text', text: '' });
      out += event('content_block_delta', { index: this.index, delta: { type: 'text_delta', text } });
    }
    for (const call of delta?.tool_calls ?? []) {
      const position = call.index ?? 0;
      if (this.open !== position) out += this.openBlock(position, { type: 'tool_use', id: call.id ?? '', name: call.function?.name ?? '', input: {} });
      const partial = call.function?.arguments ?? '';
      if (partial !== '') out += event('content_block_delta', { index: this.index, delta: { type: 'input_json_delta', partial_json: partial } });
    }
    return out;
  }

  /** The close of a finished answer: the open block, the stop reason with the usage, message_stop. */
  end(finishReason: string | null, usage: CanonicalUsage | null, model: string | null): string {
    let out = this.start(model);
    if (this.open !== null) out += event('content_block_stop', { index: this.index });
    this.open = null;
    out += event('message_delta', { delta: { stop_reason: anthropicStopReason(finishReason), stop_sequence: null }, usage: anthropicUsage(usage) });
    return out + event('message_stop', {});
  }

  private start(model: string | null | undefined): string {
    if (this.started) return '';
    this.started = true;
    // The usage is known only at the end (message_delta carries it whole).
    return event('message_start', { message: { id: this.plan.id, type: 'message', role: 'assistant', model: model ?? this.plan.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } });
  }

  private openBlock(key: 'thinking' | 'text' | number, block: Json): string {
    const close = this.open !== null ? event('content_block_stop', { index: this.index }) : '';
    this.open = key;
    this.index += 1;
    return `${close}${event('content_block_start', { index: this.index, content_block: block })}`;
  }
}
