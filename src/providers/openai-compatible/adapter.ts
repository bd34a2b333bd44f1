// The OpenAI-compatible base adapter: one implementation of the contract for every provider
// that speaks OpenAI's wire format (chat, completions, embeddings, and the Responses API, whose
// answers and events have their own reader; Anthropic's Messages API is said as chat and
// answered in Anthropic's format); a variant supplies only what differs.
import type { ProviderAdapter } from '../kit/adapter.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { chatAsMessagesFromUpstream, openAiFromUpstream } from './from-upstream.js';
import { responsesFromUpstream } from './responses-answer.js';
import { createResponsesStreamTransform } from './responses-stream.js';
import { modelsRequestFor } from '../kit/models-request.js';
import { parseOpenAiModels } from './models.js';
import { createOpenAiStreamTransform } from './parse-stream.js';
import { openAiToUpstream } from './to-upstream.js';
import type { OpenAiCompatibleVariant } from './variant.js';

export function createOpenAiCompatibleAdapter(variant: OpenAiCompatibleVariant): ProviderAdapter {
  return {
    id: variant.id,
    capabilities: variant.capabilities,
    passesThrough: true,
    toUpstream: (request, context) => openAiToUpstream(variant, request, context),
    fromUpstream: (status, body, plan) => (plan.endpoint === 'responses' ? responsesFromUpstream : plan.endpoint === 'messages' ? chatAsMessagesFromUpstream : openAiFromUpstream)(status, body, plan),
    createStreamTransform: (plan) => (plan.endpoint === 'responses' ? createResponsesStreamTransform : createOpenAiStreamTransform)(plan),
    mapError: mapHttpError,
    modelsRequest: (context) => modelsRequestFor('/models', variant.headers(context.apiKey), context),
    parseModels: parseOpenAiModels,
  };
}
