// Builds the upstream request for an OpenAI-compatible provider. The client's bytes go out
// untouched unless the model id must change (routing removed a `provider/` prefix) or the
// gateway asks for stream usage; only then is the body re-serialised.
import type { CallContext, CallPlan, ClientRequest, Endpoint, UpstreamRequest } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { isRecord } from '../kit/error-body.js';
import { upstreamError } from '../kit/errors.js';
import { planIdentity } from '../kit/observations.js';
import { fail, ok, type Result } from '../kit/result.js';
import { messagesToChat } from './messages-to-chat.js';
import { translating } from '../kit/request-field-error.js';
import type { OpenAiCompatibleVariant } from './variant.js';

const PATHS: Readonly<Record<Endpoint, string>> = { chat: '/chat/completions', completions: '/completions', embeddings: '/embeddings', messages: '/messages', responses: '/responses' };

interface UsagePlan {
  clientWantsUsage: boolean;
  stripUsageChunk: boolean;
  usageExpected: boolean;
  inject: boolean;
}

/** Accounting rule: inject include_usage when unset, honour an explicit false (then estimate). */
function planStreamUsage(body: Readonly<Record<string, unknown>>, stream: boolean, variant: OpenAiCompatibleVariant, endpoint: Endpoint): UsagePlan {
  // The Responses API reports usage in its response.completed event, unasked.
  if (!stream || endpoint === 'responses') return { clientWantsUsage: false, stripUsageChunk: false, usageExpected: true, inject: false };
  const options = body.stream_options;
  const asked = isRecord(options) ? options.include_usage : undefined;
  if (asked === true) return { clientWantsUsage: true, stripUsageChunk: false, usageExpected: true, inject: false };
  if (asked === undefined && variant.injectStreamUsage) return { clientWantsUsage: false, stripUsageChunk: true, usageExpected: true, inject: true };
  return { clientWantsUsage: false, stripUsageChunk: false, usageExpected: variant.streamUsageAlways, inject: false };
}

export function openAiToUpstream(variant: OpenAiCompatibleVariant, request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  const { endpoint, body } = request;
  if (!variant.capabilities[endpoint]) {
    return fail(upstreamError('bad_request', { message: `provider type '${variant.id}' does not serve ${PATHS[endpoint]}`, code: 'unsupported_endpoint' }));
  }
  const stream = endpoint !== 'embeddings' && body.stream === true;
  if (stream && !variant.capabilities.streaming) {
    return fail(upstreamError('bad_request', { message: `provider type '${variant.id}' does not stream`, code: 'unsupported_parameter', param: 'stream' }));
  }
  if (endpoint === 'messages') return messagesAsChat(variant, request, context, stream);
  const usage = planStreamUsage(body, stream, variant, endpoint);
  const plan: CallPlan = {
    endpoint,
    stream,
    model: context.model,
    clientWantsUsage: usage.clientWantsUsage,
    stripUsageChunk: usage.stripUsageChunk,
    usageExpected: usage.usageExpected,
    ...planIdentity(context, endpoint === 'responses' ? 'resp_' : 'chatcmpl-'),
  };
  const rewrite = usage.inject || body.model !== context.model || request.rawBody === undefined;
  const outgoing = rewrite ? encodeUtf8(JSON.stringify(rewriteBody(body, context.model, usage.inject))) : (request.rawBody ?? null);
  return ok({
    method: 'POST',
    path: PATHS[endpoint],
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...variant.headers(context.apiKey) },
    body: outgoing,
    plan,
  });
}

/** A Messages API request for this provider's chat endpoint; the answer is written back in Anthropic's format. */
function messagesAsChat(variant: OpenAiCompatibleVariant, request: ClientRequest, context: CallContext, stream: boolean): Result<UpstreamRequest> {
  const translated = translating(() => messagesToChat(request.body, context.model, stream && variant.injectStreamUsage));
  if (!translated.ok) return translated;
  const chat = translated.value;
  const plan: CallPlan = {
    endpoint: 'messages', stream, model: context.model, clientWantsUsage: false, stripUsageChunk: false,
    usageExpected: !stream || variant.injectStreamUsage || variant.streamUsageAlways, relaysUpstream: false, ...planIdentity(context, 'msg_'),
  };
  return ok({
    method: 'POST', path: PATHS.chat, body: encodeUtf8(JSON.stringify(chat)), plan,
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...variant.headers(context.apiKey) },
  });
}

function rewriteBody(body: Readonly<Record<string, unknown>>, model: string, injectUsage: boolean): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...body, model };
  if (injectUsage) {
    const options = isRecord(body.stream_options) ? body.stream_options : {};
    copy.stream_options = { ...options, include_usage: true };
  }
  return copy;
}
