// The most a gateway call can cost: its prompt's tokens (counted with a real tokenizer) plus
// the output it may produce (max_tokens or its other names, or a default when the client sets none), priced
// like a recorded call would be. Budgets reserve this before the call goes upstream.
import { countO200k } from '../pricing/token-count.js';
import type { CostSettings } from '../pricing/cost-settings.js';
import { createPricer } from '../pricing/pricer.js';
import { DEFAULT_ANSWER_TOKENS, thinkingBudgetOf } from '../providers/kit/reasoning-effort.js';


export interface WorstCaseInput {
  projectId: string;
  provider: string;
  model: string;
  body: Record<string, unknown>;
  /** The upstream timeout: the longest a local model can run. */
  timeoutMs: number;
}

function maxOutput(body: Record<string, unknown>): number {
  // max_output_tokens: the Responses API's name for it.
  for (const field of ['max_completion_tokens', 'max_tokens', 'max_output_tokens']) {
    const value = body[field];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.ceil(value);
  }
  // Thinking asked for without a cap comes on top of the answer's default room (as the
  // translation to Claude sets max_tokens).
  return DEFAULT_ANSWER_TOKENS + thinkingBudgetOf(body);
}

/** The prompt's tokens, with the system prompt where the API keeps it apart (Anthropic's `system`, the Responses API's `instructions`). */
export function promptTokens(body: Record<string, unknown>): number {
  const parts = [body.system, body.instructions, body.messages ?? body.prompt ?? body.input ?? ''];
  return parts.reduce<number>((sum, part) => (part === undefined ? sum : sum + countO200k(typeof part === 'string' ? part : JSON.stringify(part))), 0);
}

export function worstCaseCost(input: WorstCaseInput, settings: CostSettings): number | null {
  return createPricer(settings).worstCaseCostUsd({
    projectId: input.projectId, provider: input.provider, model: input.model,
    promptTokens: promptTokens(input.body), maxOutputTokens: maxOutput(input.body), maxDurationMs: input.timeoutMs,
  });
}
