// Outcomes (seed 000): record what happened after a decision (one or a batch), close an
// open one, and list them with filters and paging.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { outcomePatchSchema, presentOutcome } from '../../domain/outcome.js';
import { assertValidRequest } from '../../outcomes/body-validation.js';
import { MAX_OUTCOME_BATCH, patchOutcome, recordOutcomes } from '../../outcomes/record-outcomes.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { notFound } from '../errors.js';
import { outcomeListQuery, parseOutcomeFilters, parseOutcomeStatuses } from '../outcome-list-query.js';

export function registerOutcomesRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post('/api/v1/outcomes', {
    config: { scope: 'ingest' },
    schema: {
      tags: ['outcomes'],
      summary: 'Record one outcome or a batch of up to 1,000 (all or nothing)',
      description:
        'Each item: `target` (a call id or a session id of your project), optional `target_type` (call | session; inferred when absent), `name`, `status` (open | win | loss | neutral), `value` (P&L or reward), `closed_at`, `lesson`, `properties`, optional client `id`. A closed outcome without `closed_at` is closed now. Errors name the item and field, e.g. `[3].status`.',
      body: z.union([z.array(z.unknown()).max(MAX_OUTCOME_BATCH), z.record(z.string(), z.unknown())]),
    },
    handler: async (request, reply) => {
      const key = callerKey(request);
      const single = !Array.isArray(request.body);
      const items = single ? [request.body] : (request.body as unknown[]);
      const records = await recordOutcomes(store, key.project_id, items, single);
      if (single) return reply.code(201).send(presentOutcome(records[0]!));
      return reply.code(201).send({ created: records.length, ids: records.map((record) => record.id) });
    },
  });

  typed.patch('/api/v1/outcomes/:id', {
    config: { scope: 'ingest', dashboardWrite: true },
    attachValidation: true,
    schema: {
      tags: ['outcomes'],
      summary: 'Close an open outcome (status, value, closed_at, lesson) or correct a closed one',
      params: z.strictObject({ id: z.string().min(1).max(128) }),
      body: outcomePatchSchema,
    },
    handler: async (request) => {
      assertValidRequest(request, { body: outcomePatchSchema });
      const key = callerKey(request);
      return presentOutcome(await patchOutcome(store, key.project_id, request.params.id, request.body));
    },
  });

  registerOutcomeReadRoutes(app, store);
}

/** Reading outcomes back: one by id, or a filtered page. */
function registerOutcomeReadRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/outcomes/:id', {
    config: { scope: 'read' },
    schema: { tags: ['outcomes'], summary: 'One outcome', params: z.strictObject({ id: z.string().min(1).max(128) }) },
    handler: async (request) => {
      const key = callerKey(request);
      const outcome = await store.outcomes.get(key.project_id, request.params.id);
      if (!outcome) throw notFound('outcome');
      return presentOutcome(outcome);
    },
  });

  typed.get('/api/v1/outcomes', {
    config: { scope: 'read' },
    attachValidation: true,
    schema: { tags: ['outcomes'], summary: 'List outcomes, newest first, with filters and offset paging', querystring: outcomeListQuery },
    handler: async (request) => {
      assertValidRequest(request, { querystring: outcomeListQuery });
      const key = callerKey(request);
      const query = request.query;
      const { from, to, decidingCall } = parseOutcomeFilters(query, key.project_id);
      const status = parseOutcomeStatuses(query.status);
      const limit = query.limit ?? 100;
      const offset = query.offset ?? 0;
      const page = await store.outcomes.list({
        projectId: key.project_id, limit, offset,
        ...(query.target !== undefined ? { target: query.target } : {}),
        ...(query.target_type !== undefined ? { targetType: query.target_type } : {}),
        ...(query.session_id !== undefined ? { sessionId: query.session_id } : {}),
        ...(query.name !== undefined ? { name: query.name } : {}),
        ...(status ? { status } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(decidingCall ? { decidingCall } : {}),
      });
      return { data: page.items.map(presentOutcome), total: page.total, limit, offset, has_more: offset + page.items.length < page.total };
    },
  });
}
