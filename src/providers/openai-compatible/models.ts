// The model list of an OpenAI-compatible provider (`GET /models`).
import type { ModelInfo } from '../kit/adapter.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { fail, ok, type Result } from '../kit/result.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { modelListSchema } from './openai-schemas.js';

export function parseOpenAiModels(status: number, body: Uint8Array): Result<ModelInfo[]> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = modelListSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success) return fail(invalidBody(body, 'a model list'));
  return ok(parsed.data.data.map((model) => ({ id: model.id, ownedBy: model.owned_by ?? null, created: model.created ?? null })));
}
