// Optimization suggestions (seed 001): generated from the recent calls on request, listed, and
// marked implemented.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUGGESTION_TYPES, type Suggestion } from '../../domain/suggestion.js';
import type { Store } from '../../store/ports.js';
import { generateSuggestions } from '../../suggestions/generate-suggestions.js';
import { callerKey } from '../auth-plugin.js';
import { notFound } from '../errors.js';

const suggestionAnswer = z.object({
  id: z.string(), key: z.string(), suggestion_type: z.enum(SUGGESTION_TYPES), model_name: z.string(), title: z.string(), description: z.string(),
  priority: z.enum(['high', 'medium', 'low']), potential_improvement: z.string(), is_implemented: z.boolean(), created_at: z.string(), updated_at: z.string(),
  implemented_at: z.string().nullable(),
});

function present(suggestion: Suggestion) {
  const { project_id: _project, ...shown } = suggestion;
  const iso = (ms: number) => new Date(ms).toISOString();
  return { ...shown, created_at: iso(suggestion.created_at), updated_at: iso(suggestion.updated_at), implemented_at: suggestion.implemented_at === null ? null : iso(suggestion.implemented_at) };
}

export function registerSuggestionsRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/suggestions', {
    config: { scope: 'read' },
    schema: {
      tags: ['analytics'], summary: 'Optimization suggestions, newest first',
      querystring: z.strictObject({ status: z.enum(['open', 'implemented']).optional() }),
      response: { 200: z.object({ suggestions: z.array(suggestionAnswer) }) },
    },
  }, async (request) => {
    const status = request.query.status;
    const suggestions = (await store.suggestions.list(callerKey(request).project_id)).filter((suggestion) => status === undefined || suggestion.is_implemented === (status === 'implemented'));
    return { suggestions: suggestions.map(present) };
  });

  typed.post('/api/v1/suggestions/generate', {
    config: { scope: 'admin' },
    schema: {
      tags: ['analytics'], summary: "Generate suggestions from the last days' calls per model (latency, errors, cost, throughput)",
      body: z.strictObject({ days: z.number().int().min(1).max(90).optional() }).optional(),
      response: { 200: z.object({ message: z.string(), suggestions: z.array(suggestionAnswer) }) },
    },
  }, async (request) => {
    const suggestions = await generateSuggestions(store, callerKey(request).project_id, request.body?.days ?? 7);
    return { message: `Generated ${suggestions.length} optimization suggestion${suggestions.length === 1 ? '' : 's'}`, suggestions: suggestions.map(present) };
  });

  typed.post('/api/v1/suggestions/:id/implement', {
    config: { scope: 'admin' },
    schema: { tags: ['analytics'], summary: 'Mark a suggestion implemented (generating again leaves it as it is)', params: z.strictObject({ id: z.string().min(1).max(64) }), response: { 200: suggestionAnswer } },
  }, async (request) => {
    const projectId = callerKey(request).project_id;
    const suggestion = await store.suggestions.get(projectId, request.params.id);
    if (!suggestion) throw notFound('suggestion');
    if (suggestion.is_implemented) return present(suggestion);
    const now = Date.now();
    const implemented = { ...suggestion, is_implemented: true, implemented_at: now, updated_at: now };
    await store.suggestions.put(implemented);
    return present(implemented);
  });
}
