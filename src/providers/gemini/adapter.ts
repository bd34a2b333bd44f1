// The Gemini adapter (Google's Gemini API, generateContent): OpenAI chat requests are said in
// Gemini's words and its answers and events written back as OpenAI's, with Gemini's own usage
// counts (thinking and cached tokens included) read as it reports them; embeddings through
// batchEmbedContents. No other endpoint.
import type { CallContext, CallPlan, ClientRequest, ModelInfo, ProviderAdapter, UpstreamRequest, UpstreamResult } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { translatedChatResult } from '../kit/translated-chat-answer.js';
import { upstreamError } from '../kit/errors.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { modelsRequestFor } from '../kit/models-request.js';
import { planIdentity, translatedChatPlan } from '../kit/observations.js';
import { fail, ok, type Result } from '../kit/result.js';
import { translating } from '../kit/request-field-error.js';
import { answerParts, blockedPrompt, convertGeminiUsage, geminiFinishReason, toOpenAiUsageBody } from './convert-answer.js';
import { geminiAnswerSchema, geminiModelsSchema } from './gemini-schemas.js';
import { geminiEmbeddingsFromUpstream, toGeminiEmbeddingRequest } from './embeddings.js';
import { createGeminiStreamTransform } from './parse-stream.js';
import { geminiModelPath, toGeminiRequest } from './to-upstream.js';

const keyHeaders = (apiKey: string | undefined): Record<string, string> => (apiKey ? { 'x-goog-api-key': apiKey } : {});

function embeddingsToUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  const body = toGeminiEmbeddingRequest(request.body, context.model);
  const encoding = request.body.encoding_format;
  return ok({
    method: 'POST',
    path: `${geminiModelPath(context.model)}:batchEmbedContents`,
    headers: { 'content-type': 'application/json', ...keyHeaders(context.apiKey) },
    body: encodeUtf8(JSON.stringify(body)),
    plan: {
      endpoint: 'embeddings', stream: false, model: context.model, clientWantsUsage: false, stripUsageChunk: false, usageExpected: false,
      ...(typeof encoding === 'string' ? { encodingFormat: encoding } : {}), ...planIdentity(context, 'emb-'),
    },
  });
}

function geminiToUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  if (request.endpoint !== 'chat' && request.endpoint !== 'embeddings') {
    return fail(upstreamError('bad_request', { message: 'provider type gemini serves chat completions, embeddings and (said as chat) the Messages API only', code: 'unsupported_endpoint' }));
  }
  const upstream = translating(() => (request.endpoint === 'embeddings' ? embeddingsToUpstream(request, context) : chatToUpstream(request, context)));
  return upstream.ok ? upstream.value : upstream;
}

function chatToUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  const body = toGeminiRequest(request.body, context.model);
  const stream = request.body.stream === true;
  return ok({
    method: 'POST',
    path: `${geminiModelPath(context.model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    headers: { 'content-type': 'application/json', ...keyHeaders(context.apiKey) },
    body: encodeUtf8(JSON.stringify(body)),
    plan: translatedChatPlan(request.body, stream, context),
  });
}

function geminiFromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult> {
  if (plan.endpoint === 'embeddings') return geminiEmbeddingsFromUpstream(status, body, plan);
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = geminiAnswerSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success || (parsed.data.candidates == null && parsed.data.promptFeedback == null)) return fail(invalidBody(body, 'a Gemini answer'));
  const answer = parsed.data;
  const { text, thinking, calls } = answerParts(answer, 0);
  const usage = convertGeminiUsage(answer.usageMetadata);
  const finishReason = blockedPrompt(answer) ? 'content_filter' : (geminiFinishReason(answer.candidates?.[0]?.finishReason, calls.length > 0) ?? 'stop');
  return ok(translatedChatResult(plan, { model: answer.modelVersion ?? null, text, thinking, calls, finishReason, usage, timings: null }, toOpenAiUsageBody));
}

function parseGeminiModels(status: number, body: Uint8Array): Result<ModelInfo[]> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = geminiModelsSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success) return fail(invalidBody(body, 'a model list (/models)'));
  return ok((parsed.data.models ?? []).map((model) => ({ id: model.name.replace(/^models\//, ''), ownedBy: 'google', created: null })));
}

export function createGeminiAdapter(): ProviderAdapter {
  return {
    id: 'gemini',
    capabilities: Object.freeze({ chat: true, completions: false, embeddings: true, messages: false, responses: false, streaming: true, tools: true, models: true }),
    passesThrough: false,
    toUpstream: geminiToUpstream,
    fromUpstream: geminiFromUpstream,
    createStreamTransform: createGeminiStreamTransform,
    mapError: mapHttpError,
    modelsRequest: (context) => modelsRequestFor('/models?pageSize=1000', keyHeaders(context.apiKey), context),
    parseModels: parseGeminiModels,
  };
}
