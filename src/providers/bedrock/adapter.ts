// The Bedrock adapter (Amazon Bedrock's Converse API, with a Bedrock API key or signed with IAM
// credentials as each request is sent, sign-request.ts): OpenAI chat
// requests said in Converse's words, its answers and binary event streams written back as
// OpenAI's, usage as Bedrock counts it (cache reads and writes apart from the input). Chat only:
// Bedrock's embeddings and other APIs are each model's own format.
import type { CallContext, CallPlan, ClientRequest, ModelInfo, ProviderAdapter, UpstreamRequest, UpstreamResult } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { describeErrorBody } from '../kit/error-body.js';
import { upstreamError, type UpstreamError } from '../kit/errors.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { errorFromDetails, mapHttpError } from '../kit/map-http-error.js';
import { modelsRequestFor } from '../kit/models-request.js';
import { translatedChatPlan } from '../kit/observations.js';
import { translating } from '../kit/request-field-error.js';
import { fail, ok, type Result } from '../kit/result.js';
import { readHeader, type HeaderBag } from '../kit/retry-after.js';
import { translatedChatResult } from '../kit/translated-chat-answer.js';
import { converseAnswerSchema } from './bedrock-schemas.js';
import { answerParts, bedrockFinishReason, convertBedrockUsage, toOpenAiUsageBody } from './convert-answer.js';
import { createBedrockStreamTransform } from './parse-stream.js';
import { conversePath, toConverseRequest } from './to-upstream.js';

const keyHeaders = (apiKey: string | undefined): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {});

function bedrockToUpstream(request: ClientRequest, context: CallContext): Result<UpstreamRequest> {
  if (request.endpoint !== 'chat') {
    return fail(upstreamError('bad_request', { message: 'provider type bedrock serves chat completions and (said as chat) the Messages API only', code: 'unsupported_endpoint' }));
  }
  const body = translating(() => toConverseRequest(request.body, context.model));
  if (!body.ok) return body;
  const stream = request.body.stream === true;
  return ok({
    method: 'POST',
    path: conversePath(context.model, stream),
    headers: { 'content-type': 'application/json', accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json', ...keyHeaders(context.apiKey) },
    body: encodeUtf8(JSON.stringify(body.value)),
    plan: translatedChatPlan(request.body, stream, context),
  });
}

function bedrockFromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = converseAnswerSchema.safeParse(parseJsonBytes(body));
  const blocks = parsed.success ? parsed.data.output?.message?.content : undefined;
  if (!parsed.success || !blocks) return fail(invalidBody(body, 'a Converse answer'));
  const { text, thinking, thinkingBlocks, calls } = answerParts(blocks);
  const finish = bedrockFinishReason(parsed.data.stopReason);
  return ok(translatedChatResult(plan, {
    model: null, text, thinking, thinkingBlocks, calls, finishReason: calls.length > 0 && finish === 'stop' ? 'tool_calls' : finish,
    usage: convertBedrockUsage(parsed.data.usage), timings: null,
  }, toOpenAiUsageBody));
}

/** AWS names the error in `x-amzn-ErrorType` (`ThrottlingException:http://...`); the body carries only the message. */
function mapBedrockError(status: number, body: Uint8Array, headers: HeaderBag, nowMs?: number): UpstreamError {
  const details = describeErrorBody(body, status);
  const type = readHeader(headers, 'x-amzn-errortype')?.split(':')[0];
  return errorFromDetails(status, { ...details, code: details.code ?? type ?? null }, headers, nowMs);
}

/**
 * The runtime API lists no models (the control plane's host does); the connection test lists
 * the account's asynchronous invocations instead, which proves the address and the key.
 */
function parseBedrockModels(status: number, body: Uint8Array): Result<ModelInfo[]> {
  return status >= 200 && status <= 299 ? ok([]) : fail(mapHttpError(status, body));
}

export function createBedrockAdapter(): ProviderAdapter {
  return {
    id: 'bedrock',
    capabilities: Object.freeze({ chat: true, completions: false, embeddings: false, messages: false, responses: false, streaming: true, tools: true, models: false }),
    passesThrough: false,
    toUpstream: bedrockToUpstream,
    fromUpstream: bedrockFromUpstream,
    createStreamTransform: createBedrockStreamTransform,
    mapError: mapBedrockError,
    modelsRequest: (context) => modelsRequestFor('/async-invoke?maxResults=1', keyHeaders(context.apiKey), context),
    parseModels: parseBedrockModels,
  };
}
