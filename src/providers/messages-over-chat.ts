// Anthropic's Messages API for a provider whose adapter speaks chat in a format of its own
// (Gemini's, Ollama's): the request is said as an OpenAI chat request, which the adapter says
// in its format; its answer, already written as OpenAI's by the adapter, is said back in
// Anthropic's (one message, or its stream of events). So Anthropic's SDKs and tools can use
// every model Loupe serves.
import type { CallPlan, ProviderAdapter, StreamStep, StreamTransform } from './kit/adapter.js';
import { encodeUtf8 } from './kit/bytes.js';
import { parseJsonBytes } from './kit/json-body.js';
import { planIdentity } from './kit/observations.js';
import { ok } from './kit/result.js';
import { createSseReader } from './kit/sse.js';
import { AnthropicEventWriter, chatAnswerToMessage } from './openai-compatible/chat-to-messages.js';
import { messagesToChat } from './openai-compatible/messages-to-chat.js';
import { translating } from './kit/request-field-error.js';
import { chatChunkSchema, completionBodySchema } from './openai-compatible/openai-schemas.js';

/** The adapter's OpenAI chunks, read back and written as Anthropic's events. */
class MessagesOverChatStream implements StreamTransform {
  private readonly reader = createSseReader(chatChunkSchema);
  private readonly writer: AnthropicEventWriter;
  private closed = false;

  constructor(private readonly chat: StreamTransform, plan: CallPlan) {
    this.writer = new AnthropicEventWriter(plan);
  }

  get observations() {
    return this.chat.observations;
  }

  push(chunk: Uint8Array): StreamStep {
    return this.said(this.chat.push(chunk), false);
  }

  end(): StreamStep {
    return this.said(this.chat.end(), true);
  }

  private said(step: StreamStep, last: boolean): StreamStep {
    let out = '';
    const frames = [...this.reader.push(step.forward), ...(last || step.terminal !== null ? this.reader.end() : [])];
    for (const frame of frames) for (const part of frame.parts) if (part.type === 'value') out += this.writer.chunk(part.value);
    if (step.terminal?.kind === 'done' && !this.closed) {
      this.closed = true;
      const seen = this.chat.observations;
      out += this.writer.end(seen.finishReason, seen.usage, seen.responseModel);
    }
    return { forward: encodeUtf8(out), firstToken: step.firstToken, terminal: step.terminal };
  }
}

export function withMessagesOverChat(adapter: ProviderAdapter): ProviderAdapter {
  return {
    ...adapter,
    capabilities: Object.freeze({ ...adapter.capabilities, messages: true }),
    toUpstream(request, context) {
      if (request.endpoint !== 'messages') return adapter.toUpstream(request, context);
      const chat = translating(() => messagesToChat(request.body, context.model, false));
      if (!chat.ok) return chat;
      const prepared = adapter.toUpstream({ endpoint: 'chat', body: chat.value }, context);
      if (!prepared.ok) return prepared;
      const plan: CallPlan = { ...prepared.value.plan, endpoint: 'messages', relaysUpstream: false, chat: prepared.value.plan, ...planIdentity(context, 'msg_') };
      return ok({ ...prepared.value, plan });
    },
    fromUpstream(status, body, plan) {
      if (!plan.chat) return adapter.fromUpstream(status, body, plan);
      const result = adapter.fromUpstream(status, body, plan.chat);
      if (!result.ok) return result;
      const answer = completionBodySchema.parse(parseJsonBytes(result.value.openaiBody));
      return ok({ ...result.value, openaiBody: encodeUtf8(JSON.stringify(chatAnswerToMessage(answer, plan, result.value.usage))) });
    },
    createStreamTransform(plan) {
      return plan.chat ? new MessagesOverChatStream(adapter.createStreamTransform(plan.chat), plan) : adapter.createStreamTransform(plan);
    },
  };
}
