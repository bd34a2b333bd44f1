// Environment shortcuts for the common providers (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...),
// so that a single variable is enough to route calls to a provider.
import { ConfigError } from './config-error.js';

const SHORTCUTS = [
  { prefix: 'OPENAI', name: 'openai', type: 'openai', priority: 10 },
  { prefix: 'AZURE_OPENAI', name: 'azure', type: 'azure', priority: 15 },
  { prefix: 'ANTHROPIC', name: 'anthropic', type: 'anthropic', priority: 20 },
  { prefix: 'MISTRAL', name: 'mistral', type: 'mistral', priority: 30 },
  { prefix: 'OPENROUTER', name: 'openrouter', type: 'openrouter', priority: 40 },
  { prefix: 'GEMINI', name: 'gemini', type: 'gemini', priority: 45 },
  { prefix: 'DEEPSEEK', name: 'deepseek', type: 'deepseek', priority: 50 },
] as const;

export function providersFromEnv(env: NodeJS.ProcessEnv, fromFile: unknown[]): Record<string, unknown>[] {
  const taken = new Set(fromFile.map((provider) => (provider as { name?: unknown }).name));
  const out: Record<string, unknown>[] = [];
  for (const shortcut of SHORTCUTS) {
    const key = env[`${shortcut.prefix}_API_KEY`];
    if (!key || taken.has(shortcut.name)) continue;
    // Azure's own tools name a resource's address AZURE_OPENAI_ENDPOINT; it has no default.
    const baseUrl = env[`${shortcut.prefix}_BASE_URL`] || (shortcut.type === 'azure' ? env.AZURE_OPENAI_ENDPOINT : undefined);
    if (!baseUrl && shortcut.type === 'azure') {
      throw new ConfigError('AZURE_OPENAI_API_KEY is set without AZURE_OPENAI_ENDPOINT: set it to the resource endpoint (https://<resource>.openai.azure.com)');
    }
    out.push({ name: shortcut.name, type: shortcut.type, api_key: key, priority: shortcut.priority, ...(baseUrl ? { base_url: baseUrl } : {}) });
  }
  if (env.OLLAMA_BASE_URL && !taken.has('ollama')) {
    out.push({ name: 'ollama', type: 'ollama', base_url: env.OLLAMA_BASE_URL, priority: 1 });
  }
  return out;
}
