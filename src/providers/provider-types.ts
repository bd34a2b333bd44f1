// The provider types Loupe can call and how to build an adapter for each. This is the one
// entry point the gateway and the provider registry import; these names are stable:
//   PROVIDER_TYPES, ProviderType, isProviderType(type)
//   PROVIDER_TYPE_INFO[type] / providerTypeInfo(type) → { family, defaultBaseUrl, location, envPrefix, requiresApiKey }
//   providerBaseUrl(type, configured) → the base URL calls go to (BaseUrlError when unusable)
//   createAdapter(type, options?) → ProviderAdapter (see kit/adapter.ts for the contract)
//   ENV_SHORTCUT_TYPES: the types with an env shortcut (`<PREFIX>_API_KEY`, `<PREFIX>_BASE_URL`)
import { createAnthropicAdapter } from './anthropic/adapter.js';
import { createBedrockAdapter } from './bedrock/adapter.js';
import { createGeminiAdapter } from './gemini/adapter.js';
import type { ProviderAdapter } from './kit/adapter.js';
import { withMessagesOverChat } from './messages-over-chat.js';
import { createOllamaAdapter } from './ollama/adapter.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible/adapter.js';
import { openAiVariant } from './openai-compatible/variants.js';

export const PROVIDER_TYPES = ['openai', 'azure', 'openrouter', 'mistral', 'deepseek', 'groq', 'xai', 'together', 'fireworks', 'localai', 'vllm', 'lmstudio', 'ollama', 'ollama-openai', 'anthropic', 'gemini', 'bedrock', 'openai-compatible'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface ProviderTypeInfo {
  /** Which adapter implementation serves the type. */
  family: 'openai-compatible' | 'anthropic' | 'ollama' | 'gemini' | 'bedrock';
  /** Where the type's API lives when no base URL is configured; null: a base URL is required. */
  defaultBaseUrl: string | null;
  /** Local model servers run on the operator's machine (priced by electricity, not tokens). */
  location: 'local' | 'remote';
  /** Env shortcut prefix (`OPENAI` → OPENAI_API_KEY, OPENAI_BASE_URL); null when none. */
  envPrefix: string | null;
  requiresApiKey: boolean;
}

function info(
  family: ProviderTypeInfo['family'],
  defaultBaseUrl: string | null,
  location: ProviderTypeInfo['location'],
  envPrefix: string | null = null,
  requiresApiKey = location === 'remote' && defaultBaseUrl !== null,
): ProviderTypeInfo {
  return Object.freeze({ family, defaultBaseUrl, location, envPrefix, requiresApiKey });
}

export const PROVIDER_TYPE_INFO: Readonly<Record<ProviderType, ProviderTypeInfo>> = Object.freeze({
  openai: info('openai-compatible', 'https://api.openai.com/v1', 'remote', 'OPENAI'),
  // Azure OpenAI's v1 API, on each operator's own resource (https://<resource>.openai.azure.com/openai/v1).
  azure: info('openai-compatible', null, 'remote', 'AZURE_OPENAI', true),
  openrouter: info('openai-compatible', 'https://openrouter.ai/api/v1', 'remote', 'OPENROUTER'),
  mistral: info('openai-compatible', 'https://api.mistral.ai/v1', 'remote', 'MISTRAL'),
  deepseek: info('openai-compatible', 'https://api.deepseek.com/v1', 'remote', 'DEEPSEEK'),
  groq: info('openai-compatible', 'https://api.groq.com/openai/v1', 'remote', 'GROQ'),
  xai: info('openai-compatible', 'https://api.x.ai/v1', 'remote', 'XAI'),
  together: info('openai-compatible', 'https://api.together.xyz/v1', 'remote', 'TOGETHER'),
  fireworks: info('openai-compatible', 'https://api.fireworks.ai/inference/v1', 'remote', 'FIREWORKS'),
  localai: info('openai-compatible', 'http://127.0.0.1:8080/v1', 'local'),
  vllm: info('openai-compatible', 'http://127.0.0.1:8000/v1', 'local'),
  lmstudio: info('openai-compatible', 'http://127.0.0.1:1234/v1', 'local'),
  // OLLAMA_BASE_URL is a base URL only (no key): it configures the native adapter.
  ollama: info('ollama', 'http://127.0.0.1:11434', 'local', 'OLLAMA'),
  'ollama-openai': info('openai-compatible', 'http://127.0.0.1:11434/v1', 'local'),
  anthropic: info('anthropic', 'https://api.anthropic.com/v1', 'remote', 'ANTHROPIC'),
  gemini: info('gemini', 'https://generativelanguage.googleapis.com/v1beta', 'remote', 'GEMINI'),
  // Amazon Bedrock's runtime in one region (https://bedrock-runtime.<region>.amazonaws.com), with a
  // Bedrock API key or, without one, signed with the environment's AWS credentials;
  // AWS_BEARER_TOKEN_BEDROCK with AWS_REGION (or BEDROCK_BASE_URL alone) is its env shortcut.
  bedrock: info('bedrock', null, 'remote', null, false),
  // Any other OpenAI-compatible server: the operator gives its base URL (and a key if it needs one).
  'openai-compatible': info('openai-compatible', null, 'remote'),
});

export class BaseUrlError extends Error {}

/**
 * The base URL a provider's calls go to: the configured one, or the type's default. An Azure
 * resource endpoint given alone (what Azure's portal shows, and AZURE_OPENAI_ENDPOINT holds) is
 * completed with the v1 API's path; a deployment URL of Azure's older dated API is refused,
 * since calls are made to the v1 API, with the deployment as the model.
 */
export function providerBaseUrl(type: string, configured: string | undefined): string | null {
  const base = configured ?? (isProviderType(type) ? PROVIDER_TYPE_INFO[type].defaultBaseUrl : null);
  if (type !== 'azure' || base === null) return base;
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new BaseUrlError('is not a valid URL');
  }
  if (/\/deployments(\/|$)/.test(url.pathname)) {
    throw new BaseUrlError("is a deployment URL of Azure's dated API; give the resource endpoint (https://<resource>.openai.azure.com) and name the deployment as the model");
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/openai/v1';
  return url.toString().replace(/\/+$/, '');
}

export const ENV_SHORTCUT_TYPES: readonly ProviderType[] = PROVIDER_TYPES.filter((type) => PROVIDER_TYPE_INFO[type].envPrefix !== null);

export function isProviderType(type: string): type is ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(type);
}

export function providerTypeInfo(type: ProviderType): ProviderTypeInfo {
  return PROVIDER_TYPE_INFO[type];
}

export interface AdapterOptions {
  /** Extra headers on every upstream request (OpenAI-compatible types only, e.g. OpenRouter's `X-Title`). */
  extraHeaders?: Readonly<Record<string, string>>;
}

/** A new adapter for a provider type. Adapters hold no per-call state and can be shared. */
export function createAdapter(type: ProviderType, options: AdapterOptions = {}): ProviderAdapter {
  const family = PROVIDER_TYPE_INFO[type].family;
  if (family === 'anthropic') return createAnthropicAdapter();
  // Their chat is translated already; the Messages API is said over it.
  if (family === 'ollama') return withMessagesOverChat(createOllamaAdapter());
  if (family === 'gemini') return withMessagesOverChat(createGeminiAdapter());
  if (family === 'bedrock') return withMessagesOverChat(createBedrockAdapter());
  return createOpenAiCompatibleAdapter(openAiVariant(type, options));
}
