// GET/PUT /api/v1/research-config: seed 000's research loop configuration, a validated JSON
// document per project (defaults until one is saved).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { assertValidRequest } from '../../outcomes/body-validation.js';
import { DEFAULT_RESEARCH_CONFIG, researchConfigSchema } from '../../outcomes/research-config.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';

export function registerResearchConfigRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/research-config', {
    config: { scope: 'read' },
    schema: { tags: ['outcomes'], summary: 'The research loop configuration (defaults until one is saved)' },
    handler: async (request) => {
      const key = callerKey(request);
      const stored = await store.researchConfig.get(key.project_id);
      // A document saved by an older version gains the fields added since, with their defaults.
      const parsed = stored ? researchConfigSchema.safeParse(stored.document) : null;
      const config = parsed?.success ? parsed.data : DEFAULT_RESEARCH_CONFIG;
      return { config, updated_at: stored ? new Date(stored.updated_at).toISOString() : null, is_default: !stored };
    },
  });

  typed.put('/api/v1/research-config', {
    config: { scope: 'admin' },
    attachValidation: true,
    schema: {
      tags: ['outcomes'],
      summary: 'Replace the research loop configuration (omitted fields take their defaults)',
      body: researchConfigSchema,
    },
    handler: async (request) => {
      assertValidRequest(request, { body: researchConfigSchema });
      const key = callerKey(request);
      const now = Date.now();
      await store.researchConfig.put(key.project_id, request.body, now);
      return { config: request.body, updated_at: new Date(now).toISOString(), is_default: false };
    },
  });
}
