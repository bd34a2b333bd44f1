// Providers (seed 004's llm_providers and llm_provider_health): where the gateway sends
// calls, and how each one is doing.
import { z } from 'zod';

export const providerInputSchema = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lowercase letters, digits, _ . -'),
  type: z.string().min(1).max(64).describe('openai, azure, anthropic, gemini, bedrock, mistral, openrouter, deepseek, groq, xai, together, fireworks, ollama, ollama-openai, localai, vllm, lmstudio, openai-compatible'),
  display_name: z.string().min(1).max(128).optional(),
  base_url: z.string().min(1).max(2048).optional(),
  api_key: z.string().min(1).max(4096).optional(),
  models: z.array(z.string().min(1).max(256)).max(1000).optional(),
  priority: z.number().int().min(0).max(1000).optional(),
  timeout_seconds: z.number().positive().max(3600).optional(),
  circuit_breaker_threshold: z.number().int().min(1).max(1000).optional(),
  circuit_breaker_timeout: z.number().positive().max(86_400).optional(),
  max_retries: z.number().int().min(0).max(5).optional(),
  is_enabled: z.boolean().optional(),
  allow_client_key: z.boolean().optional().describe("whether a caller may send its own key for this provider (x-loupe-provider-key), used instead of the provider's"),
});
export type ProviderInput = z.infer<typeof providerInputSchema>;
export const providerPatchSchema = providerInputSchema.omit({ name: true, type: true }).partial();
export type ProviderPatch = z.infer<typeof providerPatchSchema>;

export interface ProviderRecord {
  name: string;
  display_name: string;
  type: string;
  provider_type: 'local' | 'remote';
  base_url: string;
  /** Sealed with the data directory's secret key; never returned by the API. */
  api_key_sealed: string | null;
  models: string[];
  priority: number;
  timeout_seconds: number;
  circuit_breaker_threshold: number;
  circuit_breaker_timeout: number;
  max_retries: number;
  is_enabled: boolean;
  /** Whether a caller's own key (x-loupe-provider-key) is sent instead of this provider's key. */
  allow_client_key: boolean;
  /** `config`: from the config file or environment (trusted); `api`: added through the API. */
  source: 'config' | 'api';
  created_at: number;
  updated_at: number;
}

export interface ProviderHealthRecord {
  name: string;
  circuit_state: 'closed' | 'open' | 'half_open';
  failure_count: number;
  total_requests: number;
  successful_requests: number;
  failed_requests: number;
  avg_response_time_ms: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
  updated_at: number;
}
