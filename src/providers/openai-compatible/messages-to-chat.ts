// A Messages API request (Anthropic's format, as Anthropic's SDKs and tools send it) said as an
// OpenAI chat request, for a model an OpenAI-compatible provider serves: the system prompt as
// the first message, content blocks as content parts, tool_use blocks as tool_calls and
// tool_result blocks as tool messages (which OpenAI wants right after the call they answer),
// tools and tool_choice in OpenAI's shape, stop_sequences as stop. Thinking blocks stay behind.
import { isRecord } from '../kit/error-body.js';

type Json = Record<string, unknown>;

export class MessagesTranslationError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.filter(isRecord).map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('') : '';

function imagePart(block: Json, at: string): Json {
  const source = isRecord(block.source) ? block.source : {};
  if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  if (source.type === 'url' && typeof source.url === 'string') return { type: 'image_url', image_url: { url: source.url } };
  throw new MessagesTranslationError(`${at}.source`, 'an image must be base64 data with its media_type, or a url');
}

function userMessages(content: unknown, at: string): Json[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) throw new MessagesTranslationError(at, 'must be a string or an array of content blocks');
  const tools: Json[] = [];
  const parts: Json[] = [];
  content.forEach((block, index) => {
    if (!isRecord(block)) throw new MessagesTranslationError(`${at}.${index}`, 'must be a content block');
    if (block.type === 'text') parts.push({ type: 'text', text: typeof block.text === 'string' ? block.text : '' });
    else if (block.type === 'image') parts.push(imagePart(block, `${at}.${index}`));
    else if (block.type === 'tool_result') tools.push({ role: 'tool', tool_call_id: String(block.tool_use_id ?? ''), content: textOf(block.content) });
    // Documents, thinking and other blocks have no OpenAI equivalent here: left out.
  });
  return [...tools, ...(parts.length > 0 ? [{ role: 'user', content: parts.every((part) => part.type === 'text') ? parts.map((part) => part.text).join('') : parts }] : [])];
}

function assistantMessage(content: unknown, at: string): Json {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) throw new MessagesTranslationError(at, 'must be a string or an array of content blocks');
  const calls = content.filter(isRecord).filter((block) => block.type === 'tool_use')
    .map((block) => ({ id: String(block.id ?? ''), type: 'function', function: { name: String(block.name ?? ''), arguments: JSON.stringify(block.input ?? {}) } }));
  const text = textOf(content);
  return { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}

function toolChoice(choice: unknown): unknown {
  if (!isRecord(choice)) return undefined;
  switch (choice.type) {
    case 'auto': return 'auto';
    case 'any': return 'required';
    case 'none': return 'none';
    case 'tool': return { type: 'function', function: { name: String(choice.name ?? '') } };
    default: throw new MessagesTranslationError('tool_choice.type', 'must be auto, any, tool or none');
  }
}

/** The chat request; `includeUsage` asks a stream for its usage chunk (the provider's accounting rule). */
export function messagesToChat(body: Readonly<Json>, model: string, includeUsage: boolean): Json {
  if (!Array.isArray(body.messages)) throw new MessagesTranslationError('messages', 'is required: an array of messages');
  const messages: Json[] = [];
  const system = textOf(body.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  body.messages.forEach((message, index) => {
    const at = `messages.${index}`;
    if (!isRecord(message)) throw new MessagesTranslationError(at, 'must be an object with role and content');
    if (message.role === 'user') messages.push(...userMessages(message.content, `${at}.content`));
    else if (message.role === 'assistant') messages.push(assistantMessage(message.content, `${at}.content`));
    else throw new MessagesTranslationError(`${at}.role`, "must be 'user' or 'assistant'");
  });
  const chat: Json = { model, messages };
  if (typeof body.max_tokens === 'number') chat.max_tokens = body.max_tokens;
  for (const key of ['temperature', 'top_p'] as const) if (typeof body[key] === 'number') chat[key] = body[key];
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) chat.stop = body.stop_sequences;
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    chat.tools = body.tools.filter(isRecord).map((tool) => ({ type: 'function', function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.input_schema ?? { type: 'object' } } }));
  }
  const choice = toolChoice(body.tool_choice);
  if (choice !== undefined) chat.tool_choice = choice;
  if (isRecord(body.tool_choice) && body.tool_choice.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
  if (isRecord(body.metadata) && typeof body.metadata.user_id === 'string') chat.user = body.metadata.user_id;
  if (body.stream === true) {
    chat.stream = true;
    if (includeUsage) chat.stream_options = { include_usage: true };
  }
  return chat;
}
