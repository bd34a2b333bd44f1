// OpenAI usage → canonical usage. `prompt_tokens` already includes the cached tokens and
// `completion_tokens` already includes the reasoning tokens: the details are split out of
// the totals, never added to them. DeepSeek counts its cache reads as `prompt_cache_hit_tokens`
// (with or without OpenAI's `cached_tokens` beside it): the larger of the two stands.
import type { CanonicalUsage } from '../../domain/usage.js';
import { canonicalUsage } from '../kit/usage.js';
import type { OpenAiUsage } from './openai-schemas.js';

export function convertOpenAiUsage(usage: OpenAiUsage): CanonicalUsage {
  return canonicalUsage({
    input: usage.prompt_tokens ?? 0,
    cacheRead: Math.max(usage.prompt_tokens_details?.cached_tokens ?? 0, usage.prompt_cache_hit_tokens ?? 0),
    output: usage.completion_tokens ?? 0,
    reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    raw: usage,
  });
}
