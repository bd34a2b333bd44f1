// Turns a stored call's input and output (in whichever shape the client or provider used:
// a message array, an OpenAI/Anthropic request body, a prompt string, a choices response)
// into role-tagged chat messages.
export interface ChatMessage {
  role: string;
  content: unknown;
  name?: string;
  tool_calls?: unknown;
  tool_call_id?: string;
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function toMessage(value: unknown, defaultRole: string): ChatMessage | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return { role: defaultRole, content: value };
  if (!isObject(value)) return { role: defaultRole, content: value };
  const role = typeof value.role === 'string' ? value.role : defaultRole;
  const message: ChatMessage = { role, content: value.content ?? value.text ?? null };
  if (typeof value.name === 'string') message.name = value.name;
  if (value.tool_calls !== undefined && value.tool_calls !== null) message.tool_calls = value.tool_calls;
  if (typeof value.tool_call_id === 'string') message.tool_call_id = value.tool_call_id;
  return message;
}

/** The messages a call sent, in order. */
export function inputMessages(input: unknown): ChatMessage[] {
  if (input === null || input === undefined) return [];
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (Array.isArray(input)) return input.flatMap((item) => toMessage(item, 'user') ?? []);
  if (!isObject(input)) return [{ role: 'user', content: input }];
  const messages: ChatMessage[] = [];
  // Anthropic keeps the system prompt beside the messages.
  if (input.system !== undefined && input.system !== null) messages.push({ role: 'system', content: input.system });
  if (Array.isArray(input.messages)) messages.push(...inputMessages(input.messages));
  else if (input.prompt !== undefined) messages.push({ role: 'user', content: input.prompt });
  else if (input.input !== undefined) messages.push(...inputMessages(input.input));
  else if (typeof input.role === 'string') messages.push(toMessage(input, 'user')!);
  else if (messages.length === 0) messages.push({ role: 'user', content: input });
  return messages;
}

/** The message a call answered with, if any. */
export function outputMessages(output: unknown): ChatMessage[] {
  if (output === null || output === undefined) return [];
  if (Array.isArray(output)) return output.flatMap((item) => toMessage(item, 'assistant') ?? []);
  if (isObject(output) && Array.isArray(output.choices)) {
    return output.choices.flatMap((choice) => {
      if (!isObject(choice)) return [];
      return toMessage(choice.message ?? choice.delta ?? choice.text ?? null, 'assistant') ?? [];
    });
  }
  if (isObject(output) && output.role === undefined && output.content === undefined && typeof output.text !== 'string') {
    return [{ role: 'assistant', content: output }];
  }
  return toMessage(output, 'assistant') ? [toMessage(output, 'assistant')!] : [];
}

/** Identity of a message for spotting history that a chat client resent. */
export function messageKey(message: ChatMessage): string {
  return JSON.stringify([message.role, message.content, message.tool_calls ?? null, message.tool_call_id ?? null, message.name ?? null]);
}
