// Lenient schemas for OpenAI's Responses API answers and stream events: only the fields Loupe
// reads, optional by default, unknown fields kept.
import { z } from 'zod';

const count = z.number().nullish();

export const responsesUsageSchema = z.looseObject({
  input_tokens: count,
  input_tokens_details: z.looseObject({ cached_tokens: count }).nullish(),
  output_tokens: count,
  output_tokens_details: z.looseObject({ reasoning_tokens: count }).nullish(),
});
export type ResponsesUsage = z.infer<typeof responsesUsageSchema>;

const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional(), refusal: z.string().optional() });

export const outputItemSchema = z.looseObject({
  type: z.string(),
  id: z.string().optional(),
  content: z.array(contentPartSchema).nullish(),
  summary: z.array(contentPartSchema).nullish(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
});
export type OutputItem = z.infer<typeof outputItemSchema>;

export const responseObjectSchema = z.looseObject({
  id: z.string().optional(),
  object: z.string().optional(),
  model: z.string().optional(),
  status: z.string().nullish(),
  output: z.array(outputItemSchema).nullish(),
  usage: responsesUsageSchema.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});
export type ResponseObject = z.infer<typeof responseObjectSchema>;

export const responsesEventSchema = z.looseObject({
  type: z.string(),
  response: responseObjectSchema.optional(),
  item: outputItemSchema.optional(),
  item_id: z.string().optional(),
  delta: z.string().optional(),
  code: z.string().nullish(),
  message: z.string().nullish(),
});
export type ResponsesEvent = z.infer<typeof responsesEventSchema>;
