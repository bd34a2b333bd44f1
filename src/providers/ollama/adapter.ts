// The Ollama native adapter (/api/chat): used instead of Ollama's OpenAI-compatible /v1
// because the native answers carry Ollama's own timings (eval_duration) for tokens/s.
import type { CallContext, CallPlan, ClientRequest, ModelInfo, ProviderAdapter, UpstreamRequest, UpstreamResult } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { translatedChatResult } from '../kit/translated-chat-answer.js';
import { upstreamError } from '../kit/errors.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { translatedChatPlan } from '../kit/observations.js';
import { fail, ok, type Result } from '../kit/result.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { modelsRequestFor } from '../kit/models-request.js';
import { convertOllamaUsage, ollamaFinishReason, ollamaTimings, openAiToolCalls, toOpenAiUsageBody } from './convert-answer.js';
import { ollamaChatSchema, ollamaTagsSchema } from './ollama-schemas.js';
import { createOllamaStreamTransform } from './parse-stream.js';
import { toOllamaChatRequest } from './to-upstream.js';
import { translating } from '../kit/request-field-error.js';

function ollamaToUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  if (request.endpoint !== 'chat') {
    return fail(upstreamError('bad_request', { message: "provider type ollama (native) serves chat completions only; add the server as type 'ollama-openai' for other endpoints", code: 'unsupported_endpoint' }));
  }
  const stream = request.body.stream === true;
  const plan = translatedChatPlan(request.body, stream, context);
  const body = translating(() => toOllamaChatRequest(request.body, context.model, stream));
  if (!body.ok) return body;
  return ok({
    method: 'POST',
    path: '/api/chat',
    headers: { 'content-type': 'application/json', ...(context.apiKey ? { authorization: `Bearer ${context.apiKey}` } : {}) },
    body: encodeUtf8(JSON.stringify(body.value)),
    plan,
  });
}

function ollamaFromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = ollamaChatSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success || (parsed.data.message == null && !parsed.data.error)) return fail(invalidBody(body, 'an Ollama chat answer'));
  const answer = parsed.data;
  if (answer.error) return fail(upstreamError('server_error', { message: answer.error, code: 'ollama_error', upstreamStatus: status }));
  const calls = openAiToolCalls(answer, 0);
  return ok(translatedChatResult(plan, {
    model: answer.model ?? null, text: answer.message?.content ?? '', thinking: answer.message?.thinking ?? '', calls,
    finishReason: ollamaFinishReason(answer, calls.length > 0), usage: convertOllamaUsage(answer), timings: ollamaTimings(answer),
  }, toOpenAiUsageBody));
}

function parseOllamaModels(status: number, body: Uint8Array): Result<ModelInfo[]> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = ollamaTagsSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success) return fail(invalidBody(body, 'a model list (/api/tags)'));
  return ok(parsed.data.models.map((model) => {
    const modified = model.modified_at ? Date.parse(model.modified_at) : Number.NaN;
    return { id: model.name, ownedBy: 'ollama', created: Number.isNaN(modified) ? null : Math.floor(modified / 1000) };
  }));
}

export function createOllamaAdapter(): ProviderAdapter {
  return {
    id: 'ollama',
    capabilities: Object.freeze({ chat: true, completions: false, embeddings: false, messages: false, responses: false, streaming: true, tools: true, models: true }),
    passesThrough: false,
    toUpstream: ollamaToUpstream,
    fromUpstream: ollamaFromUpstream,
    createStreamTransform: createOllamaStreamTransform,
    mapError: mapHttpError,
    modelsRequest: (context) => modelsRequestFor('/api/tags', {}, context),
    parseModels: parseOllamaModels,
  };
}
