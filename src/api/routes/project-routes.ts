// The caller's project: GET /api/v1/project, and PATCH /api/v1/project (admin) for its
// settings, for now whether its calls keep their content.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Project } from '../../domain/project.js';
import type { ContentCapture } from '../../recorder/content-capture.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { notFound } from '../errors.js';

const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  capture_content: z.boolean().describe('whether calls keep their input and output; off, only their figures are stored'),
});

const present = (project: Project) => ({ id: project.id, name: project.name, created_at: new Date(project.created_at).toISOString(), capture_content: project.capture_content });

export function registerProjectRoutes(app: FastifyInstance, store: Store, capture: ContentCapture): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/project', {
    config: { scope: 'read' },
    schema: { tags: ['settings'], summary: "The caller's project and its settings", response: { 200: projectSchema } },
    handler: async (request) => {
      const project = await store.projects.get(callerKey(request).project_id);
      if (!project) throw notFound('project');
      return present(project);
    },
  });
  typed.patch('/api/v1/project', {
    config: { scope: 'admin' },
    schema: {
      tags: ['settings'],
      summary: "Change the project's settings",
      description: 'With `capture_content: false` calls recorded from now on keep no input or output (their tokens, cost, latency, status and attribution are kept); calls already stored are left as they are. Instances sharing a database follow at once (within 10 s if the notice between them is lost).',
      body: z.strictObject({ capture_content: z.boolean() }),
      response: { 200: projectSchema },
    },
    handler: async (request) => {
      const projectId = callerKey(request).project_id;
      if (!(await capture.set(projectId, request.body.capture_content))) throw notFound('project');
      return present((await store.projects.get(projectId))!);
    },
  });
}
