// The OpenAI-compatible base adapter: one implementation of the contract for every provider
// that speaks OpenAI's wire format; a variant supplies only what differs.
import type { ProviderAdapter } from '../kit/adapter.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { openAiFromUpstream } from './from-upstream.js';
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
    fromUpstream: openAiFromUpstream,
    createStreamTransform: createOpenAiStreamTransform,
    mapError: mapHttpError,
    modelsRequest: (context) => modelsRequestFor('/models', variant.headers(context.apiKey), context),
    parseModels: parseOpenAiModels,
  };
}
