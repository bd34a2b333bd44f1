// The OpenAI-compatible gateway: /v1/chat/completions, /v1/completions, /v1/embeddings and
// /v1/models, also under /proxy/v1 (seed 001); OpenAI's /v1/responses and Anthropic's /v1/messages. Bodies stay bytes until the gateway reads a copy.
import type { FastifyInstance } from 'fastify';
import { countTokens } from '../../gateway/count-tokens.js';
import { keyRestrictions } from '../../gateway/key-restrictions.js';
import { proxyCall, type GatewayDeps, type ProxyEndpoint } from '../../gateway/proxy-call.js';
import { modelAllowed } from '../../domain/api-key.js';
import { callerKey } from '../auth-plugin.js';

const ENDPOINTS: ProxyEndpoint[] = [
  { path: '/chat/completions', endpoint: 'chat', streamable: true, format: 'openai' },
  { path: '/completions', endpoint: 'completions', streamable: true, format: 'openai' },
  { path: '/embeddings', endpoint: 'embeddings', streamable: false, format: 'openai' },
  { path: '/responses', endpoint: 'responses', streamable: true, format: 'openai' },
  // Anthropic's SDKs and tools pointed at Loupe (base URL without /v1) speak its Messages API.
  { path: '/messages', endpoint: 'messages', streamable: true, format: 'anthropic' },
];

export function registerGatewayRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const prefix of ['/v1', '/proxy/v1']) {
      for (const endpoint of ENDPOINTS) {
        scope.post(`${prefix}${endpoint.path}`, {
          config: { scope: 'gateway' },
          schema: { tags: ['gateway'], summary: endpoint.format === 'anthropic' ? "Anthropic's Messages API, relayed to an Anthropic provider (recorded)" : endpoint.endpoint === 'responses' ? "OpenAI's Responses API, relayed to an OpenAI-compatible provider (recorded)" : `OpenAI-compatible ${endpoint.path.slice(1)} (recorded)`, hide: prefix !== '/v1' },
          handler: async (request, reply) => {
            const key = callerKey(request);
            await proxyCall({ body: request.body as Buffer, headers: request.headers, reply, projectId: key.project_id, apiKeyId: key.id, ...keyRestrictions(key) }, endpoint, deps);
          },
        });
      }
      scope.post(`${prefix}/messages/count_tokens`, {
        config: { scope: 'gateway' },
        schema: { tags: ['gateway'], summary: "Anthropic's token counting, relayed to the Anthropic provider the model routes to (not recorded)", hide: prefix !== '/v1' },
        handler: async (request, reply) => {
          await countTokens({ body: request.body as Buffer, headers: request.headers, reply, allowedModels: callerKey(request).allowed_models }, deps.registry);
        },
      });
      scope.get(`${prefix}/models`, {
        config: { scope: 'gateway' },
        schema: { tags: ['gateway'], summary: 'Models of the enabled providers', hide: prefix !== '/v1' },
        // A key limited to some models sees only those, and the routes that reach one of them.
        handler: async (request) => {
          const allowed = callerKey(request).allowed_models;
          const routes = deps.registry.routes.list().filter((route) => deps.registry.route(route.name).some(({ target, model }) => modelAllowed(allowed, route.name, target.name, model)));
          return {
            object: 'list',
            data: [
              ...routes.map((route) => ({ id: route.name, object: 'model', created: Math.floor(deps.registry.routes.definedAt / 1000), owned_by: 'loupe-route' })),
              ...deps.registry.list().filter((provider) => provider.is_enabled).flatMap((provider) => provider.models
                .filter((model) => modelAllowed(allowed, `${provider.name}/${model}`, provider.name, model))
                .map((model) => ({ id: `${provider.name}/${model}`, object: 'model', created: Math.floor(provider.created_at / 1000), owned_by: provider.name }))),
            ],
          };
        },
      });
    }
  });
}
