// What the gateway needs to call one upstream, and the default base URLs of the
// OpenAI-compatible provider types. A caller never supplies a URL.
import type { Dispatcher } from 'undici';

const DEFAULT_BASE_URLS: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  mistral: 'https://api.mistral.ai/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  ollama: 'http://127.0.0.1:11434',
  'ollama-openai': 'http://127.0.0.1:11434/v1',
  localai: 'http://127.0.0.1:8080/v1',
  vllm: 'http://127.0.0.1:8000/v1',
  lmstudio: 'http://127.0.0.1:1234/v1',
};

export function defaultBaseUrl(type: string): string | null {
  return DEFAULT_BASE_URLS[type] ?? null;
}

export interface UpstreamTarget {
  name: string;
  type: string;
  baseUrl: string;
  apiKey: string | null;
  models: readonly string[];
  priority: number;
  timeoutMs: number;
  maxRetries: number;
  /** Connection pool; untrusted upstreams get one whose DNS lookup refuses private addresses. */
  dispatcher: Dispatcher;
}
