// Dashboard sign-in: an API key is exchanged for an httpOnly, SameSite=Strict session cookie,
// so the key never stays in the browser. GET tells the page whether its cookie still works.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Authenticator } from '../../auth/authenticator.js';
import { SESSION_COOKIE, SESSION_TTL_MS, sessionFromCookieHeader } from '../../auth/session-token.js';
import { hasScope, type ApiKeyRecord } from '../../domain/api-key.js';
import { ApiError } from '../errors.js';

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

const sessionAnswer = z.object({ signed_in: z.boolean(), project: z.string().optional(), scopes: z.array(z.string()).optional(), name: z.string().optional() });

function describe(key: ApiKeyRecord) {
  return { signed_in: true, project: key.project_id, scopes: [...key.scopes], name: key.name };
}

export function registerSessionRoutes(app: FastifyInstance, authenticator: Authenticator): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/session/login', {
    config: { scope: 'public' },
    schema: { tags: ['auth'], summary: 'Exchange an API key (read or admin scope) for a dashboard session cookie', body: z.strictObject({ key: z.string().min(1).max(256) }), response: { 200: sessionAnswer } },
  }, async (request, reply) => {
    const key = await authenticator.authenticate(request.body.key);
    if (!key) throw new ApiError(401, 'unauthorized', 'the API key is unknown, revoked or expired', 'key');
    // The dashboard only reads and administers: an ingest- or gateway-only key has nothing to show.
    if (!hasScope(key.scopes, 'read')) throw new ApiError(403, 'forbidden', "the dashboard needs a key with the 'read' or 'admin' scope", 'key');
    const secure = request.protocol === 'https';
    return reply.header('set-cookie', cookie(authenticator.issueSession(key), SESSION_TTL_MS / 1000, secure)).send(describe(key));
  });
  // Public and always 200, so a page without a session learns it without a logged 401.
  typed.get('/api/v1/session', {
    config: { scope: 'public' },
    schema: { tags: ['auth'], summary: 'Whether the session cookie is valid, and for which project and scopes', response: { 200: sessionAnswer } },
  }, async (request) => {
    const token = sessionFromCookieHeader(request.headers.cookie);
    const key = token ? await authenticator.authenticateSession(token) : null;
    return key && hasScope(key.scopes, 'read') ? describe(key) : { signed_in: false };
  });
  typed.post('/api/v1/session/logout', { config: { scope: 'public' }, schema: { tags: ['auth'], summary: 'End the dashboard session' } }, async (_request, reply) =>
    reply.header('set-cookie', cookie('', 0, false)).send({ signed_out: true }));
}
