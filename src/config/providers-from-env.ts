// Environment shortcuts for the common providers (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...),
// so that a single variable is enough to route calls to a provider.
import { ConfigError } from './config-error.js';

interface Shortcut {
  prefix: string;
  name: string;
  type: string;
  priority: number;
  /** Another variable that may give the base URL (the name the provider's own tools use). */
  baseUrlAlias?: string;
  /** The type has no default address: its key alone is refused, naming the variable to add. */
  baseUrlRequired?: boolean;
}

const SHORTCUTS: readonly Shortcut[] = [
  { prefix: 'OPENAI', name: 'openai', type: 'openai', priority: 10 },
  // Azure's own tools name a resource's address AZURE_OPENAI_ENDPOINT.
  { prefix: 'AZURE_OPENAI', name: 'azure', type: 'azure', priority: 15, baseUrlAlias: 'AZURE_OPENAI_ENDPOINT', baseUrlRequired: true },
  { prefix: 'ANTHROPIC', name: 'anthropic', type: 'anthropic', priority: 20 },
  { prefix: 'MISTRAL', name: 'mistral', type: 'mistral', priority: 30 },
  { prefix: 'OPENROUTER', name: 'openrouter', type: 'openrouter', priority: 40 },
  { prefix: 'GEMINI', name: 'gemini', type: 'gemini', priority: 45 },
  { prefix: 'DEEPSEEK', name: 'deepseek', type: 'deepseek', priority: 50 },
  { prefix: 'GROQ', name: 'groq', type: 'groq', priority: 55 },
  { prefix: 'XAI', name: 'xai', type: 'xai', priority: 60 },
  { prefix: 'TOGETHER', name: 'together', type: 'together', priority: 65 },
  { prefix: 'FIREWORKS', name: 'fireworks', type: 'fireworks', priority: 70 },
];

export function providersFromEnv(env: NodeJS.ProcessEnv, fromFile: unknown[]): Record<string, unknown>[] {
  const taken = new Set(fromFile.map((provider) => (provider as { name?: unknown }).name));
  const out: Record<string, unknown>[] = [];
  for (const shortcut of SHORTCUTS) {
    const key = env[`${shortcut.prefix}_API_KEY`];
    if (!key || taken.has(shortcut.name)) continue;
    const baseUrl = env[`${shortcut.prefix}_BASE_URL`] || (shortcut.baseUrlAlias ? env[shortcut.baseUrlAlias] : undefined);
    if (!baseUrl && shortcut.baseUrlRequired) {
      throw new ConfigError(`${shortcut.prefix}_API_KEY is set without ${shortcut.baseUrlAlias ?? `${shortcut.prefix}_BASE_URL`}: set it to the provider's address`);
    }
    out.push({ name: shortcut.name, type: shortcut.type, api_key: key, priority: shortcut.priority, ...(baseUrl ? { base_url: baseUrl } : {}) });
  }
  // Bedrock API keys go by AWS's own variable name, and the runtime's address by the region;
  // BEDROCK_BASE_URL alone adds Bedrock signed with the environment's AWS credentials.
  if ((env.AWS_BEARER_TOKEN_BEDROCK || env.BEDROCK_BASE_URL) && !taken.has('bedrock')) {
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
    const baseUrl = env.BEDROCK_BASE_URL || (region ? `https://bedrock-runtime.${region}.amazonaws.com` : undefined);
    if (!baseUrl) throw new ConfigError('AWS_BEARER_TOKEN_BEDROCK is set without AWS_REGION: set the region whose Bedrock runtime to call');
    out.push({ name: 'bedrock', type: 'bedrock', ...(env.AWS_BEARER_TOKEN_BEDROCK ? { api_key: env.AWS_BEARER_TOKEN_BEDROCK } : {}), base_url: baseUrl, priority: 75 });
  }
  if (env.OLLAMA_BASE_URL && !taken.has('ollama')) {
    out.push({ name: 'ollama', type: 'ollama', base_url: env.OLLAMA_BASE_URL, priority: 1 });
  }
  return out;
}
