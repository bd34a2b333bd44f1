// Sessions (seed 002): calls grouped by session_id. List with the common filters, search by
// agent/user/model/dates/cost, a session's messages in order, and its summary.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { timestampSchema } from '../../domain/primitives.js';
import { assertValidRequest } from '../../outcomes/body-validation.js';
import { sessionMessages } from '../../sessions/session-messages.js';
import { listSessions, sessionSummary } from '../../sessions/session-query.js';
import { InvalidCursorError } from '../../store/call-row.js';
import type { CallFilters, Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { badRequest, notFound } from '../errors.js';
import { groupListFrom, groupListQuery, groupPaging, pageOfGroups, parseGroupListQuery } from '../group-list-query.js';

const MAX_LIMIT = 1000;

const searchBody = z.strictObject({
  agent_name: z.string().max(256).optional(),
  user_id: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  start_date: timestampSchema.optional(),
  end_date: timestampSchema.optional(),
  min_cost: z.number().min(0).max(1e9).optional(),
  max_cost: z.number().min(0).max(1e9).optional(),
  ...groupPaging,
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
});

const idParams = z.strictObject({ id: z.string().min(1).max(256) });
const messagesQuery = z.strictObject({
  dedupe: z.enum(['true', 'false']).optional().describe('skip history that a call resent (default true)'),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional().describe('calls per page, default 500'),
  cursor: z.string().max(512).optional(),
});

export function registerSessionsRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/sessions', {
    config: { scope: 'read' },
    schema: { tags: ['sessions'], summary: 'Sessions (calls grouped by session_id) with the common filters, sorted and keyset-paged', querystring: groupListQuery },
    handler: async (request) => {
      const query = parseGroupListQuery(request.query, callerKey(request).project_id);
      return pageOfGroups(() => listSessions(store.sql, query));
    },
  });

  typed.post('/api/v1/sessions/search', {
    config: { scope: 'read' },
    attachValidation: true,
    schema: { tags: ['sessions'], summary: "Search sessions by agent, user, model, date range and cost (seed 002's filters)", body: searchBody },
    handler: async (request) => {
      assertValidRequest(request, { body: searchBody });
      const key = callerKey(request);
      const body = request.body;
      if (body.start_date !== undefined && body.end_date !== undefined && body.end_date < body.start_date) throw badRequest('end_date', 'must not be before start_date');
      const filters: CallFilters = { projectId: key.project_id };
      if (body.agent_name !== undefined) filters.agent = body.agent_name;
      if (body.user_id !== undefined) filters.userId = body.user_id;
      if (body.model !== undefined) filters.model = [body.model];
      if (body.start_date !== undefined) filters.from = body.start_date;
      // end_date is inclusive in the seed's examples (…T23:59:59).
      if (body.end_date !== undefined) filters.to = body.end_date + 1;
      return pageOfGroups(() => listSessions(store.sql, groupListFrom(filters, body)));
    },
  });

  registerSessionDetailRoutes(app, store);
}

/** One session: its summary and its messages. */
function registerSessionDetailRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/sessions/:id/summary', {
    config: { scope: 'read' },
    schema: { tags: ['sessions'], summary: "A session's summary (seed 002's Session Summary fields)", params: idParams },
    handler: async (request) => {
      const key = callerKey(request);
      const summary = await sessionSummary(store.sql, key.project_id, request.params.id);
      if (!summary) throw notFound('session');
      return summary;
    },
  });

  typed.get('/api/v1/sessions/:id/messages', {
    config: { scope: 'read' },
    attachValidation: true,
    schema: { tags: ['sessions'], summary: 'Every message of every call of a session, in order, with roles', params: idParams, querystring: messagesQuery },
    handler: async (request) => {
      assertValidRequest(request, { querystring: messagesQuery });
      const key = callerKey(request);
      try {
        const result = await sessionMessages(store.sql, {
          projectId: key.project_id, sessionId: request.params.id, dedupe: request.query.dedupe !== 'false',
          limit: request.query.limit ?? 500, ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        });
        if (!result) throw notFound('session');
        return result;
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badRequest('cursor', error.message);
        throw error;
      }
    },
  });
}
