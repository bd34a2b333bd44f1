// Lenient schemas for Google's Gemini API (generativelanguage.googleapis.com/v1beta): the
// generateContent answer, each event of streamGenerateContent (the same object, partial), and
// the model list.
import { z } from 'zod';

const count = z.number().nullish();

export const geminiPartSchema = z.looseObject({
  text: z.string().nullish(),
  /** A part of the model's thinking (when thoughts are asked for), not of its answer. */
  thought: z.boolean().nullish(),
  functionCall: z.looseObject({ id: z.string().nullish(), name: z.string().nullish(), args: z.unknown() }).nullish(),
  /** Gemini's token for the thinking behind a function call, to be sent back with the call. */
  thoughtSignature: z.string().nullish(),
});
export type GeminiPart = z.infer<typeof geminiPartSchema>;

export const geminiUsageSchema = z.looseObject({
  promptTokenCount: count,
  cachedContentTokenCount: count,
  candidatesTokenCount: count,
  thoughtsTokenCount: count,
  toolUsePromptTokenCount: count,
  totalTokenCount: count,
});
export type GeminiUsage = z.infer<typeof geminiUsageSchema>;

export const geminiAnswerSchema = z.looseObject({
  candidates: z
    .array(
      z.looseObject({
        content: z.looseObject({ role: z.string().nullish(), parts: z.array(geminiPartSchema).nullish() }).nullish(),
        finishReason: z.string().nullish(),
        index: z.number().nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
  error: z.unknown().optional(),
});
export type GeminiAnswer = z.infer<typeof geminiAnswerSchema>;

export const geminiEmbeddingsSchema = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
});

export const geminiModelsSchema = z.looseObject({
  models: z.array(z.looseObject({ name: z.string() })).nullish(),
});
