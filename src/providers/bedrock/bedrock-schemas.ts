// Lenient schemas for Bedrock's Converse API answers and ConverseStream events: only the fields
// Loupe reads, optional by default, unknown fields kept.
import { z } from 'zod';

const count = z.number().nullish();

export const bedrockUsageSchema = z.looseObject({
  inputTokens: count,
  outputTokens: count,
  totalTokens: count,
  cacheReadInputTokens: count,
  cacheWriteInputTokens: count,
});
export type BedrockUsage = z.infer<typeof bedrockUsageSchema>;

const reasoningSchema = z.looseObject({
  reasoningText: z.looseObject({ text: z.string().nullish(), signature: z.string().nullish() }).nullish(),
  /** Encrypted thinking, base64 on the wire. */
  redactedContent: z.string().nullish(),
});

export const contentBlockSchema = z.looseObject({
  text: z.string().nullish(),
  toolUse: z.looseObject({ toolUseId: z.string().nullish(), name: z.string().nullish(), input: z.unknown() }).nullish(),
  reasoningContent: reasoningSchema.nullish(),
});
export type BedrockContentBlock = z.infer<typeof contentBlockSchema>;

export const converseAnswerSchema = z.looseObject({
  output: z.looseObject({ message: z.looseObject({ role: z.string().nullish(), content: z.array(contentBlockSchema).nullish() }).nullish() }).nullish(),
  stopReason: z.string().nullish(),
  usage: bedrockUsageSchema.nullish(),
});
export type ConverseAnswer = z.infer<typeof converseAnswerSchema>;

/** The body of any ConverseStream event; which members it has depends on its `:event-type`. */
export const streamEventSchema = z.looseObject({
  contentBlockIndex: z.number().nullish(),
  start: z.looseObject({ toolUse: z.looseObject({ toolUseId: z.string().nullish(), name: z.string().nullish() }).nullish() }).nullish(),
  delta: z.looseObject({
    text: z.string().nullish(),
    toolUse: z.looseObject({ input: z.string().nullish() }).nullish(),
    reasoningContent: z.looseObject({ text: z.string().nullish(), signature: z.string().nullish(), redactedContent: z.string().nullish() }).nullish(),
  }).nullish(),
  stopReason: z.string().nullish(),
  usage: bedrockUsageSchema.nullish(),
  message: z.string().nullish(),
});
export type BedrockStreamEvent = z.infer<typeof streamEventSchema>;
