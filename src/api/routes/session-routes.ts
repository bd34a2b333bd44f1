// Dashboard sign-in: an API key is exchanged for an httpOnly, SameSite=Strict session cookie,
// so the key never stays in the browser.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Authenticator } from '../../auth/authenticator.js';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../../auth/session-token.js';
import { ApiError } from '../errors.js';

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function registerSessionRoutes(app: FastifyInstance, authenticator: Authenticator): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/session/login', {
    config: { scope: 'public' },
    schema: { tags: ['auth'], summary: 'Exchange an API key for a dashboard session cookie', body: z.strictObject({ key: z.string().min(1).max(256) }) },
  }, async (request, reply) => {
    const key = await authenticator.authenticate(request.body.key);
    if (!key) throw new ApiError(401, 'unauthorized', 'the API key is unknown or revoked', 'key');
    const secure = request.protocol === 'https';
    return reply.header('set-cookie', cookie(authenticator.issueSession(key), SESSION_TTL_MS / 1000, secure))
      .send({ project: key.project_id, scopes: key.scopes, name: key.name });
  });
  typed.post('/api/v1/session/logout', { config: { scope: 'public' }, schema: { tags: ['auth'], summary: 'End the dashboard session' } }, async (_request, reply) =>
    reply.header('set-cookie', cookie('', 0, false)).send({ signed_out: true }));
}
