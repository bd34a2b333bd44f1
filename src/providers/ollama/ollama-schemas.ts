// Lenient schemas for Ollama's native API: /api/chat answers and NDJSON lines, /api/tags.
import { z } from 'zod';

const count = z.number().nullish();

export const ollamaToolCallSchema = z.looseObject({
  id: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.unknown() }).nullish(),
});

export const ollamaChatSchema = z.looseObject({
  model: z.string().nullish(),
  message: z
    .looseObject({
      role: z.string().nullish(),
      content: z.string().nullish(),
      thinking: z.string().nullish(),
      tool_calls: z.array(ollamaToolCallSchema).nullish(),
    })
    .nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  prompt_eval_count: count,
  eval_count: count,
  total_duration: count,
  load_duration: count,
  prompt_eval_duration: count,
  eval_duration: count,
  error: z.string().nullish(),
});
export type OllamaChat = z.infer<typeof ollamaChatSchema>;

export const ollamaTagsSchema = z.looseObject({
  models: z.array(z.looseObject({ name: z.string(), model: z.string().nullish(), modified_at: z.string().nullish() })),
});
