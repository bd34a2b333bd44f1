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

/** Output an answer is given room for when the caller sets no cap (and a budget's worst case assumes). */
export const DEFAULT_ANSWER_TOKENS = 4096;

/** The caller's output cap, under either of OpenAI's names. */
function outputCap(body: Readonly<Record<string, unknown>>): { param: string; value: unknown } | undefined {
  for (const param of ['max_completion_tokens', 'max_tokens']) {
    const value = body[param];
    if (value !== undefined && value !== null) return { param, value };
  }
  return undefined;
}

/**
 * Claude's thinking and output cap for a request, on any API that serves Claude (its own,
 * Bedrock's). A Claude-style `thinking` object is sent as given; else `reasoning_effort` sets a
 * budget. Claude counts thinking inside its cap (as OpenAI counts reasoning inside
 * max_completion_tokens), so a caller's cap stays the cap and the budget shrinks under it; with
 * no cap, the answer keeps its default room above the budget.
 */
export function budgetedThinking(body: Readonly<Record<string, unknown>>, model: string): { thinking?: Record<string, unknown>; maxTokens: unknown } {
  const cap = outputCap(body);
  const asked = body.thinking;
  if (asked !== null && typeof asked === 'object' && !Array.isArray(asked)) {
    return { thinking: asked as Record<string, unknown>, maxTokens: cap?.value ?? DEFAULT_ANSWER_TOKENS + thinkingBudgetOf(body) };
  }
  const effort = reasoningEffortOf(body);
  if (effort === undefined || effort === 'none') return { maxTokens: cap?.value ?? DEFAULT_ANSWER_TOKENS };
  const budget = THINKING_BUDGETS[effort];
  if (!cap) return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens: DEFAULT_ANSWER_TOKENS + budget };
  const least = THINKING_BUDGETS.minimal;
  if (typeof cap.value !== 'number' || cap.value <= least) {
    throw new RequestFieldError(cap.param, `${cap.param} must be a number above ${least} when reasoning_effort asks ${model} to think: its thinking alone may take ${least} tokens`);
  }
  return { thinking: { type: 'enabled', budget_tokens: Math.min(budget, cap.value - 1) }, maxTokens: cap.value };
}
