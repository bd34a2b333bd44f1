// Replays and comparisons as the dashboard asks for them: the answer's shape, who may send
// them (they call providers and cost money: the gateway scope), and the models to offer.
import { useQuery } from '@tanstack/react-query';
import { api, sessionInfo } from './api';

export interface ReplayAnswer {
  call_id: string | null; provider: string | null; model: string | null; status: string; response: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  cost_usd: number | null; price_source: string | null; latency_ms: number | null; attempts: number;
  error: { code: string; message: string } | null;
}

export function canReplay(): boolean {
  const scopes = sessionInfo().scopes;
  return scopes.includes('admin') || scopes.includes('gateway');
}

/** Every model of every enabled provider, as `provider/model`. */
export function useReplayModels() {
  return useQuery({
    queryKey: ['replay-models'],
    queryFn: () => api<{ models: Record<string, string[]> }>('/api/v1/replay/models'),
    select: (data) => Object.entries(data.models).flatMap(([provider, models]) => models.map((model) => `${provider}/${model}`)),
  });
}

/** `provider/model` as a target; the provider's name never holds a slash, a model's may. */
export function targetOf(choice: string): { provider: string; model: string } {
  const slash = choice.indexOf('/');
  return { provider: choice.slice(0, slash), model: choice.slice(slash + 1) };
}
