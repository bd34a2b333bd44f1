// Cost estimate before a call (seed 003): the prompt's tokens counted with a real tokenizer
// and priced like a recorded call, with the output priced at max_tokens.
import { countTokens } from 'gpt-tokenizer';
import { normalizeCall } from '../domain/normalize-call.js';
import type { CostSettings } from './cost-settings.js';
import { priceCall } from './price-call.js';

export interface EstimateInput {
  projectId: string;
  provider: string;
  model: string;
  prompt?: string | undefined;
  messages?: { role: string; content: unknown }[] | undefined;
  max_tokens?: number | undefined;
}

/** OpenAI models are counted exactly (o200k_base); others approximately with the same encoding. */
const EXACT_FAMILIES = /^(gpt-4o|gpt-4\.1|gpt-5|o\d|chatgpt)/;

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : '')).join('');
  return JSON.stringify(content ?? '');
}

export function estimateCost(input: EstimateInput, settings: CostSettings) {
  const text = input.messages ? input.messages.map((message) => `${message.role}\n${messageText(message.content)}`).join('\n') : (input.prompt ?? '');
  // About 3 tokens of framing per chat message, as OpenAI's counting guide describes.
  const promptTokens = countTokens(text) + (input.messages ? input.messages.length * 3 + 3 : 0);
  const outputTokens = input.max_tokens ?? 0;
  const call = normalizeCall({ provider: input.provider, model: input.model, prompt_tokens: promptTokens, completion_tokens: outputTokens }, { projectId: input.projectId, apiKeyId: null });
  priceCall(call);
  settings.apply(call);
  return {
    provider: input.provider,
    model: input.model,
    prompt_tokens: promptTokens,
    max_output_tokens: outputTokens,
    tokenizer: 'o200k_base',
    tokenizer_exact: EXACT_FAMILIES.test(input.model),
    price_source: call.price_source,
    input_cost_usd: call.price_source === 'unpriced' ? null : call.input_cost_usd,
    output_cost_usd: call.price_source === 'unpriced' ? null : call.output_cost_usd,
    estimated_cost_usd: call.cost_usd,
    note: call.price_source === 'unpriced' ? `no price is known for ${input.provider}/${input.model}; set one in cost settings` : 'output priced at max_tokens: the most this call can cost',
  };
}
