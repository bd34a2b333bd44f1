// Canonical token usage: every provider's counts are mapped into this one shape so that
// cost and analytics never need to know which provider produced a call. `raw` keeps the
// provider's own usage object for debugging.

export interface CanonicalUsage {
  input: { total: number; cacheRead: number; cacheWrite: number };
  output: { total: number; reasoning: number };
  raw?: unknown;
}

export function emptyUsage(): CanonicalUsage {
  return { input: { total: 0, cacheRead: 0, cacheWrite: 0 }, output: { total: 0, reasoning: 0 } };
}

/** The call-record token columns that a canonical usage fills. */
export interface UsageColumns {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

export function usageToColumns(usage: CanonicalUsage): UsageColumns {
  return {
    prompt_tokens: usage.input.total,
    completion_tokens: usage.output.total,
    total_tokens: usage.input.total + usage.output.total,
    cached_tokens: usage.input.cacheRead,
    cache_write_tokens: usage.input.cacheWrite,
    reasoning_tokens: usage.output.reasoning,
  };
}

export function columnsToUsage(columns: Partial<UsageColumns>): CanonicalUsage {
  return {
    input: {
      total: columns.prompt_tokens ?? 0,
      cacheRead: columns.cached_tokens ?? 0,
      cacheWrite: columns.cache_write_tokens ?? 0,
    },
    output: { total: columns.completion_tokens ?? 0, reasoning: columns.reasoning_tokens ?? 0 },
  };
}

/**
 * All output tokens of an OpenAI-format usage, reasoning included. OpenAI counts reasoning
 * inside `completion_tokens`; some servers and converters of Gemini's usage report it beside
 * them instead (their `total_tokens` is prompt + completion + reasoning, or reasoning exceeds the
 * completion count), which would bill the reasoning as nothing. Such a count gets its reasoning
 * added; OpenAI's own (total = prompt + completion) is left as it is.
 */
export function outputWithReasoning(counts: { prompt: number; completion: number; reasoning: number; total: number | null }): number {
  const { prompt, completion, reasoning, total } = counts;
  if (reasoning <= 0) return completion;
  const beside = reasoning > completion || (total !== null && total === prompt + completion + reasoning);
  return beside ? completion + reasoning : completion;
}
