// POST /api/llm/record: seed 004's record endpoint, request and response exactly as it
// documents them, mapped onto a call record.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ingestCalls, type IngestDeps } from '../../ingest/ingest-calls.js';
import { callerKey } from '../auth-plugin.js';
import { describeZodIssue } from '../errors.js';

const recordSchema = z.strictObject({
  provider: z.string({ error: 'Provider name required' }).min(1, 'Provider name required').max(128),
  model: z.string({ error: 'Model name required' }).min(1, 'Model name required').max(256),
  status: z.enum(['success', 'failed', 'timeout', 'error', 'cancelled'], { error: 'Status must be success, failed or timeout' }),
  prompt_tokens: z.number().int().min(0).optional(),
  completion_tokens: z.number().int().min(0).optional(),
  duration_seconds: z.number().min(0).max(86_400).optional(),
  error_message: z.string().max(10_000).nullish(),
  is_fallback: z.boolean().optional(),
  original_provider: z.string().max(128).nullish(),
  session_id: z.string().max(256).nullish(),
  endpoint: z.string().max(256).nullish(),
  user_id: z.string().max(256).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

export function registerRecordRoute(app: FastifyInstance, deps: IngestDeps): void {
  app.post('/api/llm/record', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['ingestion', 'compat'],
      summary: 'Record a request (seed 004 format)',
      body: z.unknown(),
    },
    handler: async (request, reply) => {
      const key = callerKey(request);
      const parsed = recordSchema.safeParse(request.body);
      if (!parsed.success) {
        const { field, message } = describeZodIssue(parsed.error.issues);
        const sentence = message.endsWith('required') || message.startsWith('Status') ? message : `${field}: ${message}`;
        return reply.code(400).send({ success: false, error: sentence, field });
      }
      const record = parsed.data;
      const durationMs = record.duration_seconds !== undefined ? record.duration_seconds * 1000 : null;
      const status = record.status === 'failed' ? 'error' : record.status;
      const [result] = await ingestCalls(
        [
          {
            provider: record.provider,
            model: record.model,
            status,
            prompt_tokens: record.prompt_tokens ?? 0,
            completion_tokens: record.completion_tokens ?? 0,
            ...(durationMs !== null ? { latency_ms: durationMs } : {}),
            ...(durationMs !== null ? { started_at: Date.now() - durationMs } : {}),
            error_message: record.error_message ?? null,
            is_fallback: record.is_fallback ?? false,
            original_provider: record.original_provider ?? null,
            session_id: record.session_id ?? null,
            endpoint: record.endpoint ?? null,
            user_id: record.user_id ?? null,
            params: record.metadata ?? undefined,
          },
        ],
        { projectId: key.project_id, apiKeyId: key.id },
        deps,
      );
      if (!result || result.status === 'invalid' || result.status === 'conflict') {
        return reply.code(400).send({ success: false, error: result && 'error' in result ? result.error.message : 'invalid record' });
      }
      return reply.send({ success: true, message: 'Request recorded' });
    },
  });
}
