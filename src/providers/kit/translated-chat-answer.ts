// A whole chat answer translated from another format (Ollama's, Gemini's) into OpenAI's
// chat.completion, with what the gateway observes of it. The counterpart of
// translated-chat-stream.ts for answers that are not streamed.
import type { CanonicalUsage } from '../../domain/usage.js';
import type { CallPlan, GenerationTimings, UpstreamResult } from './adapter.js';
import { encodeUtf8 } from './bytes.js';
import type { ThinkingBlock } from './thinking-blocks.js';
import type { OpenAiToolCall } from './translated-chat-stream.js';

export interface TranslatedAnswer {
  /** The model the upstream says answered; null when it does not say. */
  model: string | null;
  text: string;
  thinking: string;
  /** The thinking as signed blocks, for the caller to send back (Claude's, through Bedrock). */
  thinkingBlocks?: ThinkingBlock[];
  calls: OpenAiToolCall[];
  finishReason: string;
  usage: CanonicalUsage | null;
  timings: GenerationTimings | null;
}

export function translatedChatResult(plan: CallPlan, answer: TranslatedAnswer, usageBody: (usage: CanonicalUsage) => Record<string, unknown>): UpstreamResult {
  const { text, thinking, calls, usage } = answer;
  const message = {
    role: 'assistant',
    content: text !== '' || calls.length === 0 ? text : null,
    ...(thinking !== '' ? { reasoning_content: thinking } : {}),
    ...(answer.thinkingBlocks && answer.thinkingBlocks.length > 0 ? { thinking_blocks: answer.thinkingBlocks } : {}),
    ...(calls.length > 0 ? { tool_calls: calls.map(({ index: _index, ...call }) => call) } : {}),
  };
  const openai = {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: answer.model ?? plan.model,
    choices: [{ index: 0, message, finish_reason: answer.finishReason, logprobs: null }],
    ...(usage ? { usage: usageBody(usage) } : {}),
  };
  return {
    openaiBody: encodeUtf8(JSON.stringify(openai)),
    usage,
    usageSource: usage ? 'provider' : 'estimated',
    finishReason: answer.finishReason,
    responseModel: answer.model,
    toolCallsCount: calls.length,
    completionText: text + thinking + calls.map((call) => call.function.name + call.function.arguments).join(''),
    output: message,
    timings: answer.timings,
  };
}
