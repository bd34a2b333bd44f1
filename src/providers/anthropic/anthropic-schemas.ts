// Lenient schemas for Anthropic's Messages API answers and stream events: only the fields
// Loupe reads, optional by default, unknown fields kept.
import { z } from 'zod';

const count = z.number().nullish();

export const anthropicUsageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
});

export const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  /** A thinking block's signature, which Claude checks when the block is sent back. */
  signature: z.string().optional(),
  /** A redacted thinking block's encrypted content. */
  data: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
});

export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;

export const messageSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  model: z.string().optional(),
  content: z.array(contentBlockSchema).optional(),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.optional(),
});
export type AnthropicMessage = z.infer<typeof messageSchema>;

export const streamEventSchema = z.looseObject({
  type: z.string(),
  message: messageSchema.optional(),
  index: z.number().optional(),
  content_block: contentBlockSchema.optional(),
  delta: z
    .looseObject({
      type: z.string().optional(),
      text: z.string().optional(),
      partial_json: z.string().optional(),
      thinking: z.string().optional(),
      signature: z.string().optional(),
      stop_reason: z.string().nullish(),
    })
    .optional(),
  usage: anthropicUsageSchema.optional(),
  error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).optional(),
});
export type AnthropicStreamEvent = z.infer<typeof streamEventSchema>;
