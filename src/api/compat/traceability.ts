// Seed 002 (Traceability) under /compat/traceability. Its paths and shapes are the native ones
// (sessions, analytics and requests were built to its fields), so each route hands the same
// request to the native route as its caller and relays the answer as it is.
import type { FastifyInstance } from 'fastify';
import { callNative } from './native-call.js';

export const TRACEABILITY_PREFIX = '/compat/traceability';

/** The seed's routes, each served by the native route at the same path. */
export const TRACEABILITY_ROUTES: readonly ['GET' | 'POST', string][] = [
  ['GET', '/api/v1/sessions/:id/messages'],
  ['GET', '/api/v1/sessions/:id/summary'],
  ['POST', '/api/v1/sessions/search'],
  ['GET', '/api/v1/analytics/overview'],
  ['GET', '/api/v1/analytics/agents'],
  ['GET', '/api/v1/analytics/models'],
  ['GET', '/api/v1/analytics/usage-trends'],
  ['GET', '/api/v1/analytics/cost-breakdown'],
  ['GET', '/api/v1/requests/:id'],
  ['GET', '/api/v1/requests/:id/messages'],
];

export function registerTraceabilityCompat(app: FastifyInstance, version: string): void {
  for (const [method, path] of TRACEABILITY_ROUTES) {
    app.route({
      method, url: `${TRACEABILITY_PREFIX}${path}`, config: { scope: 'read' }, schema: { tags: ['compat'], summary: `Seed 002: ${path}`, hide: true },
      handler: async (request, reply) => {
        const answer = await callNative(app, request, method, request.url.slice(TRACEABILITY_PREFIX.length), method === 'POST' ? request.body ?? {} : undefined);
        return reply.code(answer.status).send(answer.body);
      },
    });
  }
  app.get(`${TRACEABILITY_PREFIX}/health`, { config: { scope: 'public' }, schema: { tags: ['compat'], summary: 'Seed 002: health', hide: true } }, async (request, reply) => {
    const answer = await callNative(app, request, 'GET', '/health');
    return reply.code(answer.status).send(answer.body);
  });
  app.get(`${TRACEABILITY_PREFIX}/`, { config: { scope: 'public' }, schema: { tags: ['compat'], summary: 'Seed 002: API info', hide: true } }, async () => ({
    name: 'Loupe (LLM Traceability API)', version, docs: '/docs', endpoints: TRACEABILITY_ROUTES.map(([method, path]) => `${method} ${TRACEABILITY_PREFIX}${path.replace(/:id/g, '{id}')}`),
  }));
}
