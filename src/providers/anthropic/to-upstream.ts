// OpenAI chat request → Anthropic Messages request, with the plan for its answer: the
// translated stream writes a usage chunk only for a client that asked, so nothing is stripped.
import type { CallContext, ClientRequest, UpstreamRequest } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { upstreamError } from '../kit/errors.js';
import { translatedChatPlan } from '../kit/observations.js';
import { fail, ok, type Result } from '../kit/result.js';
import { anthropicHeaders } from './headers.js';
import { messagesToUpstream } from './messages-to-upstream.js';
import { RequestFieldError } from '../kit/request-field-error.js';
import { toAnthropicRequest } from './to-anthropic-request.js';


export function anthropicToUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  if (request.endpoint === 'messages') return messagesToUpstream(request, context);
  if (request.endpoint !== 'chat') {
    return fail(upstreamError('bad_request', { message: 'provider type anthropic serves chat completions and messages only', code: 'unsupported_endpoint' }));
  }
  const { body } = request;
  const stream = body.stream === true;
  let translated: Record<string, unknown>;
  try {
    translated = toAnthropicRequest({ ...body }, context.model, stream);
  } catch (error) {
    // A message the translation cannot read (e.g. null in `messages`) is the caller's mistake.
    const param = error instanceof RequestFieldError ? error.param : 'messages';
    const message = error instanceof RequestFieldError ? error.message : "'messages' cannot be translated to Anthropic's Messages API";
    return fail(upstreamError('bad_request', { message, code: 'invalid_request', param }));
  }
  const plan = translatedChatPlan(body, stream, context);
  return ok({
    method: 'POST',
    path: '/messages',
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...anthropicHeaders(context.apiKey) },
    body: encodeUtf8(JSON.stringify(translated)),
    plan,
  });
}

