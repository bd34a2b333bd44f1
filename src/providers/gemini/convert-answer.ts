// Gemini answer fields → canonical usage, OpenAI finish reasons, and the answer's text, thinking
// and function calls. Gemini counts thinking apart from the answer (`thoughtsTokenCount` beside
// `candidatesTokenCount`) and bills both as output, so both make the completion; prompt tokens
// include the cached ones, and a tool-use prompt (from built-in tools) is billed as input.
import type { CanonicalUsage } from '../../domain/usage.js';
import type { OpenAiToolCall } from '../kit/translated-chat-stream.js';
import { canonicalUsage } from '../kit/usage.js';
import type { GeminiAnswer, GeminiPart, GeminiUsage } from './gemini-schemas.js';

export function convertGeminiUsage(usage: GeminiUsage | null | undefined): CanonicalUsage | null {
  if (!usage || (usage.promptTokenCount == null && usage.candidatesTokenCount == null && usage.thoughtsTokenCount == null)) return null;
  return canonicalUsage({
    input: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0),
    cacheRead: usage.cachedContentTokenCount ?? 0,
    output: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
    reasoning: usage.thoughtsTokenCount ?? 0,
    raw: usage,
  });
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'LANGUAGE']);

/** Gemini's finish reason in OpenAI's words; null while the answer goes on. */
export function geminiFinishReason(reason: string | null | undefined, sawToolCalls: boolean): string | null {
  if (!reason) return null;
  if (sawToolCalls && reason === 'STOP') return 'tool_calls';
  if (reason === 'MAX_TOKENS') return 'length';
  return FILTERED.has(reason) ? 'content_filter' : 'stop';
}

export interface AnswerParts {
  text: string;
  thinking: string;
  calls: OpenAiToolCall[];
}

/**
 * Joins a tool call's id and Gemini's thought signature for it: OpenAI clients send the id back
 * with the call on the next turn, which is how the signature returns to Gemini (Gemini 3 refuses a
 * function call of a thinking model sent back without it).
 */
export const SIGNATURE_MARK = '~sig~';

export function splitCallId(id: string): { id: string; signature: string | null } {
  const at = id.indexOf(SIGNATURE_MARK);
  return at < 0 ? { id, signature: null } : { id: id.slice(0, at), signature: id.slice(at + SIGNATURE_MARK.length) };
}

/** The first candidate's parts of one answer (or stream event); calls numbered from `firstIndex`. */
export function answerParts(answer: GeminiAnswer, firstIndex: number): AnswerParts {
  const parts: GeminiPart[] = answer.candidates?.[0]?.content?.parts ?? [];
  let text = '';
  let thinking = '';
  const calls: OpenAiToolCall[] = [];
  for (const part of parts) {
    if (part.functionCall) {
      const index = firstIndex + calls.length;
      // Gemini gives a call an id only on some models; OpenAI clients need one to answer it.
      const id = `${part.functionCall.id ?? `call_${index}`}${part.thoughtSignature ? `${SIGNATURE_MARK}${part.thoughtSignature}` : ''}`;
      calls.push({ index, id, type: 'function', function: { name: part.functionCall.name ?? '', arguments: JSON.stringify(part.functionCall.args ?? {}) } });
    } else if (part.thought) thinking += part.text ?? '';
    else text += part.text ?? '';
  }
  return { text, thinking, calls };
}

/** A prompt Gemini refused outright comes back with no candidate, only the reason. */
export function blockedPrompt(answer: GeminiAnswer): string | null {
  return (answer.candidates?.length ?? 0) === 0 ? (answer.promptFeedback?.blockReason ?? null) : null;
}

export function toOpenAiUsageBody(usage: CanonicalUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.input.total, completion_tokens: usage.output.total, total_tokens: usage.input.total + usage.output.total,
    prompt_tokens_details: { cached_tokens: usage.input.cacheRead }, completion_tokens_details: { reasoning_tokens: usage.output.reasoning },
  };
}
