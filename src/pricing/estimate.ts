// Cost estimate before a call (seed 003): the prompt's tokens counted with a real tokenizer
// and priced like a recorded call, with the output priced at max_tokens.
import { countCl100k, countO200k } from './token-count.js';
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

/** OpenAI models are counted exactly with their own encoding; others approximately with o200k_base. */
const O200K_FAMILIES = /^(openai\/)?(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o\d|chatgpt)/;
const CL100K_FAMILIES = /^(openai\/)?(gpt-4|gpt-3\.5|text-embedding-(ada-002|3))/;

function tokenizerFor(model: string): { name: string; exact: boolean; count: (text: string) => number } {
  if (O200K_FAMILIES.test(model)) return { name: 'o200k_base', exact: true, count: countO200k };
  if (CL100K_FAMILIES.test(model)) return { name: 'cl100k_base', exact: true, count: countCl100k };
  return { name: 'o200k_base', exact: false, count: countO200k };
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : '')).join('');
  return JSON.stringify(content ?? '');
}

export function estimateCost(input: EstimateInput, settings: CostSettings) {
  const text = input.messages ? input.messages.map((message) => `${message.role}\n${messageText(message.content)}`).join('\n') : (input.prompt ?? '');
  const tokenizer = tokenizerFor(input.model);
  // About 3 tokens of framing per chat message, as OpenAI's counting guide describes.
  const promptTokens = tokenizer.count(text) + (input.messages ? input.messages.length * 3 + 3 : 0);
  const outputTokens = input.max_tokens ?? 0;
  const call = normalizeCall({ provider: input.provider, model: input.model, prompt_tokens: promptTokens, completion_tokens: outputTokens }, { projectId: input.projectId, apiKeyId: null });
  priceCall(call);
  settings.apply(call);
  return {
    provider: input.provider,
    model: input.model,
    prompt_tokens: promptTokens,
    max_output_tokens: outputTokens,
    tokenizer: tokenizer.name,
    tokenizer_exact: tokenizer.exact,
    price_source: call.price_source,
    input_cost_usd: call.price_source === 'unpriced' ? null : call.input_cost_usd,
    output_cost_usd: call.price_source === 'unpriced' ? null : call.output_cost_usd,
    estimated_cost_usd: call.cost_usd,
    note: call.price_source === 'unpriced' ? `no price is known for ${input.provider}/${input.model}; set one in cost settings` : 'output priced at max_tokens: the most this call can cost',
  };
}
