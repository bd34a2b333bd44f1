// How a request and its answer are spoken to a kind of upstream. OpenAI-compatible
// providers get the client's bytes (rewritten only when needed); Anthropic gets a Messages
// request and its answers are translated back to OpenAI's format.
import { toAnthropicRequest, UnsupportedRequestError } from '../providers/anthropic/to-anthropic-request.js';
import { toOpenAiCompletion, toOpenAiError } from '../providers/anthropic/from-anthropic-response.js';
import { createAnthropicStreamTranslator, type StreamTranslator } from '../providers/anthropic/anthropic-stream.js';
import { randomUUID } from 'node:crypto';
import { createOllamaStreamTranslator, ollamaErrorToOpenAi, toOllamaRequest, toOpenAiFromOllama } from '../providers/ollama/ollama-native.js';
import { GatewayError, invalidRequest } from './gateway-errors.js';
import type { GatewayRequest } from './prepare-request.js';
import type { UpstreamTarget } from './upstream-targets.js';

export interface OutgoingRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface UpstreamDialect {
  build(endpointPath: string, request: GatewayRequest, model: string, target: UpstreamTarget): OutgoingRequest;
  /** Whether the client must not see the usage chunk of the (translated) stream. */
  stripUsage(request: GatewayRequest): boolean;
  translateBody?(bytes: Buffer): Buffer;
  translateError?(bytes: Buffer): Buffer;
  streamTranslator?(): StreamTranslator;
}

const openAiCompatible: UpstreamDialect = {
  build: (path, request, model, target) => ({
    path,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) },
    body: request.upstreamBody(model),
  }),
  stripUsage: (request) => request.stripUsage,
};

const ANTHROPIC_VERSION = '2023-06-01';

const anthropic: UpstreamDialect = {
  build: (path, request, model, target) => {
    if (path !== '/chat/completions') throw new GatewayError(400, 'invalid_request_error', 'unsupported_endpoint', `provider '${target.name}' (anthropic) serves chat completions only`);
    let body: Record<string, unknown>;
    try {
      body = toAnthropicRequest(request.body, model, request.stream);
    } catch (error) {
      if (error instanceof UnsupportedRequestError) throw invalidRequest(error.message, error.param);
      throw error;
    }
    return {
      path: '/messages',
      headers: { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...(target.apiKey ? { 'x-api-key': target.apiKey } : {}) },
      body: Buffer.from(JSON.stringify(body)),
    };
  },
  // The translated stream always ends with a usage chunk; only a client that asked sees it.
  stripUsage: (request) => (request.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage !== true,
  translateBody: (bytes) => Buffer.from(JSON.stringify(toOpenAiCompletion(JSON.parse(bytes.toString('utf8')) as Record<string, unknown>, Math.floor(Date.now() / 1000)))),
  translateError: (bytes) => Buffer.from(toOpenAiError(bytes.toString('utf8'))),
  streamTranslator: () => createAnthropicStreamTranslator(Math.floor(Date.now() / 1000)),
};

const ollamaNative: UpstreamDialect = {
  build: (path, request, model, target) => {
    if (path !== '/chat/completions') throw new GatewayError(400, 'invalid_request_error', 'unsupported_endpoint', `provider '${target.name}' (ollama native) serves chat completions only; add it as type ollama-openai for ${path}`);
    return { path: '/api/chat', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(toOllamaRequest(request.body, model, request.stream))) };
  },
  stripUsage: (request) => (request.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage !== true,
  translateBody: (bytes) => toOpenAiFromOllama(bytes, `chatcmpl-${randomUUID()}`, Math.floor(Date.now() / 1000)),
  translateError: (bytes) => ollamaErrorToOpenAi(bytes),
  streamTranslator: () => createOllamaStreamTranslator(`chatcmpl-${randomUUID()}`, Math.floor(Date.now() / 1000)),
};

export function dialectOf(target: UpstreamTarget): UpstreamDialect {
  if (target.type === 'anthropic') return anthropic;
  if (target.type === 'ollama') return ollamaNative;
  return openAiCompatible;
}
