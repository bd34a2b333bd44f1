// Anthropic Messages answers → OpenAI chat completion shapes: content and tool_use blocks,
// stop reasons, and usage by the accounting rules (prompt = input + cache read + cache
// write, each counted once).

import { mapStopReason } from './map-finish-reason.js';

export { mapStopReason };

type Json = Record<string, unknown>;

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export function toOpenAiUsage(usage: AnthropicUsage): Json {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0);
  const completion = usage.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cacheRead }, cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0 };
}

export function toOpenAiCompletion(answer: Json, created: number): Json {
  const blocks = (answer.content as Json[] | undefined) ?? [];
  const text = blocks.filter((block) => block.type === 'text').map((block) => String(block.text ?? '')).join('');
  const toolCalls = blocks.filter((block) => block.type === 'tool_use').map((block) => ({
    id: String(block.id), type: 'function', function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
  }));
  return {
    id: String(answer.id ?? ''), object: 'chat.completion', created, model: String(answer.model ?? ''),
    choices: [{ index: 0, message: { role: 'assistant', content: text || (toolCalls.length > 0 ? null : ''), ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) }, finish_reason: mapStopReason(answer.stop_reason), logprobs: null }],
    usage: toOpenAiUsage((answer.usage as AnthropicUsage | undefined) ?? {}),
  };
}

/** Anthropic's error body ({type:'error', error:{type, message}}) in OpenAI's shape. */
export function toOpenAiError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { type?: string; message?: string } };
    if (parsed.error) return JSON.stringify({ error: { message: parsed.error.message ?? 'upstream error', type: parsed.error.type ?? 'api_error', code: parsed.error.type ?? null, param: null } });
  } catch {
    // not JSON: wrapped below
  }
  return JSON.stringify({ error: { message: body.slice(0, 500), type: 'api_error', code: null, param: null } });
}
