// A Messages API request from a client that speaks Anthropic's API itself: relayed as received
// (only the model is rewritten when a route chose another), with the client's API version and
// beta flags, and Loupe's key for the provider in place of the client's.
import type { CallContext, ClientRequest, UpstreamRequest } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { planIdentity } from '../kit/observations.js';
import { ok, type Result } from '../kit/result.js';
import { ANTHROPIC_VERSION } from './headers.js';

export function messagesToUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  const { body } = request;
  const stream = body.stream === true;
  const outgoing = body.model === context.model && request.rawBody ? request.rawBody : encodeUtf8(JSON.stringify({ ...body, model: context.model }));
  const beta = request.headers?.['anthropic-beta'];
  return ok({
    method: 'POST',
    path: '/messages',
    headers: {
      'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': request.headers?.['anthropic-version'] ?? ANTHROPIC_VERSION,
      ...(beta ? { 'anthropic-beta': beta } : {}),
      ...(context.apiKey ? { 'x-api-key': context.apiKey } : {}),
    },
    body: outgoing,
    // Anthropic reports usage on every answer and stream: nothing to ask for, nothing to strip.
    plan: { endpoint: 'messages', stream, model: context.model, clientWantsUsage: false, stripUsageChunk: false, usageExpected: true, relaysUpstream: true, ...planIdentity(context, 'msg_') },
  });
}
