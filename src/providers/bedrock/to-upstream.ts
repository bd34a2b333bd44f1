// OpenAI chat request → Bedrock Converse request. System and developer messages become
// `system`; content parts become content blocks (images as bytes, from data URLs); assistant
// tool calls become `toolUse` blocks after the turn's thinking (its `thinking_blocks`, sent back
// as `reasoningContent`), tool results `toolResult` blocks of a user turn; consecutive turns of
// one role are merged, as Converse wants them to alternate. Sampling goes into
// `inferenceConfig`, tools into `toolConfig`; for Claude, `reasoning_effort` becomes its
// thinking budget in `additionalModelRequestFields`.
import { isRecord } from '../kit/error-body.js';
import { messageText } from '../kit/message-text.js';
import { budgetedThinking, reasoningEffortOf } from '../kit/reasoning-effort.js';
import { RequestFieldError } from '../kit/request-field-error.js';
import { thinkingBlocksOf, type ThinkingBlock } from '../kit/thinking-blocks.js';

type Json = Record<string, unknown>;

interface Turn {
  role: 'user' | 'assistant';
  content: Json[];
}

const IMAGE_FORMATS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

function blocksOf(content: unknown, at: string): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part): Json[] => {
    if (!isRecord(part)) return [];
    if (part.type === 'text' && typeof part.text === 'string') return part.text === '' ? [] : [{ text: part.text }];
    if (part.type === 'image_url') {
      const url = isRecord(part.image_url) ? part.image_url.url : undefined;
      const data = typeof url === 'string' ? /^data:([^;,]+);base64,(.*)$/s.exec(url) : null;
      const format = data ? IMAGE_FORMATS[data[1]!.toLowerCase()] : undefined;
      if (!data || !format) throw new RequestFieldError(at, `${at}: images must be data: URLs (base64) of PNG, JPEG, GIF or WebP for provider type bedrock`);
      return [{ image: { format, source: { bytes: data[2] } } }];
    }
    return [];
  });
}

function parsedArguments(text: unknown): unknown {
  if (typeof text !== 'string') return isRecord(text) ? text : {};
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

function reasoningBlock(block: ThinkingBlock): Json {
  return block.type === 'thinking'
    ? { reasoningContent: { reasoningText: { text: block.thinking, signature: block.signature } } }
    : { reasoningContent: { redactedContent: block.data } };
}

function conversationOf(messages: unknown[]): { system: Json[]; turns: Turn[] } {
  const system: Json[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], content: Json[]) => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  messages.forEach((message, index) => {
    const at = `messages.${index}`;
    if (!isRecord(message)) throw new RequestFieldError(at, `${at} must be an object`);
    if (message.role === 'system' || message.role === 'developer') {
      const text = messageText(message.content);
      if (text !== '') system.push({ text });
    } else if (message.role === 'assistant') {
      const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : [];
      push('assistant', [
        ...thinkingBlocksOf(message, index).map(reasoningBlock),
        ...blocksOf(message.content, `${at}.content`),
        ...calls.map((call) => {
          const fn = isRecord(call.function) ? call.function : {};
          return { toolUse: { toolUseId: String(call.id ?? ''), name: String(fn.name ?? ''), input: parsedArguments(fn.arguments) } };
        }),
      ]);
    } else if (message.role === 'tool') {
      push('user', [{ toolResult: { toolUseId: String(message.tool_call_id ?? ''), content: [{ text: messageText(message.content) }] } }]);
    } else {
      push('user', blocksOf(message.content, `${at}.content`));
    }
  });
  return { system, turns };
}

function toolConfigOf(body: Readonly<Json>): Json | undefined {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  const tools = body.tools.filter(isRecord).flatMap((tool) => {
    const fn = isRecord(tool.function) ? tool.function : null;
    if (!fn) return [];
    return [{ toolSpec: { name: fn.name, ...(fn.description !== undefined ? { description: fn.description } : {}), inputSchema: { json: fn.parameters ?? { type: 'object', properties: {} } } } }];
  });
  const choice = body.tool_choice;
  // Converse has no "none": the tools stay declared (turns that used them need them) and the model may still call one.
  const toolChoice = choice === 'required' ? { any: {} }
    : isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string' ? { tool: { name: choice.function.name } }
      : choice === 'auto' ? { auto: {} } : undefined;
  return { tools, ...(toolChoice ? { toolChoice } : {}) };
}

const isClaude = (model: string) => /claude/i.test(model);

/** The output cap, and Claude's thinking: only Claude models on Bedrock are told how much to reason. */
function reasoningOf(body: Readonly<Json>, model: string): { maxTokens: unknown; thinking?: Json } {
  const effort = reasoningEffortOf(body);
  const asksThinking = isRecord(body.thinking) || (effort !== undefined && effort !== 'none');
  const cap = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (!asksThinking) return { maxTokens: cap };
  if (!isClaude(model)) {
    const param = isRecord(body.thinking) ? 'thinking' : 'reasoning_effort';
    throw new RequestFieldError(param, `${param} is said to Claude models on provider type bedrock only; ${model} is not one`);
  }
  const { thinking, maxTokens } = budgetedThinking(body, 'Claude');
  return { maxTokens, ...(thinking ? { thinking } : {}) };
}

export function toConverseRequest(body: Readonly<Json>, model: string): Json {
  if (!Array.isArray(body.messages)) throw new RequestFieldError('messages', "'messages' must be an array");
  const format = body.response_format;
  if (isRecord(format) && format.type === 'json_schema') {
    throw new RequestFieldError('response_format', 'a json_schema response format is not said to provider type bedrock; describe the JSON in the prompt or ask for a tool call');
  }
  const { system, turns } = conversationOf(body.messages);
  const { maxTokens, thinking } = reasoningOf(body, model);
  const inference: Json = {};
  if (maxTokens !== undefined && maxTokens !== null) inference.maxTokens = maxTokens;
  if (body.temperature !== undefined && body.temperature !== null) inference.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) inference.topP = body.top_p;
  if (body.stop !== undefined && body.stop !== null) inference.stopSequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  const toolConfig = toolConfigOf(body);
  return {
    messages: turns,
    ...(system.length > 0 ? { system } : {}),
    ...(Object.keys(inference).length > 0 ? { inferenceConfig: inference } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...(thinking ? { additionalModelRequestFields: { thinking } } : {}),
  };
}

/** The Converse path of a model: its id, inference profile or ARN as one path segment. */
export function conversePath(model: string, stream: boolean): string {
  return `/model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`;
}
