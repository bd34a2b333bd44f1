// Lenient schemas for the OpenAI wire format: only the fields Loupe reads, all optional, and
// loose objects so that provider extras (OpenRouter's `reasoning`, vLLM's stats) never fail.
import { z } from 'zod';

const count = z.number().nullish();

export const openAiUsageSchema = z.looseObject({
  prompt_tokens: count,
  completion_tokens: count,
  total_tokens: count,
  prompt_tokens_details: z.looseObject({ cached_tokens: count }).nullish(),
  /** DeepSeek's count of the prompt tokens read from its cache (part of prompt_tokens). */
  prompt_cache_hit_tokens: count,
  completion_tokens_details: z.looseObject({ reasoning_tokens: count }).nullish(),
});
export type OpenAiUsage = z.infer<typeof openAiUsageSchema>;

const toolCallDeltaSchema = z.looseObject({
  index: z.number().optional(),
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const chatChunkSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().optional(),
        delta: z
          .looseObject({
            content: z.string().nullish(),
            // DeepSeek, vLLM and LM Studio use reasoning_content; OpenRouter uses reasoning.
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
            tool_calls: z.array(toolCallDeltaSchema).nullish(),
          })
          .nullish(),
        // Legacy completions stream text instead of deltas.
        text: z.string().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAiUsageSchema.nullish(),
  // OpenRouter and some proxies report a failure inside the stream.
  error: z.unknown().optional(),
});
export type ChatChunk = z.infer<typeof chatChunkSchema>;

const toolCallSchema = z.looseObject({
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const completionBodySchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        message: z
          .looseObject({
            content: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
            tool_calls: z.array(toolCallSchema).nullish(),
          })
          .nullish(),
        text: z.string().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  // Embeddings answers carry `data` instead of `choices`.
  data: z.array(z.unknown()).nullish(),
  usage: openAiUsageSchema.nullish(),
  error: z.unknown().optional(),
});
export type CompletionBody = z.infer<typeof completionBodySchema>;

export const modelListSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string(), owned_by: z.string().nullish(), created: z.number().nullish() })),
});
