// API key management (admin only). The secret is shown once, at creation; a key can never
// mint scopes that it lacks itself.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import { generateKeySecret, hashKeySecret, keyPrefix } from '../../auth/api-key-secret.js';
import type { Authenticator } from '../../auth/authenticator.js';
import { createApiKeyInputSchema, hasScope, type ApiKeyRecord } from '../../domain/api-key.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError, notFound } from '../errors.js';

function presentKey(key: ApiKeyRecord) {
  return {
    id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes, project_id: key.project_id,
    created_at: new Date(key.created_at).toISOString(), revoked_at: key.revoked_at === null ? null : new Date(key.revoked_at).toISOString(),
  };
}

export function registerKeysRoutes(app: FastifyInstance, store: Store, authenticator: Authenticator): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.post('/api/v1/keys', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: 'Create an API key (the secret is returned once)', body: createApiKeyInputSchema },
    handler: async (request, reply) => {
      const caller = callerKey(request);
      for (const scope of request.body.scopes) {
        if (!hasScope(caller.scopes, scope)) throw new ApiError(403, 'forbidden', `a key cannot grant the '${scope}' scope it lacks`, 'scopes');
      }
      const secret = generateKeySecret();
      const key: ApiKeyRecord = {
        id: uuidv7(), project_id: caller.project_id, name: request.body.name, prefix: keyPrefix(secret),
        hash: hashKeySecret(secret), scopes: [...new Set(request.body.scopes)], created_at: Date.now(), revoked_at: null,
      };
      await store.apiKeys.insert(key);
      return reply.code(201).send({ ...presentKey(key), key: secret });
    },
  });

  typed.get('/api/v1/keys', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: "List the project's keys (never their secrets)" },
    handler: async (request) => {
      const caller = callerKey(request);
      return { data: (await store.apiKeys.list(caller.project_id)).map(presentKey) };
    },
  });

  typed.delete('/api/v1/keys/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: 'Revoke a key', params: z.strictObject({ id: z.string().min(1).max(128) }) },
    handler: async (request) => {
      const caller = callerKey(request);
      const revoked = await store.apiKeys.revoke(caller.project_id, request.params.id, Date.now());
      if (!revoked) throw notFound('active key');
      authenticator.invalidate();
      return { revoked: true, id: request.params.id };
    },
  });
}
