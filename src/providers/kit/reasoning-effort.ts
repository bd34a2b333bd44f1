// OpenAI's `reasoning_effort`, read for the providers whose own APIs say it another way
// (Anthropic's thinking budget, Gemini's thinking config, Ollama's `think`). OpenAI-compatible
// providers get the field as the caller sent it.
import { RequestFieldError } from './request-field-error.js';

export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/**
 * Tokens of thinking allowed per level, where a provider counts thinking in tokens. 1,024 is
 * Anthropic's least budget; each level after it is a step of about four times the cost.
 */
export const THINKING_BUDGETS: Readonly<Record<Exclude<ReasoningEffort, 'none'>, number>> = Object.freeze({
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
});

/** The request's reasoning effort, if it names one; a value OpenAI does not define is the caller's mistake. */
export function reasoningEffortOf(body: Readonly<Record<string, unknown>>): ReasoningEffort | undefined {
  const value = body.reasoning_effort;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && (REASONING_EFFORTS as readonly string[]).includes(value)) return value as ReasoningEffort;
  throw new RequestFieldError('reasoning_effort', `reasoning_effort must be one of ${REASONING_EFFORTS.join(', ')}`);
}

/**
 * The thinking a request allows beyond its answer when it sets no output cap: an
 * Anthropic-style `thinking` object's budget, else its effort's (0 when it asks for none, or
 * names a value that is not a level).
 */
export function thinkingBudgetOf(body: Readonly<Record<string, unknown>>): number {
  const thinking = body.thinking;
  if (thinking !== null && typeof thinking === 'object' && typeof (thinking as { budget_tokens?: unknown }).budget_tokens === 'number') {
    return Math.max(0, (thinking as { budget_tokens: number }).budget_tokens);
  }
  const value = body.reasoning_effort;
  return typeof value === 'string' && Object.hasOwn(THINKING_BUDGETS, value) ? THINKING_BUDGETS[value as keyof typeof THINKING_BUDGETS] : 0;
}
