// Shared pieces of every adapter: the empty observation record, tool-call assembly from
// deltas, an empty stream step, and the id and `created` of translated answers.
import type { AssembledToolCall, CallPlan, StreamObservations, StreamStep, StreamTerminal } from './adapter.js';
import { EMPTY_BYTES } from './bytes.js';

export function emptyObservations(): StreamObservations {
  return {
    responseId: null,
    responseModel: null,
    usage: null,
    usageComplete: false,
    usageSource: 'estimated',
    finishReason: null,
    toolCallsCount: 0,
    content: '',
    reasoning: '',
    toolCalls: [],
    completionText: '',
    sawFirstToken: false,
    terminal: null,
    timings: null,
  };
}

/** Tool calls keyed by (choice, index): ids and names come only in a call's first delta. */
export class ToolCallAssembler {
  private readonly calls = new Map<string, AssembledToolCall>();

  add(key: string, id: string | null | undefined, name: string | null | undefined, argumentsDelta: string | null | undefined): void {
    let call = this.calls.get(key);
    if (call === undefined) {
      call = { id: null, name: '', arguments: '' };
      this.calls.set(key, call);
    }
    if (id) call.id = id;
    if (name) call.name += name;
    if (argumentsDelta) call.arguments += argumentsDelta;
  }

  get list(): AssembledToolCall[] {
    return [...this.calls.values()];
  }

  get size(): number {
    return this.calls.size;
  }
}

/** A stream step; with no arguments, a read that produced nothing yet. */
export function step(forward: Uint8Array = EMPTY_BYTES, firstToken = false, terminal: StreamTerminal | null = null): StreamStep {
  return { forward, firstToken, terminal };
}

/** The plan fields derived from the call context (id and created of translated answers). */
export function planIdentity(context: { nowMs?: number; callId?: string }, prefix: string): Pick<CallPlan, 'created' | 'id'> {
  const nowMs = context.nowMs ?? Date.now();
  return { created: Math.floor(nowMs / 1000), id: context.callId ?? `${prefix}${globalThis.crypto.randomUUID().replaceAll('-', '')}` };
}

/**
 * The plan of a chat call whose answer Loupe translates into OpenAI chunks itself (Anthropic,
 * Ollama native): the usage chunk is written only when the client asked, so nothing is stripped.
 */
export function translatedChatPlan(body: Readonly<Record<string, unknown>>, stream: boolean, context: { model: string; nowMs?: number; callId?: string }): CallPlan {
  const options = body.stream_options;
  const asked = typeof options === 'object' && options !== null && (options as Record<string, unknown>).include_usage === true;
  return {
    endpoint: 'chat',
    stream,
    model: context.model,
    clientWantsUsage: stream && asked,
    stripUsageChunk: false,
    usageExpected: true,
    ...planIdentity(context, 'chatcmpl-'),
  };
}
