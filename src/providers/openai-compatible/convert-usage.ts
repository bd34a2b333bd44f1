// OpenAI usage → canonical usage. `prompt_tokens` already includes the cached tokens and
// `completion_tokens` already includes the reasoning tokens: the details are split out of
// the totals, never added to them. DeepSeek counts its cache reads as `prompt_cache_hit_tokens`
// (with or without OpenAI's `cached_tokens` beside it): the larger of the two stands. Reasoning
// reported beside the completion count instead of inside it is added (outputWithReasoning).
import { outputWithReasoning, type CanonicalUsage } from '../../domain/usage.js';
import { canonicalUsage } from '../kit/usage.js';
import type { OpenAiUsage } from './openai-schemas.js';

export function convertOpenAiUsage(usage: OpenAiUsage): CanonicalUsage {
  const prompt = usage.prompt_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  return canonicalUsage({
    input: prompt,
    cacheRead: Math.max(usage.prompt_tokens_details?.cached_tokens ?? 0, usage.prompt_cache_hit_tokens ?? 0),
    output: outputWithReasoning({ prompt, completion: usage.completion_tokens ?? 0, reasoning, total: usage.total_tokens ?? null }),
    reasoning,
    raw: usage,
  });
}
