// Watches an OpenAI-format SSE stream on its way to the client: first token, usage, finish
// reason, response model, tool calls and the generated text, without rebuilding chunks.
// Events pass through byte for byte, except the usage-only chunk that the gateway itself
// asked for, which the client did not request and never sees.
import { z } from 'zod';
import { createSseReader, type SseFrame } from '../providers/kit/sse.js';
import { EMPTY_BYTES, concatBytes } from '../providers/kit/bytes.js';

const usageSchema = z.looseObject({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  /** Anthropic's cache writes, carried through the translated usage. */
  cache_creation_input_tokens: z.number().nullish(),
  /** Ollama's own generation time (eval_duration), carried through the translated usage. */
  generation_duration_ns: z.number().nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});
export type OpenAiUsage = z.infer<typeof usageSchema>;

const chunkSchema = z.looseObject({
  model: z.string().optional(),
  choices: z.array(z.looseObject({
    index: z.number().optional(),
    delta: z.looseObject({
      content: z.string().nullish(),
      reasoning_content: z.string().nullish(),
      tool_calls: z.array(z.looseObject({ index: z.number().optional(), id: z.string().nullish(), function: z.looseObject({ arguments: z.string().nullish() }).nullish() })).nullish(),
    }).nullish(),
    text: z.string().nullish(),
    finish_reason: z.string().nullish(),
  })).optional(),
  usage: usageSchema.nullish(),
  error: z.unknown().optional(),
});

export interface StreamObservation {
  firstTokenAt: number | null;
  usage: OpenAiUsage | null;
  finishReason: string | null;
  responseModel: string | null;
  /** Distinct tool calls, keyed by choice and tool-call index (ids come only in the first delta). */
  toolCallKeys: Set<string>;
  text: string;
  sawDone: boolean;
  error: string | null;
}

export interface ChatStreamTap {
  /** Bytes to forward to the client for this upstream read. */
  push(chunk: Uint8Array, now: number): Uint8Array;
  end(now: number): Uint8Array;
  readonly observation: StreamObservation;
}

export function createChatStreamTap(stripUsageChunk: boolean): ChatStreamTap {
  const reader = createSseReader(chunkSchema);
  const observation: StreamObservation = { firstTokenAt: null, usage: null, finishReason: null, responseModel: null, toolCallKeys: new Set(), text: '', sawDone: false, error: null };

  function observe(frames: SseFrame<z.infer<typeof chunkSchema>>[], now: number): Uint8Array {
    const forward: Uint8Array[] = [];
    for (const frame of frames) {
      let usageOnly = false;
      for (const part of frame.parts) {
        if (part.type === 'done') observation.sawDone = true;
        else if (part.type === 'error') observation.error ??= part.message;
        else {
          const chunk = part.value;
          if (chunk.model) observation.responseModel = chunk.model;
          // Providers that repeat cumulative usage on every chunk: the last one wins.
          if (chunk.usage) observation.usage = chunk.usage;
          if (chunk.error !== undefined) observation.error ??= JSON.stringify(chunk.error).slice(0, 500);
          const choices = chunk.choices ?? [];
          usageOnly = choices.length === 0 && Boolean(chunk.usage);
          for (const [position, choice] of choices.entries()) {
            const text = `${choice.delta?.content ?? ''}${choice.delta?.reasoning_content ?? ''}${choice.text ?? ''}`;
            const toolCalls = choice.delta?.tool_calls ?? [];
            if ((text || toolCalls.length > 0) && observation.firstTokenAt === null) observation.firstTokenAt = now;
            observation.text += text;
            for (const call of toolCalls) {
              observation.toolCallKeys.add(`${choice.index ?? position}:${call.index ?? 0}`);
              observation.text += call.function?.arguments ?? '';
            }
            if (choice.finish_reason) observation.finishReason = choice.finish_reason;
          }
        }
      }
      if (!(stripUsageChunk && usageOnly)) forward.push(frame.bytes);
    }
    return forward.length === 0 ? EMPTY_BYTES : forward.length === 1 ? forward[0]! : concatBytes(forward);
  }

  return {
    push: (chunk, now) => observe(reader.push(chunk), now),
    end: (now) => observe(reader.end(), now),
    observation,
  };
}
