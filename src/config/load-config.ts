// Reads the config file named by LOUPE_CONFIG, applies environment overrides and validates
// the result once. A bad value stops the boot with a message that names the key.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, type LoupeConfig } from './schema.js';
import { ConfigError } from './config-error.js';
import { providersFromEnv } from './providers-from-env.js';

export { ConfigError };

const ENV_KEYS: Record<string, string> = {
  LOUPE_PORT: 'port',
  LOUPE_HOST: 'host',
  LOUPE_DATA_DIR: 'data_dir',
  LOUPE_ADMIN_KEY: 'admin_key',
  DATABASE_URL: 'database_url',
  LOUPE_LOG_LEVEL: 'log_level',
  LOUPE_BODY_LIMIT_BYTES: 'body_limit_bytes',
  LOUPE_DUCKDB_MEMORY_LIMIT: 'duckdb_memory_limit',
  LOUPE_DUCKDB_CHECKPOINT_THRESHOLD: 'duckdb_checkpoint_threshold',
  LOUPE_DUCKDB_THREADS: 'duckdb_threads',
  LOUPE_DUCKDB_CACHE_TRIM_SECONDS: 'duckdb_cache_trim_seconds',
  LOUPE_HEAP_GROWTH_PERCENT: 'heap_growth_percent',
  LOUPE_INGEST_WORKERS: 'ingest_workers',
  LOUPE_SECRET_KEY: 'secret_key',
  LOUPE_RETENTION_DAYS: 'retention_days',
  LOUPE_BUDGET_HOLD_TTL_SECONDS: 'budget_hold_ttl_seconds',
  LOUPE_ALERT_INTERVAL_SECONDS: 'alert_interval_seconds',
  LOUPE_LITELLM_DATABASE_URL: 'litellm_database_url',
  LOUPE_LITELLM_PROJECT: 'litellm_project',
  LOUPE_LITELLM_SYNC_SECONDS: 'litellm_sync_seconds',
  LOUPE_SPOOL_MAX_BYTES: 'spool_max_bytes',
  LOUPE_METRICS_REQUIRE_KEY: 'metrics_require_key',
  LOUPE_GATEWAY_CACHE: 'gateway_cache',
  LOUPE_GATEWAY_CACHE_TTL_SECONDS: 'gateway_cache_ttl_seconds',
  LOUPE_GATEWAY_CACHE_MAX_BYTES: 'gateway_cache_max_bytes',
};

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`LOUPE_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`LOUPE_CONFIG: ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (parsed == null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`LOUPE_CONFIG: ${path} must hold an object`);
  return parsed as Record<string, unknown>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): Readonly<LoupeConfig> {
  const raw: Record<string, unknown> = env.LOUPE_CONFIG ? readConfigFile(env.LOUPE_CONFIG) : {};
  for (const [envName, key] of Object.entries(ENV_KEYS)) {
    const value = env[envName];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (env.LOUPE_UPSTREAM_ALLOWLIST) {
    raw.upstream_allowlist = env.LOUPE_UPSTREAM_ALLOWLIST.split(',').map((item) => item.trim()).filter(Boolean);
  }
  const fileProviders = Array.isArray(raw.providers) ? raw.providers : [];
  raw.providers = [...fileProviders, ...providersFromEnv(env, fileProviders)];
  Object.assign(raw, overrides);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
