// What may differ between OpenAI-compatible providers. The base adapter reads only this, so a
// provider is a variant that overrides a few fields (see variants.ts), never a fork.
import type { Capabilities } from '../kit/adapter.js';

export interface OpenAiCompatibleVariant {
  /** Adapter id, also the provider type name (`openai`, `mistral`, ...). */
  id: string;
  capabilities: Readonly<Capabilities>;
  /** Ask for `stream_options.include_usage` when the client did not say (and hide the chunk). */
  injectStreamUsage: boolean;
  /** Usage arrives on the final chunk whatever the client asked (so `false` is not honoured upstream). */
  streamUsageAlways: boolean;
  /** Headers of every request: authentication and any provider extras. */
  headers(apiKey: string | undefined): Record<string, string>;
}

export function bearerHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

export const FULL_OPENAI_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  chat: true,
  completions: true,
  embeddings: true,
  messages: true,
  responses: true,
  streaming: true,
  tools: true,
  models: true,
});
