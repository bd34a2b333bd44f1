// The OpenAI-compatible providers as variants of one base: each line says how it differs
// from OpenAI itself, and nothing else.
import { bearerHeaders, FULL_OPENAI_CAPABILITIES, type OpenAiCompatibleVariant } from './variant.js';

export interface VariantOptions {
  /** Extra headers on every request (e.g. OpenRouter's `HTTP-Referer` / `X-Title` attribution). */
  extraHeaders?: Readonly<Record<string, string>>;
}

function variant(id: string, overrides: Partial<Omit<OpenAiCompatibleVariant, 'id'>>, options: VariantOptions): OpenAiCompatibleVariant {
  const extra = options.extraHeaders ?? {};
  return {
    id,
    capabilities: FULL_OPENAI_CAPABILITIES,
    injectStreamUsage: true,
    streamUsageAlways: false,
    headers: (apiKey) => ({ ...extra, ...bearerHeaders(apiKey) }),
    ...overrides,
  };
}

export function openAiVariant(id: string, options: VariantOptions = {}): OpenAiCompatibleVariant {
  switch (id) {
    case 'mistral':
      // Mistral has no legacy /completions (only FIM) nor Responses API, and puts usage on its
      // final chunk unasked, so stream_options is neither needed nor sent.
      return variant(id, { capabilities: { ...FULL_OPENAI_CAPABILITIES, completions: false, responses: false }, injectStreamUsage: false, streamUsageAlways: true }, options);
    case 'azure':
      // Azure's v1 API takes a resource key in its own header (a Bearer token there is an Entra ID token).
      return variant(id, { headers: (apiKey) => ({ ...(options.extraHeaders ?? {}), ...(apiKey ? { 'api-key': apiKey } : {}) }) }, options);
    case 'deepseek':
      // DeepSeek serves chat only (its completions are a beta of its own, at another base URL);
      // it reports cache reads in its own usage field (convert-usage.ts).
      return variant(id, { capabilities: { ...FULL_OPENAI_CAPABILITIES, completions: false, embeddings: false, responses: false } }, options);
    case 'groq':
      // Groq serves chat and the Responses API, not the legacy /completions nor embeddings.
      return variant(id, { capabilities: { ...FULL_OPENAI_CAPABILITIES, completions: false, embeddings: false } }, options);
    default:
      // openai, openrouter, xai, together, fireworks, localai, vllm, ollama-openai, openai-compatible: OpenAI's own behaviour.
      return variant(id, {}, options);
  }
}
