// Builds the HTTP application: schema compilers, OpenAPI, error shaping, auth, and every
// route family. Routes stay thin; services are passed in already built.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Authenticator } from '../auth/authenticator.js';
import type { LoupeConfig } from '../config/schema.js';
import type { PriceCall } from '../ingest/ingest-calls.js';
import type { Recorder } from '../recorder/recorder.js';
import type { Store } from '../store/ports.js';
import { installAuth } from './auth-plugin.js';
import { installErrorHandler } from './errors.js';
import { PreparePool } from '../ingest/prepare-pool.js';
import type { BudgetGuard } from '../budgets/budget-guard.js';
import type { LiveEventBus } from '../live/event-bus.js';
import type { LivePublisher } from '../live/live-publisher.js';
import { registerLiveRoutes } from './routes/live-routes.js';
import type { CostSettings } from '../pricing/cost-settings.js';
import type { Pricer } from '../pricing/pricer.js';
import { registerAnalyticsRoutes } from './routes/analytics-routes.js';
import { registerBudgetsRoutes } from './routes/budgets-routes.js';
import { registerCallsRoutes } from './routes/calls-routes.js';
import { registerDashboardRoutes } from './routes/dashboard-routes.js';
import { registerSessionRoutes } from './routes/session-auth-routes.js';
import { registerPricingRoutes } from './routes/pricing-routes.js';
import { registerGatewayRoutes } from './routes/gateway-routes.js';
import { registerProvidersRoutes } from './routes/providers-routes.js';
import { registerModelRoutesRoutes } from './routes/model-routes-routes.js';
import type { ProviderRegistry } from '../provider-registry/provider-registry.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import type { CallMetrics } from '../recorder/call-metrics.js';
import { registerMetricsRoutes } from './routes/metrics-routes.js';
import { registerKeysRoutes } from './routes/keys-routes.js';
import { registerLogsRoutes } from './routes/logs-routes.js';
import { ResponseCache } from '../gateway/response-cache.js';
import type { KeyRateLimiter } from '../gateway/rate-limiter.js';
import { registerProjectRoutes } from './routes/project-routes.js';
import { registerOtlpRoutes } from './routes/otlp-routes.js';
import { registerRecordRoute } from './routes/record-route.js';
import { registerLiteLlmImportRoutes } from './routes/litellm-import-routes.js';
import { registerAlertsRoutes } from './routes/alerts-routes.js';
import { registerSuggestionsRoutes } from './routes/suggestions-routes.js';
import { registerLlmMetricsCompat } from './compat/llm-metrics.js';
import { registerTraceabilityCompat } from './compat/traceability.js';
import { registerOpenLlmMonitorCompat } from './compat/openllm-monitor.js';
import { registerLlmAnalyticsCompat } from './compat/llm-analytics.js';
import { registerLlmLensCompat } from './compat/llm-lens.js';
import { registerReplayRoutes } from './routes/replay-routes.js';
import { registerExportRoutes } from './routes/export-routes.js';
import { registerOutcomeAnalyticsRoutes } from './routes/outcome-analytics-routes.js';
import { registerOutcomesRoutes } from './routes/outcomes-routes.js';
import { registerRequestsRoutes } from './routes/requests-routes.js';
import { registerResearchConfigRoutes } from './routes/research-config-routes.js';
import { registerSessionsRoutes } from './routes/sessions-routes.js';
import { registerTracesRoutes } from './routes/traces-routes.js';
import type { AlertEvaluator } from '../alerts/alert-evaluator.js';
import type { SecretBox } from '../security/secret-box.js';
import type { ContentCapture } from '../recorder/content-capture.js';
import type { LiteLlmSync } from '../ingest/litellm/litellm-sync.js';

export interface AppServices {
  config: Readonly<LoupeConfig>;
  store: Store;
  recorder: Recorder;
  authenticator: Authenticator;
  priceCall: PriceCall;
  version: string;
  costSettings: CostSettings;
  budgetGuard: BudgetGuard;
  liveBus: LiveEventBus;
  livePublisher: LivePublisher;
  /** What this instance recorded, for /metrics. */
  callMetrics: CallMetrics;
  /** Prices calls (cost settings over the catalog) and bounds a call's worst case for budgets. */
  pricer: Pricer;
  // @anchor services:pricing
  providers: ProviderRegistry;
  /** Key rate limits (shared with the other instances on a shared store). */
  rateLimiter: KeyRateLimiter;
  // @anchor services:gateway
  alerts: AlertEvaluator;
  /** Seals webhook secrets (and provider keys) with the data directory's key. */
  secretBox: SecretBox;
  /** Which projects keep the content of their calls. */
  contentCapture: ContentCapture;
  /** The LiteLLM spend-log import, when a LiteLLM database is configured. */
  litellm: LiteLlmSync | null;
  // @anchor services:outcomes
  // @anchor services:live
}

export async function buildApp(services: AppServices): Promise<FastifyInstance> {
  const { config, store, recorder, authenticator } = services;
  const app = Fastify({
    logger: config.log_level === 'silent' ? false : { level: config.log_level },
    // Per-request logs would cost more than the gateway itself adds; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.body_limit_bytes,
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Ids may be 128 characters and session ids 256 (three times that once percent-encoded): the
    // router's default of 100 answered 414 before a route's own schema could name the field.
    routerOptions: { maxParamLength: 1024 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installAuth(app, authenticator);

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Loupe API', version: services.version, description: 'LLM gateway and observability: ingestion, logs, analytics and more.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an lp_... API key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, async () => app.swagger());

  const ingest = { recorder };
  registerHealthRoutes(app, store, recorder, services.version);
  registerMetricsRoutes(app, { recorder, calls: services.callMetrics, authenticator: config.metrics_require_key ? authenticator : null });
  // Closed after in-flight requests finish (onClose runs once the server stops accepting).
  const preparePool = new PreparePool(config.ingest_workers, { searchWords: store.calls.keepsSearchWords });
  app.addHook('onClose', () => preparePool.close());
  registerCallsRoutes(app, ingest, preparePool);
  registerRecordRoute(app, ingest);
  registerOtlpRoutes(app, ingest);
  registerLiteLlmImportRoutes(app, services.litellm);
  registerLogsRoutes(app, store, services.livePublisher);
  registerKeysRoutes(app, store, authenticator);
  registerProjectRoutes(app, store, services.contentCapture);
  registerBudgetsRoutes(app, store, services.budgetGuard);
  registerAlertsRoutes(app, store, services.alerts, services.secretBox);
  registerSuggestionsRoutes(app, store);
  registerLlmMetricsCompat(app);
  registerTraceabilityCompat(app, services.version);
  registerOpenLlmMonitorCompat(app);
  registerLlmAnalyticsCompat(app);
  registerLlmLensCompat(app);
  registerPricingRoutes(app, store, services.costSettings, config.savings_reference_model);
  // @anchor routes:pricing
  const cache = new ResponseCache({ byDefault: config.gateway_cache, ttlMs: config.gateway_cache_ttl_seconds * 1000, maxBytes: config.gateway_cache_max_bytes });
  const gateway = { registry: services.providers, recorder, budgets: services.budgetGuard, costSettings: services.costSettings, cache, rateLimiter: services.rateLimiter };
  registerGatewayRoutes(app, gateway);
  registerReplayRoutes(app, store, gateway);
  registerProvidersRoutes(app, services.providers);
  registerModelRoutesRoutes(app, services.providers);
  // @anchor routes:gateway
  registerOutcomesRoutes(app, store);
  registerOutcomeAnalyticsRoutes(app, store);
  registerResearchConfigRoutes(app, store);
  registerExportRoutes(app, store);
  // @anchor routes:outcomes
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  registerLiveRoutes(app, services.liveBus, authenticator);
  // @anchor routes:live
  registerAnalyticsRoutes(app, store);
  // @anchor routes:analytics
  registerSessionsRoutes(app, store);
  registerRequestsRoutes(app, store);
  registerTracesRoutes(app, store);
  // @anchor routes:sessions
  registerSessionRoutes(app, authenticator);
  await registerDashboardRoutes(app);
  // @anchor routes:dashboard
  return app;
}
