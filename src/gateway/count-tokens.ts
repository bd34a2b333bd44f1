// Anthropic's token counting (POST /v1/messages/count_tokens), which Anthropic's SDKs and tools
// call beside the Messages API: relayed to the Anthropic provider the model routes to, with the
// provider's key; for a model of an OpenAI-compatible provider (which has no such endpoint),
// counted here with the o200k tokenizer over the request as it would be sent. A count is free
// and generates nothing, so it is not recorded as a call, nor counted against rate limits or
// budgets; the key's allowed models still apply.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';
import { modelAllowed } from '../domain/api-key.js';
import { joinUpstreamUrl } from '../providers/kit/join-url.js';
import { ANTHROPIC_VERSION } from '../providers/anthropic/headers.js';
import { messagesToChat } from '../providers/openai-compatible/messages-to-chat.js';
import { RequestFieldError } from '../providers/kit/request-field-error.js';
import { countO200k } from '../pricing/token-count.js';
import type { ProviderRegistry } from '../provider-registry/provider-registry.js';
import { anthropicClientHeaders, errorBody } from './client-format.js';
import type { GatewayReply } from './deliver-response.js';
import { clientKeyRefused, clientProviderKey } from './client-provider-key.js';
import { GatewayError } from './gateway-errors.js';
import { modelNotAllowed, noProvider, readGatewayRequest } from './prepare-request.js';

export interface CountTokensExchange {
  body: Buffer;
  headers: IncomingHttpHeaders;
  reply: GatewayReply;
  allowedModels?: readonly string[] | null;
}

function refuse(reply: GatewayReply, error: GatewayError): void {
  void reply.code(error.status).type('application/json').send(errorBody('anthropic', error));
}

export async function countTokens(exchange: CountTokensExchange, registry: ProviderRegistry): Promise<void> {
  const { reply } = exchange;
  let model: string;
  let body: Record<string, unknown>;
  let clientKey: string | null;
  try {
    ({ model, body } = readGatewayRequest(exchange.body, false, exchange.headers));
    clientKey = clientProviderKey(exchange.headers);
  } catch (error) {
    if (error instanceof GatewayError) return refuse(reply, error);
    throw error;
  }
  const serving = registry.route(model).filter((route) => route.target.adapter.capabilities.messages);
  if (serving.length === 0) return refuse(reply, noProvider(model, 'messages'));
  const routes = clientKey === null ? serving : serving.filter((route) => route.target.allowClientKey);
  if (routes.length === 0) return refuse(reply, clientKeyRefused(model));
  const allowed = routes.filter((route) => modelAllowed(exchange.allowedModels, model, route.target.name, route.model));
  if (allowed.length === 0) return refuse(reply, modelNotAllowed(model));
  // The first target whose circuit is not open counts, as the call itself would go there first.
  const { target, model: upstreamModel } = allowed.find((route) => registry.healthOf(route.target.name)?.breaker.state !== 'open') ?? allowed[0]!;
  if (target.adapter.id !== 'anthropic') return countLocally(reply, body, upstreamModel);
  const key = clientKey ?? target.apiKey;
  try {
    const answer = await request(joinUpstreamUrl(target.baseUrl, '/messages/count_tokens'), {
      method: 'POST', dispatcher: target.dispatcher, headersTimeout: target.timeoutMs, bodyTimeout: target.timeoutMs,
      headers: {
        'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...anthropicClientHeaders(exchange.headers),
        ...(key ? { 'x-api-key': key } : {}),
      },
      body: upstreamModel === model ? exchange.body : JSON.stringify({ ...body, model: upstreamModel }),
    });
    const bytes = Buffer.from(await answer.body.arrayBuffer());
    void reply.code(answer.statusCode).type(String(answer.headers['content-type'] ?? 'application/json')).send(bytes);
  } catch (error) {
    refuse(reply, new GatewayError(502, 'api_error', 'upstream_unreachable', `provider '${target.name}' could not be reached: ${(error as Error).message}`));
  }
}

/** An estimate for a model Anthropic does not serve: the tokens of the chat request it becomes. */
function countLocally(reply: GatewayReply, body: Record<string, unknown>, model: string): void {
  let chat: Record<string, unknown>;
  try {
    chat = messagesToChat(body, model, false);
  } catch (error) {
    if (!(error instanceof RequestFieldError)) throw error;
    return refuse(reply, new GatewayError(400, 'invalid_request_error', 'invalid_request', error.message, error.param));
  }
  const tools = chat.tools === undefined ? 0 : countO200k(JSON.stringify(chat.tools));
  const messages = (chat.messages as { content: unknown }[]).reduce((sum, message) => sum + countO200k(typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? '')), 0);
  void reply.code(200).type('application/json').send(JSON.stringify({ input_tokens: messages + tools }));
}
