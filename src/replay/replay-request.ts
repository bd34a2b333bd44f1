// What a replay sends: a prompt, messages, or a stored call's request, with parameters
// overridden, as an OpenAI chat body for the gateway. A stored call's parameters are carried
// over, its tools among them, so a replayed agent step is offered the same tools.
import { z } from 'zod';
import type { CallRecord } from '../domain/call-record.js';
import { REASONING_EFFORTS } from '../providers/kit/reasoning-effort.js';

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string().max(1_000_000), z.array(z.unknown()).max(1_000), z.null()]),
});

export const replayParams = {
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  top_p: z.number().min(0).max(1).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string().max(256), z.array(z.string().max(256)).max(4)]).optional(),
  reasoning_effort: z.enum(REASONING_EFFORTS).nullable().optional().describe('null sends none (for a model that takes no reasoning effort)'),
};

export const replayPrompt = {
  prompt: z.string().min(1).max(1_000_000).optional().describe('sent as one user message'),
  system: z.string().max(1_000_000).optional().describe('a system message before the prompt'),
  messages: z.array(message).min(1).max(1_000).optional(),
};

export type ReplayParams = { [K in keyof typeof replayParams]?: z.infer<(typeof replayParams)[K]> };

/** The stored parameters a replay carries over (as the gateway stored them). */
const CARRIED_PARAMS = ['temperature', 'max_tokens', 'max_completion_tokens', 'top_p', 'frequency_penalty', 'presence_penalty', 'stop', 'seed', 'response_format', 'reasoning_effort', 'tools', 'tool_choice', 'parallel_tool_calls'];

export class ReplayInputError extends Error {
  constructor(readonly field: string, message: string, readonly status = 400) {
    super(message);
  }
}

export interface PromptInput {
  prompt?: string | undefined;
  system?: string | undefined;
  messages?: Record<string, unknown>[] | undefined;
}

/** Messages from a prompt or messages given in the request; exactly one of them. */
export function messagesFromPrompt(input: PromptInput, field = ''): Record<string, unknown>[] {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  if (input.messages !== undefined && input.prompt !== undefined) throw new ReplayInputError(at('messages'), 'give prompt or messages, not both');
  if (input.messages !== undefined) {
    if (input.system !== undefined) throw new ReplayInputError(at('system'), 'put the system message in messages');
    return input.messages;
  }
  if (input.prompt === undefined) throw new ReplayInputError(at('prompt'), 'give prompt or messages (or call_id)');
  return [...(input.system !== undefined ? [{ role: 'system', content: input.system }] : []), { role: 'user', content: input.prompt }];
}

/** A stored call's messages and parameters, as its replay sends them. */
export function requestOfCall(call: CallRecord): { messages: Record<string, unknown>[]; params: Record<string, unknown> } {
  if (call.endpoint === '/v1/embeddings') throw new ReplayInputError('call_id', 'an embeddings call has no answer to compare; replay chat or completion calls', 422);
  const input = call.input;
  let messages: Record<string, unknown>[];
  if (typeof input === 'string' && input.length > 0) messages = [{ role: 'user', content: input }];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => item !== null && typeof item === 'object' && typeof (item as { role?: unknown }).role === 'string')) messages = input as Record<string, unknown>[];
  else throw new ReplayInputError('call_id', `call ${call.id} has no stored messages to replay (its content was not recorded)`, 422);
  const stored = call.params !== null && typeof call.params === 'object' ? (call.params as Record<string, unknown>) : {};
  const params: Record<string, unknown> = {};
  for (const key of CARRIED_PARAMS) if (stored[key] !== undefined) params[key] = stored[key];
  return { messages, params };
}

/** The chat body the gateway receives: never streamed, the overrides over what was carried. */
export function chatBody(model: string, messages: Record<string, unknown>[], carried: Record<string, unknown>, overrides: ReplayParams): Buffer {
  const params: Record<string, unknown> = { ...carried };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete params[key];
    else if (value !== undefined) params[key] = value;
  }
  // A max_tokens override replaces the newer name too, or the provider would see both.
  if (overrides.max_tokens !== undefined) delete params.max_completion_tokens;
  return Buffer.from(JSON.stringify({ ...params, model, messages, stream: false }));
}
