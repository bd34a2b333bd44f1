// The Anthropic adapter: OpenAI chat requests become Messages API requests, and answers
// (whole or streamed) come back in OpenAI's format with usage counted by the accounting rules.
// A client speaking the Messages API itself (endpoint `messages`) gets Anthropic's bytes as sent.
import { z } from 'zod';
import type { ModelInfo, ProviderAdapter } from '../kit/adapter.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { fail, ok, type Result } from '../kit/result.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { modelsRequestFor } from '../kit/models-request.js';
import { anthropicFromUpstream } from './from-upstream.js';
import { createAnthropicStreamTransform } from './parse-stream.js';
import { anthropicHeaders } from './headers.js';
import { anthropicToUpstream } from './to-upstream.js';

export { ANTHROPIC_VERSION } from './headers.js';

const modelListSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string(), created_at: z.string().nullish() })) });

function parseAnthropicModels(status: number, body: Uint8Array): Result<ModelInfo[]> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = modelListSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success) return fail(invalidBody(body, 'a model list'));
  return ok(parsed.data.data.map((model) => {
    const created = model.created_at ? Date.parse(model.created_at) : Number.NaN;
    return { id: model.id, ownedBy: 'anthropic', created: Number.isNaN(created) ? null : Math.floor(created / 1000) };
  }));
}

export function createAnthropicAdapter(): ProviderAdapter {
  return {
    id: 'anthropic',
    capabilities: Object.freeze({ chat: true, completions: false, embeddings: false, messages: true, responses: false, streaming: true, tools: true, models: true }),
    passesThrough: false,
    toUpstream: anthropicToUpstream,
    fromUpstream: anthropicFromUpstream,
    createStreamTransform: createAnthropicStreamTransform,
    mapError: mapHttpError,
    modelsRequest: (context) => modelsRequestFor('/models', anthropicHeaders(context.apiKey), context),
    parseModels: parseAnthropicModels,
  };
}
