// The signed thinking blocks a caller sends back with an assistant turn (`thinking_blocks`, as
// Loupe's answers from Claude give them, directly or through Bedrock): Claude checks each
// signature, and wants them before the turn's text and tool calls to go on after a tool call.
import { isRecord } from './error-body.js';
import { RequestFieldError } from './request-field-error.js';

export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

/** The turn's thinking blocks (none when it has no `thinking_blocks`); a malformed one is refused by its path. */
export function thinkingBlocksOf(message: Readonly<Record<string, unknown>>, index: number): ThinkingBlock[] {
  const blocks = message.thinking_blocks;
  if (blocks === undefined || blocks === null) return [];
  const param = `messages.${index}.thinking_blocks`;
  if (!Array.isArray(blocks)) throw new RequestFieldError(param, `${param} must be an array of the thinking blocks an answer gave`);
  return blocks.map((block, at): ThinkingBlock => {
    if (isRecord(block) && block.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string') {
      return { type: 'thinking', thinking: block.thinking, signature: block.signature };
    }
    if (isRecord(block) && block.type === 'redacted_thinking' && typeof block.data === 'string') return { type: 'redacted_thinking', data: block.data };
    throw new RequestFieldError(`${param}.${at}`, `${param}.${at} must be {type:'thinking', thinking, signature} or {type:'redacted_thinking', data}`);
  });
}
