// Outcomes (seed 000): record what happened after a decision (one or a batch), close an
// open one, and list them with filters and paging.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTCOME_STATUSES, outcomePatchSchema, presentOutcome, type OutcomeStatus } from '../../domain/outcome.js';
import { assertValidRequest } from '../../outcomes/body-validation.js';
import { MAX_OUTCOME_BATCH, patchOutcome, recordOutcomes } from '../../outcomes/record-outcomes.js';
import type { CallFilters, Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { filterQueryShape, parseCallFilters } from '../filter-query.js';

// The common filters (DESIGN.md) apply to each outcome's deciding call, except those the
// outcome has itself: `status` is the outcome's, the time window (`from`/`to`, `days`/`hours`)
// is when the outcome was recorded, and `session_id` holds the outcomes on the session or on
// any of its calls. The call's own status and time take a `call_` prefix.
const OWN_KEYS = new Set(['target', 'target_type', 'session_id', 'name', 'status', 'from', 'to', 'days', 'hours', 'limit', 'offset']);
const TIME_KEYS = ['from', 'to', 'days', 'hours'] as const;
const CALL_PREFIXED = ['status', ...TIME_KEYS] as const;

const listQuery = z.looseObject({
  ...filterQueryShape,
  call_status: filterQueryShape.status.describe('status of the deciding call: success | error | timeout | cancelled'),
  call_from: filterQueryShape.from.describe('deciding call started at or after (ISO-8601)'),
  call_to: filterQueryShape.to.describe('deciding call started before (ISO-8601)'),
  call_days: filterQueryShape.days.describe('deciding call started within this many days'),
  call_hours: filterQueryShape.hours.describe('deciding call started within this many hours'),
  target: z.string().max(256).optional().describe('a call id or a session id'),
  target_type: z.enum(['call', 'session']).optional(),
  session_id: z.string().max(256).optional().describe('outcomes on this session or on any of its calls'),
  name: z.string().max(128).optional(),
  status: z.string().max(64).optional().describe('open | win | loss | neutral, comma-separated'),
  from: z.string().max(64).optional().describe('recorded at or after (ISO-8601)'),
  to: z.string().max(64).optional().describe('recorded before (ISO-8601)'),
  days: filterQueryShape.days.describe('recorded within this many days'),
  hours: filterQueryShape.hours.describe('recorded within this many hours'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('default 100'),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
});

/** Parses the common filters of `query`, naming a refused parameter as the caller spelled it. */
function parseRenamed(query: Record<string, unknown>, projectId: string, spelled: (name: string) => string): CallFilters {
  try {
    return parseCallFilters(query, projectId);
  } catch (error) {
    if (error instanceof ApiError && error.field !== undefined && spelled(error.field) !== error.field) {
      throw badRequest(spelled(error.field), error.message.slice(error.field.length + 2));
    }
    throw error;
  }
}

/** The outcome's own time window and the filters of its deciding call (none given: null). */
function parseOutcomeFilters(query: Record<string, unknown>, projectId: string): { from?: number; to?: number; decidingCall: CallFilters | null } {
  const own: Record<string, unknown> = {};
  for (const name of TIME_KEYS) if (query[name] !== undefined) own[name] = query[name];
  const { from, to } = parseCallFilters(own, projectId);
  const callQuery: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!OWN_KEYS.has(name) && !name.startsWith('call_')) callQuery[name] = value;
  }
  for (const name of CALL_PREFIXED) if (query[`call_${name}`] !== undefined) callQuery[name] = query[`call_${name}`];
  const unknown = Object.keys(query).find((name) => name.startsWith('call_') && !(CALL_PREFIXED as readonly string[]).includes(name.slice(5)));
  if (unknown !== undefined) throw badRequest(unknown, 'is not a known query parameter');
  const prefixed = new Set<string>(CALL_PREFIXED);
  const decidingCall = parseRenamed(callQuery, projectId, (name) => (prefixed.has(name) ? `call_${name}` : name));
  const aboutTheCall = Object.keys(decidingCall).some((name) => name !== 'projectId');
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    decidingCall: aboutTheCall ? decidingCall : null,
  };
}

function parseStatuses(raw: string | undefined): OutcomeStatus[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((value) => value.trim()).filter(Boolean);
  for (const value of values) {
    if (!(OUTCOME_STATUSES as readonly string[]).includes(value)) throw badRequest('status', `must be one of ${OUTCOME_STATUSES.join(', ')}`);
  }
  return values as OutcomeStatus[];
}

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
    schema: { tags: ['outcomes'], summary: 'List outcomes, newest first, with filters and offset paging', querystring: listQuery },
    handler: async (request) => {
      assertValidRequest(request, { querystring: listQuery });
      const key = callerKey(request);
      const query = request.query;
      const { from, to, decidingCall } = parseOutcomeFilters(query, key.project_id);
      const status = parseStatuses(query.status);
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
