// POST /api/v1/calls: one call record or an array of up to 1,000, with a result per item.
// The body arrives as bytes and is parsed by the ingestion workers (large batches) or inline.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { commitPrepared, type IngestDeps } from '../../ingest/ingest-calls.js';
import { BodyError, MAX_BATCH_ITEMS } from '../../ingest/parse-calls-body.js';
import type { PreparePool } from '../../ingest/prepare-pool.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError } from '../errors.js';

export { MAX_BATCH_ITEMS };

const resultSchema = z.object({
  index: z.number(),
  id: z.string().optional(),
  status: z.enum(['created', 'duplicate', 'conflict', 'invalid']),
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }).optional(),
});
const batchAnswer = z.object({ results: z.array(resultSchema), created: z.number(), duplicates: z.number(), failed: z.number() });

/** The body schema documents the route; validation happens per item in the ingestion path. */
const bodySchema = z.union([z.array(z.record(z.string(), z.unknown())).max(MAX_BATCH_ITEMS), z.record(z.string(), z.unknown())]);

export function registerCallsRoutes(app: FastifyInstance, deps: IngestDeps, pool: PreparePool): void {
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post('/api/v1/calls', {
      config: { scope: 'ingest' },
      // The body is a Buffer until the ingestion path parses it; see bodySchema.
      validatorCompiler: () => (data) => ({ value: data }),
      schema: {
        tags: ['ingestion'],
        summary: 'Record one call or a batch of up to 1,000',
        description:
          'Each item is a call record (see the CallRecord fields in docs/API.md). A client-supplied `id` makes retries idempotent: the same id and body again returns the same result and stores one row; the same id with another body is a 409 conflict. Answers 201 for one record, 200 for a batch that fully succeeded, 207 when some items failed.',
        body: bodySchema,
        response: { 200: batchAnswer, 201: z.object({ id: z.string(), status: z.enum(['created', 'duplicate']) }), 207: batchAnswer },
      },
      handler: async (request, reply) => {
        const key = callerKey(request);
        const raw = request.body as unknown;
        if (!Buffer.isBuffer(raw)) throw new ApiError(400, 'invalid_json', 'body must be JSON (content-type: application/json)');
        let parsed;
        try {
          parsed = await pool.prepare(raw, { projectId: key.project_id, apiKeyId: key.id });
        } catch (error) {
          if (error instanceof BodyError) throw new ApiError(400, error.code, error.message, error.field);
          throw error;
        }
        const results = await commitPrepared(parsed.prepared, deps);
        if (parsed.single) {
          const result = results[0]!;
          if (result.status === 'invalid') throw new ApiError(400, result.error.code, result.error.message, result.error.field);
          if (result.status === 'conflict') throw new ApiError(409, 'conflict', result.error.message, 'id');
          if (result.status === 'duplicate') void reply.header('idempotent-replayed', 'true');
          return reply.code(201).send({ id: result.id, status: 'created' as const });
        }
        const created = results.filter((result) => result.status === 'created').length;
        const duplicates = results.filter((result) => result.status === 'duplicate').length;
        const failed = results.length - created - duplicates;
        return reply.code(failed > 0 ? 207 : 200).send({ results, created, duplicates, failed });
      },
    });
  });
}
