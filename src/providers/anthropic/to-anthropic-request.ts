// OpenAI chat request → Anthropic Messages request: system messages become `system`, tool
// results become user tool_result blocks, assistant tool calls become tool_use blocks, and an
// assistant turn's `thinking_blocks` (as its answer gave them) go back before them, as Claude
// requires of a thinking model's tool use. `reasoning_effort` becomes a thinking budget, a
// json_schema response format Claude's JSON output.
import { isRecord } from '../kit/error-body.js';
import { budgetedThinking } from '../kit/reasoning-effort.js';
import { thinkingBlocksOf } from '../kit/thinking-blocks.js';
import { RequestFieldError } from '../kit/request-field-error.js';

type Json = Record<string, unknown>;

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
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message)) throw new RequestFieldError(`messages.${index}`, `messages.${index} must be an object`);
    const role = String(message.role);
    if (role === 'system' || role === 'developer') system.push(textOf(message.content));
    else if (role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: String(message.tool_call_id ?? ''), content: textOf(message.content) }]);
    else if (role === 'assistant') {
      const calls = (message.tool_calls as Json[] | undefined) ?? [];
      push('assistant', [...thinkingBlocksOf(message, index), ...contentBlocks(message.content), ...calls.map((call) => {
        const fn = (call.function as Json | undefined) ?? {};
        return { type: 'tool_use', id: String(call.id ?? ''), name: String(fn.name ?? ''), input: parseArguments(fn.arguments) };
      })]);
    } else push('user', contentBlocks(message.content));
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: out };
}

function convertToolChoice(choice: unknown, parallel: unknown): Json | undefined {
  // Claude calls tools in parallel unless told not to; OpenAI's parallel_tool_calls: false says so.
  const single = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === 'auto') return choice === undefined && parallel !== false ? undefined : { type: 'auto', ...single };
  if (choice === 'required') return { type: 'any', ...single };
  if (choice === 'none') return { type: 'none' };
  const name = isRecord(choice) && isRecord(choice.function) ? choice.function.name : undefined;
  return name ? { type: 'tool', name: String(name), ...single } : undefined;
}

/**
 * OpenAI's json_schema response format as Claude's JSON output (`output_config.format`), whose
 * constrained decoding holds the answer to the schema as OpenAI's strict mode does. `json_object`
 * has no counterpart and is not sent: OpenAI requires such a prompt to ask for JSON itself.
 */
function outputFormatOf(format: unknown): Json | undefined {
  if (!isRecord(format) || format.type !== 'json_schema') return undefined;
  const schema = isRecord(format.json_schema) ? format.json_schema.schema : undefined;
  if (!isRecord(schema)) throw new RequestFieldError('response_format', 'response_format.json_schema.schema must be a JSON schema object');
  return { type: 'json_schema', schema };
}

export function toAnthropicRequest(body: Json, model: string, stream: boolean): Json {
  if (!Array.isArray(body.messages)) throw new RequestFieldError('messages', "'messages' must be an array");
  const { system, messages } = convertMessages(body.messages as Json[]);
  const tools = (body.tools as Json[] | undefined)?.map((tool) => {
    const fn = (tool.function as Json | undefined) ?? {};
    // Claude's strict tool use is OpenAI's strict function calling: the input follows the schema.
    return { name: fn.name, description: fn.description, input_schema: fn.parameters ?? { type: 'object', properties: {} }, ...(fn.strict === true ? { strict: true } : {}) };
  });
  const format = outputFormatOf(body.response_format);
  const hasTools = tools !== undefined && tools.length > 0;
  const toolChoice = convertToolChoice(body.tool_choice, hasTools ? body.parallel_tool_calls : undefined);
  const stop = body.stop === undefined ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop];
  const { thinking, maxTokens: max_tokens } = budgetedThinking(body, 'Claude');
  const request: Json = {
    model, messages, max_tokens,
    ...(system ? { system } : {}), ...(stream ? { stream: true } : {}), ...(thinking ? { thinking } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}), ...(body.top_p !== undefined ? { top_p: body.top_p } : {}),
    ...(stop ? { stop_sequences: stop } : {}), ...(hasTools ? { tools } : {}), ...(format ? { output_config: { format } } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(typeof body.user === 'string' ? { metadata: { user_id: body.user } } : {}),
  };
  return request;
}
