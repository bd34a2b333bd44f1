// Ollama answer fields → canonical usage, generation timings, finish reason and OpenAI tool
// calls. Ollama's own eval_duration (ns spent generating) gives tokens/s without guessing.
import type { CanonicalUsage } from '../../domain/usage.js';
import type { GenerationTimings } from '../kit/adapter.js';
import type { OpenAiToolCall } from '../kit/translated-chat-stream.js';
import { canonicalUsage } from '../kit/usage.js';
import type { OllamaChat } from './ollama-schemas.js';

export function convertOllamaUsage(answer: OllamaChat): CanonicalUsage | null {
  if (answer.prompt_eval_count == null && answer.eval_count == null) return null;
  return canonicalUsage({
    input: answer.prompt_eval_count ?? 0,
    output: answer.eval_count ?? 0,
    raw: { prompt_eval_count: answer.prompt_eval_count ?? null, eval_count: answer.eval_count ?? null },
  });
}

export function ollamaTimings(answer: OllamaChat): GenerationTimings | null {
  if (answer.eval_duration == null) return null;
  return {
    generationNs: answer.eval_duration,
    promptNs: answer.prompt_eval_duration ?? null,
    loadNs: answer.load_duration ?? null,
    totalNs: answer.total_duration ?? null,
  };
}

export function ollamaFinishReason(answer: OllamaChat, sawToolCalls: boolean): string {
  if (sawToolCalls) return 'tool_calls';
  return answer.done_reason === 'length' ? 'length' : 'stop';
}

/** Ollama sends arguments as an object and (in older versions) no call id. */
export function openAiToolCalls(answer: OllamaChat, firstIndex: number): OpenAiToolCall[] {
  return (answer.message?.tool_calls ?? []).map((call, offset) => {
    const index = firstIndex + offset;
    const args = call.function?.arguments;
    return {
      index,
      id: call.id ?? `call_${index}`,
      type: 'function' as const,
      function: { name: call.function?.name ?? '', arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
    };
  });
}

export function toOpenAiUsageBody(usage: CanonicalUsage): Record<string, number> {
  return { prompt_tokens: usage.input.total, completion_tokens: usage.output.total, total_tokens: usage.input.total + usage.output.total };
}
