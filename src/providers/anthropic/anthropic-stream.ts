// Anthropic's streaming events → OpenAI chat.completion.chunk SSE bytes, one event at a
// time: text and tool-argument deltas become content and tool_calls chunks; usage comes
// from message_start (input, cache read, cache write) and message_delta (cumulative output);
// message_stop ends with a usage chunk and [DONE]. An `error` event or a malformed one
// becomes an error chunk, so the stream tap records it.
import { z } from 'zod';
import { encodeUtf8, EMPTY_BYTES } from '../kit/bytes.js';
import { createSseReader, type SseFrame } from '../kit/sse.js';
import { mapStopReason, toOpenAiUsage, type AnthropicUsage } from './from-anthropic-response.js';

const eventSchema = z.looseObject({
  type: z.string(),
  message: z.looseObject({ id: z.string().optional(), model: z.string().optional(), usage: z.looseObject({}).optional() }).optional(),
  index: z.number().optional(),
  content_block: z.looseObject({ type: z.string(), id: z.string().optional(), name: z.string().optional() }).optional(),
  delta: z.looseObject({ type: z.string().optional(), text: z.string().optional(), partial_json: z.string().optional(), thinking: z.string().optional(), stop_reason: z.string().nullish() }).optional(),
  usage: z.looseObject({}).optional(),
  error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).optional(),
});
type AnthropicEvent = z.infer<typeof eventSchema>;

export interface StreamTranslator {
  push(chunk: Uint8Array): Uint8Array;
  end(): Uint8Array;
}

export function createAnthropicStreamTranslator(created: number): StreamTranslator {
  const reader = createSseReader(eventSchema);
  let id = '';
  let model = '';
  let usage: AnthropicUsage = {};
  /** Anthropic block index → OpenAI tool_calls index. */
  const toolIndex = new Map<number, number>();
  const chunk = (fields: Record<string, unknown>) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, ...fields })}\n\n`;
  const delta = (content: Record<string, unknown>, finish: string | null = null) => chunk({ choices: [{ index: 0, delta: content, logprobs: null, finish_reason: finish }] });

  function translate(event: AnthropicEvent): string {
    switch (event.type) {
      case 'message_start':
        id = event.message?.id ?? id;
        model = event.message?.model ?? model;
        usage = { ...(event.message?.usage as AnthropicUsage | undefined) };
        return delta({ role: 'assistant', content: '' });
      case 'content_block_start':
        if (event.content_block?.type === 'tool_use') {
          const index = toolIndex.size;
          toolIndex.set(event.index ?? 0, index);
          return delta({ tool_calls: [{ index, id: event.content_block.id, type: 'function', function: { name: event.content_block.name, arguments: '' } }] });
        }
        return '';
      case 'content_block_delta':
        if (event.delta?.type === 'text_delta') return delta({ content: event.delta.text ?? '' });
        if (event.delta?.type === 'thinking_delta') return delta({ reasoning_content: event.delta.thinking ?? '' });
        if (event.delta?.type === 'input_json_delta') return delta({ tool_calls: [{ index: toolIndex.get(event.index ?? 0) ?? 0, function: { arguments: event.delta.partial_json ?? '' } }] });
        return '';
      case 'message_delta':
        // Output usage here is cumulative: the last value is the total.
        usage = { ...usage, ...(event.usage as AnthropicUsage | undefined) };
        return delta({}, mapStopReason(event.delta?.stop_reason));
      case 'message_stop':
        return `${chunk({ choices: [], usage: toOpenAiUsage(usage) })}data: [DONE]\n\n`;
      case 'error':
        return chunk({ error: { message: event.error?.message ?? 'upstream stream error', type: event.error?.type ?? 'api_error' } });
      default:
        return '';
    }
  }

  function translateFrames(frames: SseFrame<AnthropicEvent>[]): Uint8Array {
    let out = '';
    for (const frame of frames) {
      for (const part of frame.parts) {
        if (part.type === 'value') out += translate(part.value);
        else if (part.type === 'error') out += chunk({ error: { message: part.message, type: 'invalid_stream' } });
      }
    }
    return out ? encodeUtf8(out) : EMPTY_BYTES;
  }

  return { push: (bytes) => translateFrames(reader.push(bytes)), end: () => translateFrames(reader.end()) };
}
