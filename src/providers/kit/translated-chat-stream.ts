// The OpenAI chunks a translated stream writes to its client (Ollama's and Gemini's native
// streams): the role on the first delta, then text, thinking and tool calls as deltas, observed
// as they go; at the end the finish chunk, the usage chunk if the client asked for one, and
// `[DONE]`. Each provider's transform parses its own format and calls these.
import type { CanonicalUsage } from '../../domain/usage.js';
import type { CallPlan } from './adapter.js';
import { BaseStreamTransform } from './base-stream-transform.js';
import { ToolCallAssembler } from './observations.js';
import type { ThinkingBlock } from './thinking-blocks.js';

type Json = Record<string, unknown>;

/** A tool call as OpenAI streams it, numbered across the answer. */
export interface OpenAiToolCall {
  index: number;
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export abstract class TranslatedChatStream extends BaseStreamTransform {
  protected readonly tools = new ToolCallAssembler();
  private started = false;

  /** @param expectJsonLines as for BaseStreamTransform: NDJSON (true) or SSE (false) upstream. */
  protected constructor(protected readonly plan: CallPlan, expectJsonLines: boolean, private readonly usageBody: (usage: CanonicalUsage) => Json) {
    super(expectJsonLines);
    this.observations.responseId = plan.id;
  }

  private chunk(fields: Json): string {
    return `data: ${JSON.stringify({ id: this.plan.id, object: 'chat.completion.chunk', created: this.plan.created, model: this.observations.responseModel ?? this.plan.model, ...fields })}\n\n`;
  }

  private choice(delta: Json, finish: string | null): string {
    return this.chunk({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  }

  /** Observes one piece of the answer and returns its chunk ('' when it carries nothing). */
  protected delta(text: string, thinking: string, calls: OpenAiToolCall[]): string {
    const observations = this.observations;
    const delta: Json = this.started ? {} : { role: 'assistant' };
    this.started = true;
    if (text !== '') delta.content = text;
    if (thinking !== '') delta.reasoning_content = thinking;
    if (calls.length > 0) delta.tool_calls = calls;
    for (const call of calls) {
      this.tools.add(String(call.index), call.id, call.function.name, call.function.arguments);
      observations.completionText += call.function.name + call.function.arguments;
    }
    observations.toolCalls = this.tools.list;
    observations.toolCallsCount = this.tools.size;
    observations.content += text;
    observations.reasoning += thinking;
    observations.completionText += text + thinking;
    this.generated(text + thinking, calls.length);
    return Object.keys(delta).length > 0 ? this.choice(delta, null) : '';
  }

  /** More of an opened tool call's arguments (streams that send them in pieces, as Bedrock's does). */
  protected toolArguments(index: number, text: string): string {
    if (text === '') return '';
    this.tools.add(String(index), null, null, text);
    this.observations.toolCalls = this.tools.list;
    this.observations.completionText += text;
    return this.choice({ tool_calls: [{ index, function: { arguments: text } }] }, null);
  }

  /** Signed thinking blocks, each whole, for the caller to send back with its next turn. */
  protected thinkingBlocks(blocks: ThinkingBlock[]): string {
    return blocks.length > 0 ? this.choice({ thinking_blocks: blocks }, null) : '';
  }

  /** Ends the answer with `finish` (usage already observed): the closing chunks and `[DONE]`. */
  protected closeWith(finish: string): string {
    const observations = this.observations;
    observations.finishReason = finish;
    observations.usageComplete = observations.usage !== null;
    observations.usageSource = observations.usage !== null ? 'provider' : 'estimated';
    this.finish({ kind: 'done' });
    const usage = this.plan.clientWantsUsage && observations.usage ? this.chunk({ choices: [], usage: this.usageBody(observations.usage) }) : '';
    return `${this.choice({}, finish)}${usage}data: [DONE]\n\n`;
  }
}
