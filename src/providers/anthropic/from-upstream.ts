// Anthropic Messages answer → OpenAI chat.completion bytes (or its own bytes, for a client of
// the Messages API) plus what the call record needs:
// text, thinking (as reasoning_content, and whole with its signature in thinking_blocks, for the
// caller to send back) and tool_use blocks (as tool_calls), usage counted by the accounting
// rules, and the stop reason mapped.
import type { CallPlan, UpstreamResult } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { mapHttpError } from '../kit/map-http-error.js';
import type { ThinkingBlock } from '../kit/thinking-blocks.js';
import { fail, ok, type Result } from '../kit/result.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { messageSchema, type AnthropicContentBlock, type AnthropicMessage } from './anthropic-schemas.js';
import { convertAnthropicUsage, toOpenAiUsageBody } from './convert-usage.js';
import { mapStopReason } from './map-finish-reason.js';

/** A thinking block as the caller sends it back: only the fields Claude checks. */
export function thinkingBlock(block: AnthropicContentBlock): ThinkingBlock {
  return block.type === 'redacted_thinking' ? { type: 'redacted_thinking', data: block.data ?? '' } : { type: 'thinking', thinking: block.thinking ?? '', signature: block.signature ?? '' };
}

function toOpenAiBody(answer: AnthropicMessage, plan: CallPlan, usage: Record<string, unknown>): Record<string, unknown> {
  const blocks = answer.content ?? [];
  const text = blocks.filter((block) => block.type === 'text').map((block) => block.text ?? '').join('');
  const thinking = blocks.filter((block) => block.type === 'thinking').map((block) => block.thinking ?? '').join('');
  const toolCalls = blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ id: block.id ?? '', type: 'function', function: { name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) } }));
  const thinkingBlocks = blocks.filter((block) => block.type === 'thinking' || block.type === 'redacted_thinking').map(thinkingBlock);
  const message = {
    role: 'assistant',
    content: text !== '' || toolCalls.length === 0 ? text : null,
    ...(thinking !== '' ? { reasoning_content: thinking } : {}),
    ...(thinkingBlocks.length > 0 ? { thinking_blocks: thinkingBlocks } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  return {
    id: answer.id ?? plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: answer.model ?? plan.model,
    choices: [{ index: 0, message, finish_reason: mapStopReason(answer.stop_reason), logprobs: null }],
    usage,
  };
}

export function anthropicFromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = messageSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success || parsed.data.content === undefined) return fail(invalidBody(body, 'a Messages answer'));
  const answer = parsed.data;
  const usage = answer.usage ? convertAnthropicUsage(answer.usage) : null;
  const openai = toOpenAiBody(answer, plan, usage ? toOpenAiUsageBody(usage) : {});
  const [choice] = openai.choices as { message: unknown }[];
  const blocks = answer.content ?? [];
  const completionText = blocks.map((block) => `${block.text ?? ''}${block.thinking ?? ''}${block.type === 'tool_use' ? `${block.name ?? ''}${JSON.stringify(block.input ?? {})}` : ''}`).join('');
  return ok({
    // A client of the Messages API gets Anthropic's bytes; the record keeps the answer in OpenAI's form either way.
    openaiBody: plan.endpoint === 'messages' ? body : encodeUtf8(JSON.stringify(openai)),
    usage,
    usageSource: usage ? 'provider' : 'estimated',
    finishReason: mapStopReason(answer.stop_reason),
    responseModel: answer.model ?? null,
    toolCallsCount: blocks.filter((block) => block.type === 'tool_use').length,
    completionText,
    output: choice?.message ?? null,
    timings: null,
  });
}

