// Bedrock Converse answer fields → canonical usage, OpenAI finish reasons, and the answer's text,
// thinking and tool calls. Bedrock counts input as Anthropic does: `inputTokens` without the
// cache reads and writes, which it reports apart; all three are the prompt.
import type { CanonicalUsage } from '../../domain/usage.js';
import type { ThinkingBlock } from '../kit/thinking-blocks.js';
import type { OpenAiToolCall } from '../kit/translated-chat-stream.js';
import { canonicalUsage } from '../kit/usage.js';
import type { BedrockContentBlock, BedrockUsage } from './bedrock-schemas.js';

export function convertBedrockUsage(usage: BedrockUsage | null | undefined): CanonicalUsage | null {
  if (!usage || (usage.inputTokens == null && usage.outputTokens == null)) return null;
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  return canonicalUsage({ input: (usage.inputTokens ?? 0) + cacheRead + cacheWrite, cacheRead, cacheWrite, output: usage.outputTokens ?? 0, raw: usage });
}

// Written back as Anthropic's answers are: the same counts, cache writes apart.
export { toOpenAiUsageBody } from '../anthropic/convert-usage.js';

const FINISH: Readonly<Record<string, string>> = {
  end_turn: 'stop', stop_sequence: 'stop', tool_use: 'tool_calls', max_tokens: 'length', model_context_window_exceeded: 'length',
  guardrail_intervened: 'content_filter', content_filtered: 'content_filter',
};

/** Bedrock's stop reason in OpenAI's words (an unknown one as a plain stop). */
export function bedrockFinishReason(reason: string | null | undefined): string {
  return (reason && FINISH[reason]) || 'stop';
}

export interface AnswerParts {
  text: string;
  thinking: string;
  thinkingBlocks: ThinkingBlock[];
  calls: OpenAiToolCall[];
}

export function answerParts(blocks: readonly BedrockContentBlock[]): AnswerParts {
  const parts: AnswerParts = { text: '', thinking: '', thinkingBlocks: [], calls: [] };
  for (const block of blocks) {
    if (typeof block.text === 'string') parts.text += block.text;
    const reasoning = block.reasoningContent;
    if (reasoning?.reasoningText) {
      parts.thinking += reasoning.reasoningText.text ?? '';
      parts.thinkingBlocks.push({ type: 'thinking', thinking: reasoning.reasoningText.text ?? '', signature: reasoning.reasoningText.signature ?? '' });
    } else if (typeof reasoning?.redactedContent === 'string') {
      parts.thinkingBlocks.push({ type: 'redacted_thinking', data: reasoning.redactedContent });
    }
    if (block.toolUse) {
      parts.calls.push({
        index: parts.calls.length, id: block.toolUse.toolUseId ?? `call_${parts.calls.length}`, type: 'function',
        function: { name: block.toolUse.name ?? '', arguments: JSON.stringify(block.toolUse.input ?? {}) },
      });
    }
  }
  return parts;
}
