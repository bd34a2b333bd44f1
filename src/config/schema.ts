// The one configuration schema: a config file (JSON or YAML) merged with environment
// overrides, parsed once at boot. Unknown keys are refused so that typos fail loudly.
import { z } from 'zod';

export const providerConfigSchema = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lowercase letters, digits, _ . -'),
  type: z.string().min(1).max(64),
  display_name: z.string().max(128).optional(),
  base_url: z.string().url().optional(),
  api_key: z.string().max(4096).optional(),
  models: z.array(z.string().max(256)).max(1000).optional(),
  priority: z.number().int().min(0).max(1000).optional(),
  timeout_seconds: z.number().positive().max(3600).optional(),
  circuit_breaker_threshold: z.number().int().min(1).max(1000).optional(),
  circuit_breaker_timeout: z.number().positive().max(86_400).optional(),
  /** Retries on the same provider for retryable failures, with exponential backoff. */
  max_retries: z.number().int().min(0).max(5).optional(),
  enabled: z.boolean().optional(),
  /** Whether a caller may send its own key for this provider (x-loupe-provider-key). */
  allow_client_key: z.boolean().optional(),
});

/** One provider and model a route may send a call to; weight counts for the `weighted` strategy. */
export const routeTargetSchema = z.strictObject({
  provider: z.string().min(1).max(64),
  model: z.string().min(1).max(256),
  weight: z.number().positive().max(1_000_000).default(1),
});

export const ROUTE_STRATEGIES = ['fallback', 'weighted', 'latency'] as const;

/**
 * A model name the applications ask for, served by several provider/model targets (LiteLLM's
 * model groups, Portkey's load balancing): `fallback` tries them as listed, `weighted` picks the
 * first at random by weight, `latency` the one that answered fastest lately; the others follow
 * as fallbacks.
 */
export const routeConfigSchema = z
  .strictObject({
    name: z.string().min(1).max(256).regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters'),
    strategy: z.enum(ROUTE_STRATEGIES).default('fallback'),
    targets: z.array(routeTargetSchema).min(1).max(50),
  })
  .superRefine((route, context) => {
    const seen = new Set<string>();
    route.targets.forEach((target, index) => {
      const key = `${target.provider}/${target.model}`;
      if (seen.has(key)) context.addIssue({ code: 'custom', path: ['targets', index], message: `lists ${key} twice` });
      seen.add(key);
    });
  });

export const configSchema = z.strictObject({
  port: z.coerce.number().int().min(0).max(65_535).default(4000),
  host: z.string().min(1).default('127.0.0.1'),
  data_dir: z.string().min(1).default('./data'),
  admin_key: z.string().regex(/^lp_[A-Za-z0-9_-]{20,200}$/, 'must look like lp_ followed by at least 20 letters, digits, _ or -').optional(),
  database_url: z.string().optional(),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  body_limit_bytes: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(5 * 1024 * 1024),
  duckdb_memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i).default('1GB'),
  duckdb_checkpoint_threshold: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i).default('256MB'),
  /** Worker threads that parse large ingestion batches; 0 parses on the event loop. Default: cores − 1, at most 4. */
  ingest_workers: z.coerce.number().int().min(0).max(64).optional(),
  duckdb_threads: z.coerce.number().int().min(1).max(256).optional(),
  /** How often DuckDB's cache of table blocks is brought back to 64 MB when larger; 0: never. */
  duckdb_cache_trim_seconds: z.coerce.number().int().min(0).max(86_400).default(60),
  /** Old-generation growth per full collection, in percent (heap-growth.ts); unset leaves V8's adaptive growth. */
  heap_growth_percent: z.coerce.number().int().min(1).max(300).optional(),
  recorder: z
    .strictObject({
      max_batch: z.coerce.number().int().min(1).max(100_000).default(2000),
      flush_interval_ms: z.coerce.number().int().min(0).max(10_000).default(5),
      max_queue: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
    })
    .default({ max_batch: 2000, flush_interval_ms: 5, max_queue: 100_000 }),
  /** Bound on the outage spool (<data dir>/spool) holding gateway calls while the store is unreachable. */
  spool_max_bytes: z.coerce.number().int().min(1024 * 1024).max(1024 ** 4).default(1024 ** 3),
  retention_days: z.coerce.number().int().min(1).max(36_500).optional(),
  /** On a shared database: how long a budget hold outlives an instance that stopped (crashed) before settling it. */
  budget_hold_ttl_seconds: z.coerce.number().min(1).max(3600).default(30),
  upstream_allowlist: z.array(z.string()).default([]),
  /** A LiteLLM proxy's PostgreSQL database: its spend logs are imported into `litellm_project`. */
  litellm_database_url: z.string().min(1).max(2048).optional(),
  litellm_project: z.string().min(1).max(128).default('default'),
  litellm_sync_seconds: z.coerce.number().int().min(1).max(86_400).default(30),
  /** /metrics answers only a key with the read scope (Prometheus: `authorization` in the scrape config). */
  metrics_require_key: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).default(false),
  /** The gateway's answer cache (src/gateway/response-cache.ts): whether requests that say nothing use it. */
  gateway_cache: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).default(false),
  gateway_cache_ttl_seconds: z.coerce.number().int().min(1).max(30 * 86_400).default(3600),
  gateway_cache_max_bytes: z.coerce.number().int().min(1024 * 1024).max(64 * 1024 ** 3).default(64 * 1024 * 1024),
  /** How often alert rules are evaluated; 0 never (POST /api/v1/alerts/evaluate still does). */
  alert_interval_seconds: z.coerce.number().int().min(0).max(86_400).default(60),
  providers: z.array(providerConfigSchema).default([]),
  routes: z.array(routeConfigSchema).max(1000).default([]).superRefine((routes, context) => {
    const seen = new Set<string>();
    routes.forEach((route, index) => {
      if (seen.has(route.name)) context.addIssue({ code: 'custom', path: [index, 'name'], message: `a route named '${route.name}' is defined twice` });
      seen.add(route.name);
    });
  }),
  /** The remote model savings are measured against (provider/model as the catalog names it). */
  savings_reference_model: z.string().min(3).max(256).default('anthropic/claude-sonnet-4-20250514'),
  // @anchor pricing
  /** Base64 key that seals provider API keys at rest; default: <data dir>/secret.key. */
  secret_key: z.string().min(40).max(200).refine((value) => Buffer.from(value, 'base64').length >= 32, {
    message: 'must be at least 32 bytes written in base64 (e.g. the output of `openssl rand -base64 32`)',
  }).optional(),
  // @anchor gateway
  // @anchor outcomes
  // @anchor live
});

export type LoupeConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type RouteConfig = z.infer<typeof routeConfigSchema>;
export type RouteStrategy = RouteConfig['strategy'];
