// Traces: calls grouped by trace_id. The list with the common filters (as sessions), and one
// trace as a tree of its calls for a waterfall.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listTraces, traceDetails } from '../../traces/trace-query.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { notFound } from '../errors.js';
import { groupListQuery, pageOfGroups, parseGroupListQuery } from '../group-list-query.js';

const idParams = z.strictObject({ id: z.string().min(1).max(128).describe('a trace_id') });

export function registerTracesRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get('/api/v1/traces', {
    config: { scope: 'read' },
    schema: { tags: ['sessions'], summary: 'Traces (calls grouped by trace_id) with the common filters, sorted and keyset-paged; figures cover each whole trace', querystring: groupListQuery },
    handler: async (request) => {
      const query = parseGroupListQuery(request.query, callerKey(request).project_id);
      return pageOfGroups(() => listTraces(store.sql, query));
    },
  });

  typed.get('/api/v1/traces/:id', {
    config: { scope: 'read' },
    schema: { tags: ['sessions'], summary: "One trace: its figures, and its first 1,000 calls in tree order with each call's offset from the trace's start", params: idParams },
    handler: async (request) => {
      const trace = await traceDetails(store.sql, callerKey(request).project_id, request.params.id);
      if (!trace) throw notFound('trace');
      return trace;
    },
  });
}
