// The upstreams the gateway may call, from the config file and env shortcuts, and how a
// requested model picks one: `provider/model` names it, otherwise the providers that list
// the model, then every enabled provider, by priority. A caller never supplies a URL.
import type { ProviderConfig } from '../config/schema.js';

/** Default base URLs of the OpenAI-compatible provider types (their `/v1` root). */
const DEFAULT_BASE_URLS: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1',
  mistral: 'https://api.mistral.ai/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  ollama: 'http://127.0.0.1:11434/v1',
  localai: 'http://127.0.0.1:8080/v1',
  vllm: 'http://127.0.0.1:8000/v1',
  lmstudio: 'http://127.0.0.1:1234/v1',
};

export interface UpstreamTarget {
  name: string;
  type: string;
  baseUrl: string;
  apiKey: string | null;
  models: readonly string[];
  priority: number;
  timeoutMs: number;
}

export class UnsupportedProviderError extends Error {}

export function upstreamTargets(providers: readonly ProviderConfig[]): UpstreamTarget[] {
  return providers
    .filter((provider) => provider.enabled !== false)
    .map((provider) => {
      let baseUrl = provider.base_url ?? DEFAULT_BASE_URLS[provider.type];
      if (!baseUrl) throw new UnsupportedProviderError(`providers.${provider.name}: type '${provider.type}' has no default base_url; set one`);
      // Ollama's native root serves an OpenAI-compatible API under /v1.
      if (provider.type === 'ollama' && !/\/v1\/?$/.test(baseUrl)) baseUrl = `${baseUrl.replace(/\/$/, '')}/v1`;
      return {
        name: provider.name, type: provider.type, baseUrl: baseUrl.replace(/\/$/, ''), apiKey: provider.api_key ?? null,
        models: provider.models ?? [], priority: provider.priority ?? 100, timeoutMs: (provider.timeout_seconds ?? 120) * 1000,
      };
    })
    .sort((a, b) => a.priority - b.priority);
}

export interface ResolvedRoute {
  target: UpstreamTarget;
  /** The model id sent upstream (without a `provider/` prefix). */
  model: string;
}

export function resolveRoute(targets: readonly UpstreamTarget[], requested: string): ResolvedRoute | null {
  const slash = requested.indexOf('/');
  if (slash > 0) {
    const named = targets.find((target) => target.name === requested.slice(0, slash));
    if (named) return { target: named, model: requested.slice(slash + 1) };
  }
  const listing = targets.find((target) => target.models.includes(requested));
  if (listing) return { target: listing, model: requested };
  const open = targets.find((target) => target.models.length === 0);
  return open ? { target: open, model: requested } : null;
}
