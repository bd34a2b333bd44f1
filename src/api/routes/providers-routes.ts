// Providers (seeds 003 and 004): list with health, add/change/remove those added through the
// API, enable or disable any, test a connection, and the health summary. Keys never leave.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { request as upstreamRequest } from 'undici';
import { z } from 'zod';
import { providerInputSchema, providerPatchSchema, type ProviderRecord } from '../../domain/provider.js';
import { ProviderError, type ProviderRegistry } from '../../provider-registry/provider-registry.js';
import { ApiError } from '../errors.js';
import { joinUpstreamUrl } from '../../providers/kit/join-url.js';
import { headersToSend } from '../../gateway/send-attempt.js';

const nameParams = z.strictObject({ name: z.string().min(1).max(64) });
const TEST_TIMEOUT_MS = 10_000;

function fail(error: unknown): never {
  if (error instanceof ProviderError) throw new ApiError(error.status, error.status === 404 ? 'not_found' : error.status === 409 ? 'conflict' : 'validation_error', `${error.field}: ${error.message}`, error.field);
  throw error;
}

export function registerProvidersRoutes(app: FastifyInstance, registry: ProviderRegistry): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const present = (record: ProviderRecord) => {
    const { api_key_sealed: sealed, ...visible } = record;
    const health = registry.healthOf(record.name)?.snapshot();
    const state = health?.circuit_state ?? 'closed';
    return {
      ...visible, has_api_key: sealed !== null, created_at: new Date(record.created_at).toISOString(), updated_at: new Date(record.updated_at).toISOString(),
      health: health && {
        ...health, is_available: record.is_enabled && state !== 'open',
        last_success_at: health.last_success_at && new Date(health.last_success_at).toISOString(),
        last_failure_at: health.last_failure_at && new Date(health.last_failure_at).toISOString(), updated_at: new Date(health.updated_at).toISOString(),
      },
    };
  };
  const find = (name: string) => registry.get(name) ?? fail(new ProviderError('name', `no provider named '${name}'`, 404));

  typed.get('/api/v1/providers', { config: { scope: 'read' }, schema: { tags: ['providers'], summary: 'Providers with their health' } }, async () => ({ providers: registry.list().map(present) }));
  typed.get('/api/v1/providers/:name', { config: { scope: 'read' }, schema: { tags: ['providers'], summary: 'One provider', params: nameParams } }, async (request) => present(find(request.params.name)));
  typed.post('/api/v1/providers', { config: { scope: 'admin' }, schema: { tags: ['providers'], summary: 'Add a provider (its base URL must be public or allow-listed)', body: providerInputSchema } }, async (request, reply) =>
    reply.code(201).send(present(await registry.add(request.body).catch(fail))));
  typed.patch('/api/v1/providers/:name', { config: { scope: 'admin' }, schema: { tags: ['providers'], summary: 'Change a provider added through the API', params: nameParams, body: providerPatchSchema } }, async (request) =>
    present(await registry.update(request.params.name, request.body).catch(fail)));
  typed.delete('/api/v1/providers/:name', { config: { scope: 'admin' }, schema: { tags: ['providers'], summary: 'Remove a provider added through the API', params: nameParams } }, async (request) => {
    await registry.remove(request.params.name).catch(fail);
    return { deleted: true };
  });
  typed.post('/api/v1/providers/:name/enable', { config: { scope: 'admin' }, schema: { tags: ['providers'], summary: 'Enable or disable a provider', params: nameParams, body: z.strictObject({ enabled: z.boolean() }) } }, async (request) => {
    find(request.params.name);
    return present(await registry.update(request.params.name, { is_enabled: request.body.enabled }).catch(fail));
  });

  typed.post('/api/v1/providers/:name/test', { config: { scope: 'admin' }, schema: { tags: ['providers'], summary: 'Test the connection: reachable, latency, models', params: nameParams } }, async (request) => {
    find(request.params.name);
    const target = registry.target(request.params.name)!;
    const started = performance.now();
    try {
      const outgoing = target.adapter.modelsRequest({ apiKey: target.apiKey ?? undefined });
      const url = new URL(joinUpstreamUrl(target.baseUrl, outgoing.path));
      const response = await upstreamRequest(url, {
        method: outgoing.method, dispatcher: target.dispatcher, headers: await headersToSend(target, outgoing, url.origin, `${url.pathname}${url.search}`),
        headersTimeout: TEST_TIMEOUT_MS, bodyTimeout: TEST_TIMEOUT_MS,
      });
      const bytes = new Uint8Array(await response.body.arrayBuffer());
      const latency = performance.now() - started;
      const parsed = target.adapter.parseModels(response.statusCode, bytes);
      const models = parsed.ok ? parsed.value.map((model) => model.id) : [];
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return { provider: target.name, reachable: true, ok, status: response.statusCode, latency_ms: Math.round(latency * 10) / 10, models: models.slice(0, 500), ...(ok ? {} : { error: `the provider answered HTTP ${response.statusCode}` }) };
    } catch (error) {
      // Only the error kind goes back: upstream messages may echo headers or URLs.
      const code = (error as { code?: string }).code ?? 'connection_failed';
      return { provider: target.name, reachable: false, ok: false, status: null, latency_ms: Math.round((performance.now() - started) * 10) / 10, models: [], error: `could not connect (${code})` };
    }
  });

  typed.get('/api/v1/health', { config: { scope: 'read' }, schema: { tags: ['providers'], summary: 'Provider health summary (seed 004)' } }, async () => {
    const providers = registry.list().filter((provider) => provider.is_enabled);
    const states = providers.map((provider) => ({ provider, state: registry.healthOf(provider.name)?.breaker.state ?? 'closed' }));
    const available = states.filter((entry) => entry.state !== 'open');
    return {
      total_providers: registry.list().length,
      healthy_providers: states.filter((entry) => entry.state === 'closed').length,
      degraded_providers: states.filter((entry) => entry.state === 'half_open').length,
      unavailable_providers: registry.list().length - available.length,
      local_providers_available: available.filter((entry) => entry.provider.provider_type === 'local').length,
      remote_providers_available: available.filter((entry) => entry.provider.provider_type === 'remote').length,
      has_fallback: available.length > 1,
    };
  });
}
