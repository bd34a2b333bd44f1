// A Messages API request (Anthropic's format, as Anthropic's SDKs and tools send it) said as an
// OpenAI chat request, for a model an OpenAI-compatible provider serves: the system prompt as
// the first message, content blocks as content parts, tool_use blocks as tool_calls and
// tool_result blocks as tool messages (which OpenAI wants right after the call they answer),
// tools and tool_choice in OpenAI's shape, stop_sequences as stop, JSON output as a json_schema
// response format. Thinking blocks stay behind.
import { isRecord } from '../kit/error-body.js';
import { RequestFieldError } from '../kit/request-field-error.js';

type Json = Record<string, unknown>;

/** A field the translation cannot read: the caller's 400, naming it. */
const refuse = (param: string, problem: string) => new RequestFieldError(param, `${param}: ${problem}`);

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.filter(isRecord).map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('') : '';

function imagePart(block: Json, at: string): Json {
  const source = isRecord(block.source) ? block.source : {};
  if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  if (source.type === 'url' && typeof source.url === 'string') return { type: 'image_url', image_url: { url: source.url } };
  throw refuse(`${at}.source`, 'an image must be base64 data with its media_type, or a url');
}

function userMessages(content: unknown, at: string): Json[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) throw refuse(at, 'must be a string or an array of content blocks');
  const tools: Json[] = [];
  const parts: Json[] = [];
  content.forEach((block, index) => {
    if (!isRecord(block)) throw refuse(`${at}.${index}`, 'must be a content block');
    if (block.type === 'text') parts.push({ type: 'text', text: typeof block.text === 'string' ? block.text : '' });
    else if (block.type === 'image') parts.push(imagePart(block, `${at}.${index}`));
    else if (block.type === 'tool_result') tools.push({ role: 'tool', tool_call_id: String(block.tool_use_id ?? ''), content: textOf(block.content) });
    // Documents, thinking and other blocks have no OpenAI equivalent here: left out.
  });
  return [...tools, ...(parts.length > 0 ? [{ role: 'user', content: parts.every((part) => part.type === 'text') ? parts.map((part) => part.text).join('') : parts }] : [])];
}

function assistantMessage(content: unknown, at: string): Json {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) throw refuse(at, 'must be a string or an array of content blocks');
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
    default: throw refuse('tool_choice.type', 'must be auto, any, tool or none');
  }
}

/**
 * Claude's JSON output (`output_config.format`, or the `output_format` of its beta) as OpenAI's
 * strict json_schema response format, which holds the answer to the schema the same way.
 */
function responseFormatOf(body: Readonly<Json>): Json | undefined {
  const [param, format] = isRecord(body.output_config) && body.output_config.format !== undefined ? ['output_config.format', body.output_config.format] : ['output_format', body.output_format];
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.schema)) throw refuse(param, "must be {type: 'json_schema', schema}");
  return { type: 'json_schema', json_schema: { name: 'output', strict: true, schema: format.schema } };
}

/** The chat request; `includeUsage` asks a stream for its usage chunk (the provider's accounting rule). */
export function messagesToChat(body: Readonly<Json>, model: string, includeUsage: boolean): Json {
  if (!Array.isArray(body.messages)) throw refuse('messages', 'is required: an array of messages');
  const messages: Json[] = [];
  const system = textOf(body.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  body.messages.forEach((message, index) => {
    const at = `messages.${index}`;
    if (!isRecord(message)) throw refuse(at, 'must be an object with role and content');
    if (message.role === 'user') messages.push(...userMessages(message.content, `${at}.content`));
    else if (message.role === 'assistant') messages.push(assistantMessage(message.content, `${at}.content`));
    else throw refuse(`${at}.role`, "must be 'user' or 'assistant'");
  });
  const chat: Json = { model, messages };
  if (typeof body.max_tokens === 'number') chat.max_tokens = body.max_tokens;
  for (const key of ['temperature', 'top_p'] as const) if (typeof body[key] === 'number') chat[key] = body[key];
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) chat.stop = body.stop_sequences;
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    chat.tools = body.tools.filter(isRecord).map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.input_schema ?? { type: 'object' }, ...(tool.strict === true ? { strict: true } : {}) },
    }));
  }
  const format = responseFormatOf(body);
  if (format) chat.response_format = format;
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
