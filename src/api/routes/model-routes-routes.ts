// The routes of the config file as the gateway sees them now: each target's provider state and
// the recent speed the `latency` strategy orders by.
import type { FastifyInstance } from 'fastify';
import type { ProviderRegistry } from '../../provider-registry/provider-registry.js';

export function registerModelRoutesRoutes(app: FastifyInstance, registry: ProviderRegistry): void {
  app.get('/api/v1/routes', { config: { scope: 'read' }, schema: { tags: ['providers'], summary: 'Model routes of the config file, with their targets\' state and recent speed' } }, async () => ({
    routes: registry.routes.list().map((route) => ({
      name: route.name,
      strategy: route.strategy,
      targets: route.targets.map((target) => {
        const provider = registry.get(target.provider);
        const whole = registry.routes.latencyOf(target.provider, target.model, false);
        const streamed = registry.routes.latencyOf(target.provider, target.model, true);
        return {
          provider: target.provider, model: target.model, weight: target.weight,
          provider_enabled: provider?.is_enabled ?? false,
          circuit_state: registry.healthOf(target.provider)?.breaker.state ?? null,
          // Measured on this instance since it started.
          latency_ms: whole.averageMs, latency_answers: whole.answers,
          ttft_ms: streamed.averageMs, ttft_answers: streamed.answers,
        };
      }),
    })),
  }));
}
