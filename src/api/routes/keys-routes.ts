// API key management (admin only). The secret is shown once, at creation; a key can never
// mint scopes that it lacks itself. A key may carry gateway rate limits (requests and tokens
// per minute), the models it may ask for and an expiry, set at creation or changed later.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import { generateKeySecret, hashKeySecret, keyPrefix } from '../../auth/api-key-secret.js';
import type { Authenticator } from '../../auth/authenticator.js';
import { createApiKeyInputSchema, hasScope, keyExpired, updateApiKeySettingsSchema, type ApiKeyRecord } from '../../domain/api-key.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError, notFound } from '../errors.js';

const keyParams = z.strictObject({ id: z.string().min(1).max(128) });

function presentKey(key: ApiKeyRecord) {
  return {
    id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes, project_id: key.project_id,
    created_at: new Date(key.created_at).toISOString(), revoked_at: key.revoked_at === null ? null : new Date(key.revoked_at).toISOString(),
    rate_limit_rpm: key.rate_limit_rpm ?? null, rate_limit_tpm: key.rate_limit_tpm ?? null, allowed_models: key.allowed_models ?? null,
    expires_at: key.expires_at == null ? null : new Date(key.expires_at).toISOString(), expired: keyExpired(key),
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
        rate_limit_rpm: request.body.rate_limit_rpm ?? null, rate_limit_tpm: request.body.rate_limit_tpm ?? null,
        allowed_models: request.body.allowed_models ? [...new Set(request.body.allowed_models)] : null,
        expires_at: request.body.expires_at ?? null,
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

  typed.patch('/api/v1/keys/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: "Change an active key's gateway rate limits, allowed models and expiry (null removes one; one not given stays)", params: keyParams, body: updateApiKeySettingsSchema },
    handler: async (request) => {
      const caller = callerKey(request);
      const key = await store.apiKeys.get(caller.project_id, request.params.id);
      if (!key || key.revoked_at !== null) throw notFound('active key');
      const body = request.body;
      // A setting not given stays as it is; null clears it.
      const settings = {
        rate_limit_rpm: body.rate_limit_rpm === undefined ? key.rate_limit_rpm ?? null : body.rate_limit_rpm,
        rate_limit_tpm: body.rate_limit_tpm === undefined ? key.rate_limit_tpm ?? null : body.rate_limit_tpm,
        allowed_models: body.allowed_models === undefined ? key.allowed_models ?? null : body.allowed_models && [...new Set(body.allowed_models)],
        expires_at: body.expires_at === undefined ? key.expires_at ?? null : body.expires_at,
      };
      if (!(await store.apiKeys.updateSettings(caller.project_id, key.id, settings))) throw notFound('active key');
      // Applies here at once; other instances read the key again within their cache's few seconds.
      authenticator.invalidate();
      return presentKey({ ...key, ...settings });
    },
  });

  typed.delete('/api/v1/keys/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['keys'], summary: 'Revoke a key', params: keyParams },
    handler: async (request) => {
      const caller = callerKey(request);
      const revoked = await store.apiKeys.revoke(caller.project_id, request.params.id, Date.now());
      if (!revoked) throw notFound('active key');
      authenticator.invalidate();
      return { revoked: true, id: request.params.id };
    },
  });
}
