// Replays and comparisons as the dashboard asks for them: the answer's shape, who may send
// them (they call providers and cost money: the gateway scope), and the models to offer.
import { useQuery } from '@tanstack/react-query';
import { api, sessionInfo } from './api';

export interface ReplayAnswer {
  call_id: string | null; provider: string | null; model: string | null; status: string; response: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; reasoning_tokens?: number } | null;
  cost_usd: number | null; price_source: string | null; latency_ms: number | null; attempts: number;
  error: { code: string; message: string } | null;
}

export function canReplay(): boolean {
  const scopes = sessionInfo().scopes;
  return scopes.includes('admin') || scopes.includes('gateway');
}

/** A model to send a call to: one of a provider's, or a route of the config file by its name. */
export interface ReplayChoice {
  /** `provider/model`, or `route:<name>` (a provider's name holds no colon). */
  value: string;
  label: string;
  target: { provider?: string; model: string };
}

/** Every model of every enabled provider, then the routes. */
export function useReplayModels() {
  return useQuery({
    queryKey: ['replay-models'],
    queryFn: () => api<{ models: Record<string, string[]>; routes: string[] }>('/api/v1/replay/models'),
    select: (data): ReplayChoice[] => [
      ...Object.entries(data.models).flatMap(([provider, models]) => models.map((model) => ({ value: `${provider}/${model}`, label: `${provider}/${model}`, target: { provider, model } }))),
      ...data.routes.map((route) => ({ value: `route:${route}`, label: `${route} (route)`, target: { model: route } })),
    ],
  });
}

/** `provider/model` as a target; the provider's name never holds a slash, a model's may. */
export function targetOf(choice: string): { provider: string; model: string } {
  const slash = choice.indexOf('/');
  return { provider: choice.slice(0, slash), model: choice.slice(slash + 1) };
}

/** OpenAI's reasoning efforts, which the gateway says to every provider in its own words. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
