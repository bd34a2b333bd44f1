// OpenAI chat request → Anthropic Messages request: system messages become `system`, tool
// results become user tool_result blocks, assistant tool calls become tool_use blocks.
const DEFAULT_MAX_TOKENS = 4096;

type Json = Record<string, unknown>;

export class UnsupportedRequestError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === 'object' && (part as Json).type === 'text' ? String((part as Json).text ?? '') : '')).join('');
  return '';
}

function contentBlocks(content: unknown): Json[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part): Json[] => {
    const block = part as Json;
    if (block.type === 'text') return [{ type: 'text', text: String(block.text ?? '') }];
    if (block.type === 'image_url') {
      const url = String((block.image_url as Json | undefined)?.url ?? '');
      const data = /^data:([^;]+);base64,(.*)$/.exec(url);
      return [data ? { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } } : { type: 'image', source: { type: 'url', url } }];
    }
    return [];
  });
}

function parseArguments(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return {};
  }
}

function convertMessages(messages: Json[]): { system: string | undefined; messages: Json[] } {
  const system: string[] = [];
  const out: Json[] = [];
  const push = (role: 'user' | 'assistant', blocks: Json[]) => {
    const last = out.at(-1);
    // Anthropic wants alternating roles: consecutive same-role turns are merged.
    if (last && last.role === role) (last.content as Json[]).push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    const role = String(message.role);
    if (role === 'system' || role === 'developer') system.push(textOf(message.content));
    else if (role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: String(message.tool_call_id ?? ''), content: textOf(message.content) }]);
    else if (role === 'assistant') {
      const calls = (message.tool_calls as Json[] | undefined) ?? [];
      push('assistant', [...contentBlocks(message.content), ...calls.map((call) => {
        const fn = (call.function as Json | undefined) ?? {};
        return { type: 'tool_use', id: String(call.id ?? ''), name: String(fn.name ?? ''), input: parseArguments(fn.arguments) };
      })]);
    } else push('user', contentBlocks(message.content));
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: out };
}

function convertToolChoice(choice: unknown): Json | undefined {
  if (choice === undefined || choice === 'auto') return choice === undefined ? undefined : { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  const name = ((choice as Json).function as Json | undefined)?.name;
  return name ? { type: 'tool', name: String(name) } : undefined;
}

export function toAnthropicRequest(body: Json, model: string, stream: boolean): Json {
  if (!Array.isArray(body.messages)) throw new UnsupportedRequestError('messages', "'messages' must be an array");
  const { system, messages } = convertMessages(body.messages as Json[]);
  const tools = (body.tools as Json[] | undefined)?.map((tool) => {
    const fn = (tool.function as Json | undefined) ?? {};
    return { name: fn.name, description: fn.description, input_schema: fn.parameters ?? { type: 'object', properties: {} } };
  });
  const stop = body.stop === undefined ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop];
  const request: Json = {
    model, messages, max_tokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
    ...(system ? { system } : {}), ...(stream ? { stream: true } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}), ...(body.top_p !== undefined ? { top_p: body.top_p } : {}),
    ...(stop ? { stop_sequences: stop } : {}), ...(tools && tools.length > 0 ? { tools } : {}),
    ...(convertToolChoice(body.tool_choice) ? { tool_choice: convertToolChoice(body.tool_choice) } : {}),
    ...(typeof body.user === 'string' ? { metadata: { user_id: body.user } } : {}),
  };
  return request;
}
