// The content of a GenAI span as Loupe stores a chat: OpenAI-style messages. Instrumentations
// write it in one of three ways: the semantic conventions' messages with typed parts
// (gen_ai.input.messages / gen_ai.output.messages, structured or as a JSON string), OpenAI-style
// messages as they were sent, or OpenLLMetry's indexed attributes (gen_ai.prompt.0.role, ...).
import type { Attributes, AttributeValue } from './otlp-spans.js';

type Message = Record<string, unknown>;
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A structured value, or the JSON text an instrumentation wrote it as. */
function structured(value: AttributeValue | undefined): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value ?? null));

function fromParts(role: string, parts: unknown[], name: unknown): Message[] {
  const texts: string[] = [];
  const others: unknown[] = [];
  const toolCalls: Message[] = [];
  const toolResults: Message[] = [];
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (part.type === 'text') texts.push(asText(part.content));
    else if (part.type === 'tool_call') toolCalls.push({ id: part.id ?? null, type: 'function', function: { name: part.name ?? null, arguments: asText(part.arguments ?? {}) } });
    else if (part.type === 'tool_call_response') toolResults.push({ role: 'tool', tool_call_id: part.id ?? null, content: asText(part.result ?? part.response ?? null) });
    else others.push(part);
  }
  if (toolResults.length > 0 && texts.length === 0 && toolCalls.length === 0 && others.length === 0) return toolResults;
  const message: Message = { role };
  if (typeof name === 'string') message.name = name;
  // Parts other than text (media, reasoning, ...) are kept beside the text as given.
  message.content = others.length > 0 ? [...texts.map((text) => ({ type: 'text', text })), ...others] : texts.length > 0 ? texts.join('') : null;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return [message, ...toolResults];
}

/** One message in either convention as OpenAI-style messages (a tool response may add some). */
function convert(message: unknown): Message[] {
  if (!isObject(message)) return typeof message === 'string' ? [{ role: 'user', content: message }] : [];
  const role = typeof message.role === 'string' ? message.role : 'user';
  if (Array.isArray(message.parts)) return fromParts(role, message.parts, message.name);
  return [{ ...message, role }];
}

export function convertMessages(value: AttributeValue | undefined): Message[] | null {
  const parsed = structured(value);
  if (parsed === undefined || parsed === null) return null;
  if (typeof parsed === 'string') return [{ role: 'user', content: parsed }];
  return (Array.isArray(parsed) ? parsed : [parsed]).flatMap(convert);
}

/** gen_ai.system_instructions (parts) as one system message. */
export function systemMessage(value: AttributeValue | undefined): Message | null {
  const parsed = structured(value);
  if (parsed === undefined || parsed === null) return null;
  if (typeof parsed === 'string') return { role: 'system', content: parsed };
  const parts = Array.isArray(parsed) ? parsed : [parsed];
  const [message] = fromParts('system', parts, undefined);
  return message ?? null;
}

/** OpenLLMetry's gen_ai.prompt.N.* / gen_ai.completion.N.* attributes as messages, in N's order. */
export function indexedMessages(attributes: Attributes, prefix: 'gen_ai.prompt' | 'gen_ai.completion'): Message[] | null {
  const defaultRole = prefix === 'gen_ai.prompt' ? 'user' : 'assistant';
  const byIndex = new Map<number, Message>();
  const start = `${prefix}.`;
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith(start)) continue;
    const rest = key.slice(start.length);
    const dot = rest.indexOf('.');
    const index = Number(rest.slice(0, dot));
    const field = rest.slice(dot + 1);
    if (dot < 1 || !Number.isInteger(index) || index < 0 || index > 10_000) continue;
    if (field !== 'role' && field !== 'content' && field !== 'finish_reason') continue;
    const message = byIndex.get(index) ?? {};
    message[field] = attributes[key];
    byIndex.set(index, message);
  }
  if (byIndex.size === 0) return null;
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, message]) => ({ role: defaultRole, ...message }));
}

/** How many tool calls a converted message asks for. */
export function toolCallCount(message: Message | undefined): number {
  return Array.isArray(message?.tool_calls) ? message.tool_calls.length : 0;
}

/** gen_ai.tool.definitions ({type, name, description, parameters}) as OpenAI's tools. */
export function openAiTools(value: AttributeValue | undefined): Message[] | null {
  const parsed = structured(value);
  if (!Array.isArray(parsed)) return null;
  const tools = parsed.filter(isObject).map((tool): Message => {
    if (isObject(tool.function)) return tool;
    const { type, ...definition } = tool;
    return { type: typeof type === 'string' ? type : 'function', function: definition };
  });
  return tools.length > 0 ? tools : null;
}
