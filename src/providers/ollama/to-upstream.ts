// OpenAI chat request → Ollama /api/chat request. Sampling parameters move into `options`,
// images into `images` (base64 only), tool-call arguments from JSON text to objects,
// `reasoning_effort` into `think`, and `stream` is always explicit because Ollama streams when
// it is left out.
import { isRecord } from '../kit/error-body.js';
import { messageText } from '../kit/message-text.js';
import { reasoningEffortOf } from '../kit/reasoning-effort.js';

type Json = Record<string, unknown>;

function imagesOf(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => {
    const url = isRecord(part) && isRecord(part.image_url) ? part.image_url.url : undefined;
    const data = typeof url === 'string' ? /^data:[^;]+;base64,(.*)$/s.exec(url)?.[1] : undefined;
    return data === undefined ? [] : [data];
  });
}

function toolCallsOf(calls: unknown): Json[] | undefined {
  if (!Array.isArray(calls)) return undefined;
  return calls.filter(isRecord).map((call) => {
    const fn = isRecord(call.function) ? call.function : {};
    let args: unknown = fn.arguments ?? {};
    if (typeof args === 'string') {
      try {
        args = JSON.parse(args) as unknown;
      } catch {
        args = {};
      }
    }
    return { function: { name: fn.name, arguments: args } };
  });
}

function convertMessage(message: unknown): Json {
  if (!isRecord(message)) return { role: 'user', content: '' };
  const images = imagesOf(message.content);
  const toolCalls = toolCallsOf(message.tool_calls);
  return {
    role: message.role === 'developer' ? 'system' : message.role,
    content: messageText(message.content),
    ...(images.length > 0 ? { images } : {}),
    ...(toolCalls ? { tool_calls: toolCalls } : {}),
  };
}

function optionsOf(body: Readonly<Json>): Json {
  const options: Json = {};
  for (const name of ['temperature', 'top_p', 'seed', 'frequency_penalty', 'presence_penalty'] as const) {
    if (body[name] !== undefined) options[name] = body[name];
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined) options.num_predict = maxTokens;
  if (body.stop !== undefined) options.stop = Array.isArray(body.stop) ? body.stop : [body.stop];
  return options;
}

function formatOf(format: unknown): unknown {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_object') return 'json';
  if (format.type === 'json_schema' && isRecord(format.json_schema)) return format.json_schema.schema;
  return undefined;
}

/**
 * Ollama's `think` for an effort: on or off, except for gpt-oss models, which take OpenAI's
 * levels (and cannot turn thinking off: `none` asks for their least).
 */
function thinkOf(body: Readonly<Json>, model: string): boolean | string | undefined {
  const effort = reasoningEffortOf(body);
  if (effort === undefined) return undefined;
  if (!/(^|\/)gpt-oss/.test(model)) return effort !== 'none';
  return effort === 'none' || effort === 'minimal' ? 'low' : effort === 'xhigh' ? 'high' : effort;
}

export function toOllamaChatRequest(body: Readonly<Json>, model: string, stream: boolean): Json {
  const messages = Array.isArray(body.messages) ? body.messages.map(convertMessage) : [];
  const options = optionsOf(body);
  const format = formatOf(body.response_format);
  const think = thinkOf(body, model);
  return {
    model,
    messages,
    stream,
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...(Array.isArray(body.tools) ? { tools: body.tools } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(think !== undefined ? { think } : {}),
  };
}
