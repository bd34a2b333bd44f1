// Generates a project's optimization suggestions from its recent calls and keeps them: one per
// type and model, updated while it still holds, removed once it no longer does, and left as it
// is once marked implemented.
import { uuidv7 } from 'uuidv7';
import { modelBreakdown } from '../analytics/breakdowns.js';
import { runTotals } from '../analytics/metrics/run-query.js';
import type { Suggestion } from '../domain/suggestion.js';
import type { Store } from '../store/ports.js';
import { suggestionsFrom } from './suggestion-rules.js';

export async function generateSuggestions(store: Store, projectId: string, days: number, now = Date.now()): Promise<Suggestion[]> {
  const filters = { projectId, from: now - days * 86_400_000, to: now };
  const [models, overall] = await Promise.all([
    modelBreakdown(store.sql, filters),
    runTotals(store.sql, { metrics: ['avg_latency', 'avg_tokens_per_second'], filters }),
  ]);
  const figure = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const drafts = suggestionsFrom(models, { avg_latency: figure(overall.avg_latency), avg_tokens_per_second: figure(overall.avg_tokens_per_second) });
  const existing = new Map((await store.suggestions.list(projectId)).map((suggestion) => [suggestion.key, suggestion]));
  const current: Suggestion[] = [];
  for (const draft of drafts) {
    const before = existing.get(draft.key);
    existing.delete(draft.key);
    if (before?.is_implemented) continue;
    const suggestion: Suggestion = before
      ? { ...before, ...draft, updated_at: now }
      : { id: uuidv7(), project_id: projectId, ...draft, is_implemented: false, created_at: now, updated_at: now, implemented_at: null };
    await store.suggestions.put(suggestion);
    current.push(suggestion);
  }
  // What no longer holds goes; what was implemented stays as a record of it.
  for (const stale of existing.values()) if (!stale.is_implemented) await store.suggestions.delete(projectId, stale.id);
  return current;
}
