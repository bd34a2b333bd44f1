// The LiteLLM spend-log import (seed 002): how it stands, and a run on request. Only the admins
// of the project it imports into see it; for any other project it is not there.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LiteLlmSync } from '../../ingest/litellm/litellm-sync.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError } from '../errors.js';

const statusAnswer = z.object({
  enabled: z.boolean(), project_id: z.string().nullable(), last_run_at: z.string().nullable(), last_error: z.string().nullable(),
  newest_row_at: z.string().nullable(), imported_total: z.number(),
});
const runAnswer = z.object({ read: z.number(), created: z.number(), duplicates: z.number(), invalid: z.number(), first_invalid: z.string().nullable() });

export function registerLiteLlmImportRoutes(app: FastifyInstance, sync: LiteLlmSync | null): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const mine = (projectId: string) => sync !== null && sync.current().project_id === projectId;

  typed.get('/api/v1/import/litellm', {
    config: { scope: 'admin' },
    schema: { tags: ['ingestion'], summary: "The import of a LiteLLM proxy's spend logs: last run, newest row imported, errors", response: { 200: statusAnswer } },
  }, async (request) => {
    if (!mine(callerKey(request).project_id)) return { enabled: false, project_id: null, last_run_at: null, last_error: null, newest_row_at: null, imported_total: 0 };
    return { enabled: true, ...sync!.current() };
  });

  typed.post('/api/v1/import/litellm/run', {
    config: { scope: 'admin' },
    schema: { tags: ['ingestion'], summary: "Import the LiteLLM spend-log rows not yet imported, now (as the schedule does)", response: { 200: runAnswer } },
  }, async (request) => {
    if (!mine(callerKey(request).project_id)) throw new ApiError(404, 'not_found', 'no LiteLLM import into this project: set LOUPE_LITELLM_DATABASE_URL (and LOUPE_LITELLM_PROJECT)');
    try {
      return await sync!.run();
    } catch (error) {
      throw new ApiError(502, 'litellm_unavailable', `the LiteLLM database could not be read: ${(error as Error).message}`);
    }
  });
}
