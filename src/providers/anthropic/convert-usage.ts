// Anthropic usage → canonical usage. Anthropic's `input_tokens` excludes the cache, so the
// prompt total is input + cache read + cache write, each counted exactly once.
import type { CanonicalUsage } from '../../domain/usage.js';
import { canonicalUsage } from '../kit/usage.js';
import type { z } from 'zod';
import type { anthropicUsageSchema } from './anthropic-schemas.js';

export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

export function convertAnthropicUsage(usage: AnthropicUsage): CanonicalUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return canonicalUsage({
    input: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
    cacheRead,
    cacheWrite,
    output: usage.output_tokens ?? 0,
    raw: usage,
  });
}

/** message_delta repeats counts cumulatively: a later non-null value replaces the earlier one. */
export function mergeAnthropicUsage(previous: AnthropicUsage, next: AnthropicUsage | undefined): AnthropicUsage {
  if (next === undefined) return previous;
  const merged: AnthropicUsage = { ...previous };
  if (typeof next.input_tokens === 'number') merged.input_tokens = next.input_tokens;
  if (typeof next.output_tokens === 'number') merged.output_tokens = next.output_tokens;
  if (typeof next.cache_read_input_tokens === 'number') merged.cache_read_input_tokens = next.cache_read_input_tokens;
  if (typeof next.cache_creation_input_tokens === 'number') merged.cache_creation_input_tokens = next.cache_creation_input_tokens;
  return merged;
}

/** Canonical usage in OpenAI's shape for translated answers; cache writes ride along as Anthropic names them. */
export function toOpenAiUsageBody(usage: CanonicalUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.input.total,
    completion_tokens: usage.output.total,
    total_tokens: usage.input.total + usage.output.total,
    prompt_tokens_details: { cached_tokens: usage.input.cacheRead },
    cache_creation_input_tokens: usage.input.cacheWrite,
  };
}
