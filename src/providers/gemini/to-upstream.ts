// OpenAI chat request → Gemini generateContent request. System and developer messages become the
// system instruction; assistant turns are the `model` role, their tool calls `functionCall`
// parts (with the thought signature Gemini gave each, carried in the call's id); tool results
// `functionResponse` parts named after the call they answer; consecutive
// turns of one role are merged, as Gemini expects turns to alternate. Images must be data URLs
// (inline data); sampling parameters go into `generationConfig`, tools into
// `functionDeclarations`, `reasoning_effort` into `thinkingConfig`.
import { isRecord } from '../kit/error-body.js';
import { reasoningEffortOf, THINKING_BUDGETS, type ReasoningEffort } from '../kit/reasoning-effort.js';
import { RequestFieldError } from '../kit/request-field-error.js';
import { splitCallId } from './convert-answer.js';

type Json = Record<string, unknown>;

interface Content {
  role: 'user' | 'model';
  parts: Json[];
}

function partsOf(content: unknown): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part): Json[] => {
    if (!isRecord(part)) return [];
    if (part.type === 'text' && typeof part.text === 'string') return [{ text: part.text }];
    if (part.type === 'image_url') {
      const url = isRecord(part.image_url) ? part.image_url.url : undefined;
      const data = typeof url === 'string' ? /^data:([^;,]+);base64,(.*)$/s.exec(url) : null;
      if (!data) throw new RequestFieldError('messages', 'images must be data: URLs (base64) for provider type gemini');
      return [{ inlineData: { mimeType: data[1], data: data[2] } }];
    }
    return [];
  });
}

function textOf(content: unknown): string {
  return partsOf(content).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

function parsedArguments(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/** A tool result as Gemini wants it: an object (a JSON object result as it is, anything else wrapped). */
function toolResponse(content: unknown): Json {
  const text = textOf(content);
  try {
    const value = JSON.parse(text) as unknown;
    if (isRecord(value)) return value;
  } catch {
    // Plain text: wrapped below.
  }
  return { content: text };
}

function contentsOf(messages: unknown[]): { system: string[]; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  const callNames = new Map<string, string>();
  const push = (role: Content['role'], parts: Json[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const message of messages) {
    if (!isRecord(message)) continue;
    if (message.role === 'system' || message.role === 'developer') {
      system.push(textOf(message.content));
    } else if (message.role === 'assistant') {
      const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : [];
      const parts = partsOf(message.content);
      for (const call of calls) {
        const fn = isRecord(call.function) ? call.function : {};
        const name = typeof fn.name === 'string' ? fn.name : '';
        const signature = typeof call.id === 'string' ? splitCallId(call.id).signature : null;
        if (typeof call.id === 'string') callNames.set(call.id, name);
        parts.push({ functionCall: { name, args: parsedArguments(fn.arguments) }, ...(signature ? { thoughtSignature: signature } : {}) });
      }
      push('model', parts);
    } else if (message.role === 'tool') {
      const id = typeof message.tool_call_id === 'string' ? message.tool_call_id : '';
      const name = callNames.get(id) ?? (typeof message.name === 'string' ? message.name : id);
      push('user', [{ functionResponse: { name, response: toolResponse(message.content) } }]);
    } else {
      push('user', partsOf(message.content));
    }
  }
  return { system: system.filter((text) => text !== ''), contents };
}

/** Gemini 2.5 Flash's largest thinking budget (Pro's is larger): the most any level asks of Gemini. */
const GEMINI_MAX_BUDGET = 24576;

/**
 * Gemini's thinking settings for an effort: Gemini 3 models take a level (the least they have
 * for `none`, as they cannot stop thinking), earlier ones a token budget (0 turns thinking off
 * where the model allows it). The thoughts come back as reasoning_content when asked for.
 */
function thinkingConfigOf(effort: ReasoningEffort, model: string): Json {
  if (/^(models\/)?gemini-3/.test(model)) {
    const level = effort === 'none' ? 'minimal' : effort === 'xhigh' ? 'high' : effort;
    return { thinkingLevel: level, includeThoughts: effort !== 'none' };
  }
  if (effort === 'none') return { thinkingBudget: 0 };
  return { thinkingBudget: Math.min(THINKING_BUDGETS[effort], GEMINI_MAX_BUDGET), includeThoughts: true };
}

function generationConfigOf(body: Readonly<Json>, model: string): Json {
  const config: Json = {};
  const copy: [string, string][] = [['temperature', 'temperature'], ['top_p', 'topP'], ['seed', 'seed'], ['presence_penalty', 'presencePenalty'], ['frequency_penalty', 'frequencyPenalty']];
  for (const [from, to] of copy) if (body[from] !== undefined && body[from] !== null) config[to] = body[from];
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined && maxTokens !== null) config.maxOutputTokens = maxTokens;
  if (body.stop !== undefined && body.stop !== null) config.stopSequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  const format = body.response_format;
  if (isRecord(format) && (format.type === 'json_object' || format.type === 'json_schema')) {
    config.responseMimeType = 'application/json';
    if (format.type === 'json_schema' && isRecord(format.json_schema) && format.json_schema.schema !== undefined) config.responseJsonSchema = format.json_schema.schema;
  }
  const effort = reasoningEffortOf(body);
  if (effort !== undefined) config.thinkingConfig = thinkingConfigOf(effort, model);
  return config;
}

function toolsOf(body: Readonly<Json>): Json | undefined {
  if (!Array.isArray(body.tools)) return undefined;
  const declarations = body.tools.filter(isRecord).flatMap((tool) => {
    const fn = isRecord(tool.function) ? tool.function : null;
    if (tool.type !== 'function' || !fn) return [];
    return [{ name: fn.name, ...(fn.description !== undefined ? { description: fn.description } : {}), ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}) }];
  });
  return declarations.length > 0 ? { functionDeclarations: declarations } : undefined;
}

function toolConfigOf(choice: unknown): Json | undefined {
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  return undefined;
}

export function toGeminiRequest(body: Readonly<Json>, model: string): Json {
  const { system, contents } = contentsOf(Array.isArray(body.messages) ? body.messages : []);
  const generationConfig = generationConfigOf(body, model);
  const tools = toolsOf(body);
  const toolConfig = toolConfigOf(body.tool_choice);
  return {
    contents,
    ...(system.length > 0 ? { systemInstruction: { parts: [{ text: system.join('\n\n') }] } } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
    ...(tools ? { tools: [tools] } : {}),
    ...(toolConfig ? { toolConfig } : {}),
  };
}

/** The model as Gemini's paths name it: `models/<id>`, whether or not the caller wrote the prefix. */
export function geminiModelPath(model: string): string {
  return `/models/${encodeURIComponent(model.replace(/^models\//, ''))}`;
}
