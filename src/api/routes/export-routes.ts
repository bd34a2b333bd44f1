// GET /api/v1/export/{csv,json,ndjson}: every call matching the logs filters (default: the
// last 24 hours, as in seeds 001/003), streamed as a download in constant memory.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportCallsStream } from '../../export/export-calls.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { badRequest } from '../errors.js';
import { filterQueryShape, parseCallFilters } from '../filter-query.js';

const DEFAULT_HOURS = 24;
const OWN_KEYS = new Set(['search', 'include_content']);
const exportQuery = z.looseObject({
  ...filterQueryShape,
  search: z.string().max(200).optional().describe('case-insensitive substring of the prompt or the response'),
  include_content: z.enum(['true', 'false']).optional().describe('include input, output and params (default true)'),
});

export function registerExportRoutes(app: FastifyInstance, store: Store): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const format of EXPORT_FORMATS) {
    typed.get(`/api/v1/export/${format}`, {
      config: { scope: 'read' },
      schema: {
        tags: ['export'],
        summary: `Download matching calls as ${format.toUpperCase()} (streamed, oldest first)`,
        description: 'Takes the logs filters; without a time filter the last 24 hours. CSV cells that a spreadsheet would run as a formula are prefixed with an apostrophe.',
        querystring: exportQuery,
      },
      handler: async (request, reply) => {
        const key = callerKey(request);
        const filters = parseCallFilters(request.query, key.project_id, OWN_KEYS, { defaultHours: DEFAULT_HOURS });
        if (request.query.search !== undefined) {
          if (request.query.search.trim().length === 0) throw badRequest('search', 'must not be blank');
          filters.search = request.query.search;
        }
        const stream = exportCallsStream(store.sql, { filters, format, includeContent: request.query.include_content !== 'false' });
        const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
        return reply
          .header('content-type', EXPORT_CONTENT_TYPES[format])
          .header('content-disposition', `attachment; filename="loupe-calls-${stamp}.${format}"`)
          .send(stream);
      },
    });
  }
}
