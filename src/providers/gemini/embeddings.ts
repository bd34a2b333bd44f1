// OpenAI embeddings ↔ Gemini's batchEmbedContents: each input text is one request of the batch
// (`dimensions` as Gemini's `outputDimensionality`), and the vectors come back in OpenAI's list,
// as floats or, for `encoding_format: "base64"` (what OpenAI's SDKs ask for), as little-endian
// float32 bytes in base64. Gemini reports no token counts here: they are estimated.
import type { CallPlan, UpstreamResult } from '../kit/adapter.js';
import { encodeUtf8 } from '../kit/bytes.js';
import { invalidBody, parseJsonBytes } from '../kit/json-body.js';
import { mapHttpError } from '../kit/map-http-error.js';
import { fail, ok, type Result } from '../kit/result.js';
import { geminiEmbeddingsSchema } from './gemini-schemas.js';
import { RequestFieldError } from '../kit/request-field-error.js';

type Json = Record<string, unknown>;

export function toGeminiEmbeddingRequest(body: Readonly<Json>, model: string): Json {
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((text) => typeof text === 'string')) {
    throw new RequestFieldError('input', 'input must be a string or an array of strings for provider type gemini (token arrays are not accepted)');
  }
  const dimensions = typeof body.dimensions === 'number' ? { outputDimensionality: body.dimensions } : {};
  return { requests: input.map((text) => ({ model: `models/${model.replace(/^models\//, '')}`, content: { parts: [{ text }] }, ...dimensions })) };
}

function base64Floats(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

export function geminiEmbeddingsFromUpstream(status: number, body: Uint8Array, plan: CallPlan): Result<UpstreamResult> {
  if (status < 200 || status > 299) return fail(mapHttpError(status, body));
  const parsed = geminiEmbeddingsSchema.safeParse(parseJsonBytes(body));
  if (!parsed.success) return fail(invalidBody(body, 'Gemini embeddings'));
  const data = parsed.data.embeddings.map((embedding, index) => ({
    object: 'embedding', index, embedding: plan.encodingFormat === 'base64' ? base64Floats(embedding.values) : embedding.values,
  }));
  const openai = { object: 'list', data, model: plan.model };
  return ok({
    openaiBody: encodeUtf8(JSON.stringify(openai)), usage: null, usageSource: 'estimated', finishReason: null, responseModel: null,
    toolCallsCount: 0, completionText: '', output: null, timings: null,
  });
}
