// Request details (seed 002): one request with every attempt of its fallback chain, and its
// conversation (the final attempt's input messages and answer).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestDetails } from '../../sessions/request-details.js';
import { requestMessages } from '../../sessions/session-messages.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { notFound } from '../errors.js';

const idParams = z.strictObject({ id: z.string().min(1).max(256).describe('a request_id, or a call id') });

export function registerRequestsRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/requests/:id', {
    config: { scope: 'read' },
    schema: { tags: ['sessions'], summary: 'One request in full: every attempt, with totals across attempts', params: idParams },
    handler: async (request) => {
      const key = callerKey(request);
      const details = await requestDetails(store.sql, key.project_id, request.params.id);
      if (!details) throw notFound('request');
      return details;
    },
  });

  typed.get('/api/v1/requests/:id/messages', {
    config: { scope: 'read' },
    schema: { tags: ['sessions'], summary: "A request's conversation: the final attempt's input messages, then its answer", params: idParams },
    handler: async (request) => {
      const key = callerKey(request);
      const messages = await requestMessages(store.sql, key.project_id, request.params.id);
      if (!messages) throw notFound('request');
      return messages;
    },
  });
}
