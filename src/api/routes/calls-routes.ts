// POST /api/v1/calls: one call record or an array of up to 1,000, with a result per item.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ingestCalls, type IngestDeps } from '../../ingest/ingest-calls.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError } from '../errors.js';

export const MAX_BATCH_ITEMS = 1000;

const resultSchema = z.object({
  index: z.number(),
  id: z.string().optional(),
  status: z.enum(['created', 'duplicate', 'conflict', 'invalid']),
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }).optional(),
});

export function registerCallsRoutes(app: FastifyInstance, deps: IngestDeps): void {
  app.withTypeProvider<ZodTypeProvider>().post('/api/v1/calls', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['ingestion'],
      summary: 'Record one call or a batch of up to 1,000',
      description:
        'Each item is a call record (see the CallRecord fields in docs/API.md). A client-supplied `id` makes retries idempotent: the same id and body again returns the same result and stores one row; the same id with another body is a 409 conflict. Answers 201 for one record, 200 for a batch that fully succeeded, 207 when some items failed.',
      body: z.union([z.array(z.unknown()).max(MAX_BATCH_ITEMS), z.record(z.string(), z.unknown())]),
      response: {
        200: z.object({ results: z.array(resultSchema), created: z.number(), duplicates: z.number(), failed: z.number() }),
        201: z.object({ id: z.string(), status: z.enum(['created', 'duplicate']) }),
        207: z.object({ results: z.array(resultSchema), created: z.number(), duplicates: z.number(), failed: z.number() }),
      },
    },
    handler: async (request, reply) => {
      const key = callerKey(request);
      const single = !Array.isArray(request.body);
      const items = single ? [request.body] : (request.body as unknown[]);
      const results = await ingestCalls(items, { projectId: key.project_id, apiKeyId: key.id }, deps);
      if (single) {
        const result = results[0]!;
        if (result.status === 'invalid') throw new ApiError(400, result.error.code, result.error.message, result.error.field);
        if (result.status === 'conflict') throw new ApiError(409, 'conflict', result.error.message, 'id');
        if (result.status === 'duplicate') void reply.header('idempotent-replayed', 'true');
        return reply.code(201).send({ id: result.id!, status: 'created' });
      }
      const created = results.filter((result) => result.status === 'created').length;
      const duplicates = results.filter((result) => result.status === 'duplicate').length;
      const failed = results.length - created - duplicates;
      return reply.code(failed > 0 ? 207 : 200).send({ results, created, duplicates, failed });
    },
  });
}

