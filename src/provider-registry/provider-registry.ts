// The providers the gateway may use: those of the config file and env (trusted), and those
// added through the API (their URLs checked against private ranges at save and at connect).
// Keys are sealed at rest; health and breakers are tracked here, persisted and announced.
import { Agent } from 'undici';
import type { LoupeConfig, ProviderConfig } from '../config/schema.js';
import type { ProviderHealthRecord, ProviderInput, ProviderPatch, ProviderRecord } from '../domain/provider.js';
import type { UpstreamTarget } from '../gateway/upstream-targets.js';
import { ALL_PROJECTS, type LiveEventBus } from '../live/event-bus.js';
import { LOCAL_PROVIDERS } from '../pricing/price-call.js';
import { parseAllowlist, type Allowlist } from '../security/outbound-address.js';
import { checkOutboundUrl, guardedLookup, OutboundUrlError } from '../security/outbound-url.js';
import type { SecretBox } from '../security/secret-box.js';
import type { ProviderRepository } from '../store/ports.js';
import { providerValues } from '../store/provider-rows.js';
import { bedrockRequestSigner } from '../providers/bedrock/sign-request.js';
import { BaseUrlError, createAdapter, isProviderType, providerBaseUrl } from '../providers/provider-types.js';
import { LocalChanges } from '../live/cross-instance-settings.js';
import { ModelRoutes } from './model-routes.js';
import { ProviderHealth } from './provider-health.js';
import { SharedHealthSync } from './shared-health-sync.js';

/** Where a provider's calls go (its type's default when none is given); null when one is required. */
function baseUrlOf(type: string, configured: string | undefined, field: string): string | null {
  try {
    return providerBaseUrl(type, configured);
  } catch (error) {
    if (error instanceof BaseUrlError) throw new ProviderError(field, error.message);
    throw error;
  }
}

export class ProviderError extends Error {
  constructor(readonly field: string, message: string, readonly status = 400) {
    super(message);
  }
}

const trustedAgent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

function fromConfig(provider: ProviderConfig, box: SecretBox, now: number): ProviderRecord {
  const baseUrl = baseUrlOf(provider.type, provider.base_url, `providers.${provider.name}.base_url`);
  if (!baseUrl) throw new ProviderError(`providers.${provider.name}.base_url`, `type '${provider.type}' has no default base_url; set one`);
  return {
    name: provider.name, display_name: provider.display_name ?? provider.name, type: provider.type,
    provider_type: LOCAL_PROVIDERS.has(provider.type) ? 'local' : 'remote', base_url: baseUrl,
    api_key_sealed: provider.api_key ? box.seal(provider.api_key) : null, models: provider.models ?? [], priority: provider.priority ?? 100,
    timeout_seconds: provider.timeout_seconds ?? 120, circuit_breaker_threshold: provider.circuit_breaker_threshold ?? 5,
    circuit_breaker_timeout: provider.circuit_breaker_timeout ?? 60, max_retries: provider.max_retries ?? 1,
    is_enabled: provider.enabled !== false, allow_client_key: provider.allow_client_key === true, source: 'config', created_at: now, updated_at: now,
  };
}

export class ProviderRegistry {
  private readonly records = new Map<string, ProviderRecord>();
  private readonly targets = new Map<string, UpstreamTarget>();
  private readonly health = new Map<string, ProviderHealth>();
  private readonly allowlist: Allowlist;
  private readonly guardedAgent: Agent;
  /** Set when the store is shared: breakers and counters then live in the database. */
  private readonly sync: SharedHealthSync | null;
  /** Model names of the config file served by several providers and models. */
  readonly routes: ModelRoutes;
  private readonly changes = new LocalChanges();
  /** Called after a change made here is stored, to tell the instances sharing the store. */
  onLocalChange: () => void = () => undefined;

  private constructor(private readonly repository: ProviderRepository, private readonly box: SecretBox, private readonly bus: LiveEventBus, config: Readonly<LoupeConfig>) {
    this.allowlist = parseAllowlist(config.upstream_allowlist);
    this.routes = new ModelRoutes(config.routes);
    // Untrusted upstreams connect through a lookup that refuses private addresses, so a
    // name that later resolves to one (DNS rebinding) is stopped at connect time.
    this.guardedAgent = new Agent({ keepAliveTimeout: 30_000, connections: 64, connect: { lookup: guardedLookup(this.allowlist, () => false) } });
    this.sync = repository.breakers ? new SharedHealthSync(repository.breakers, () => this.health.values()) : null;
  }

  static async load(config: Readonly<LoupeConfig>, repository: ProviderRepository, box: SecretBox, bus: LiveEventBus): Promise<ProviderRegistry> {
    const registry = new ProviderRegistry(repository, box, bus, config);
    const stored = new Map((await repository.list()).map((record) => [record.name, record]));
    const health = new Map((await repository.listHealth()).map((record) => [record.name, record]));
    const now = Date.now();
    for (const provider of config.providers) {
      const record = fromConfig(provider, box, now);
      // The operator's enable/disable through the API survives restarts.
      const previous = stored.get(record.name);
      if (previous?.source === 'config') Object.assign(record, { is_enabled: previous.is_enabled, created_at: previous.created_at });
      stored.set(record.name, record);
      await repository.upsert(record);
    }
    for (const record of stored.values()) {
      if (record.source === 'config' && !config.providers.some((provider) => provider.name === record.name)) {
        await repository.delete(record.name);
        continue;
      }
      registry.install(record, health.get(record.name));
    }
    // A route may name providers of the config file or added through the API (which cannot be
    // removed while a route names them), but not one that does not exist.
    config.routes.forEach((route, index) => route.targets.forEach((target, position) => {
      if (!registry.records.has(target.provider)) throw new ProviderError(`routes.${index}.targets.${position}.provider`, `no provider named '${target.provider}'`);
    }));
    if (registry.sync) {
      await registry.sync.sync();
      registry.sync.start();
    }
    return registry;
  }

  private install(record: ProviderRecord, stored?: ProviderHealthRecord): void {
    this.records.set(record.name, record);
    const trusted = record.source === 'config';
    this.targets.set(record.name, {
      name: record.name, type: record.type, baseUrl: normalizeBaseUrl(record.type, record.base_url), apiKey: record.api_key_sealed ? this.box.open(record.api_key_sealed) : null,
      models: record.models, priority: record.priority, timeoutMs: record.timeout_seconds * 1000, maxRetries: record.max_retries, allowClientKey: record.allow_client_key,
      // A type Loupe has no adapter of its own for is taken to speak OpenAI's format.
      adapter: createAdapter(isProviderType(record.type) ? record.type : 'openai-compatible'),
      dispatcher: trusted ? trustedAgent : this.guardedAgent,
    });
    const target = this.targets.get(record.name)!;
    // Bedrock without a key signs with the AWS credentials of Loupe's own environment.
    if (record.type === 'bedrock' && target.apiKey === null) {
      const signer = bedrockRequestSigner(target.baseUrl, process.env);
      if (signer) target.signRequest = signer;
    }
    // A probe holds its lease for as long as the call may take, then another instance may probe.
    const probeLeaseMs = (record.timeout_seconds + 5) * 1000;
    const existing = this.health.get(record.name);
    if (existing) return existing.reconfigure(record.circuit_breaker_threshold, record.circuit_breaker_timeout, probeLeaseMs);
    const breakers = this.repository.breakers;
    const shared = breakers ? { breakers, probeLeaseMs } : undefined;
    this.health.set(record.name, new ProviderHealth(record.name, record.circuit_breaker_threshold, record.circuit_breaker_timeout, (from, to) => this.stateChanged(record.name, from, to), stored, shared));
  }

  private uninstall(name: string): void {
    this.records.delete(name);
    this.targets.delete(name);
    this.health.delete(name);
  }

  private stateChanged(name: string, from: string, to: string): void {
    const health = this.health.get(name);
    // A shared store already holds the change (its write decided it) and sums the counters.
    if (health && !health.isShared) void this.repository.saveHealth(health.snapshot()).catch(() => undefined);
    this.bus.publish(ALL_PROJECTS, 'provider_status_changed', { provider: name, from, to });
  }

  list(): ProviderRecord[] {
    return [...this.records.values()].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  }

  get(name: string): ProviderRecord | null {
    return this.records.get(name) ?? null;
  }

  target(name: string): UpstreamTarget | null {
    return this.targets.get(name) ?? null;
  }

  healthOf(name: string): ProviderHealth | null {
    return this.health.get(name) ?? null;
  }

  /**
   * Enabled providers that can serve `requested`, best first: a route of the config file by that
   * name orders its targets by its strategy; else a `provider/` prefix names the first, and the
   * providers listing the model follow by priority.
   */
  route(requested: string, streaming = false): { target: UpstreamTarget; model: string }[] {
    const configured = this.routes.get(requested);
    if (configured) {
      const enabled = configured.targets.filter((target) => this.records.get(target.provider)?.is_enabled);
      const ready = (target: { provider: string }) => this.health.get(target.provider)?.breaker.state !== 'open';
      return this.routes.order(configured, enabled, { streaming, ready }).map((target) => ({ target: this.targets.get(target.provider)!, model: target.model }));
    }
    const enabled = this.list().filter((record) => record.is_enabled).map((record) => this.targets.get(record.name)!);
    const slash = requested.indexOf('/');
    const named = slash > 0 ? enabled.find((target) => target.name === requested.slice(0, slash)) : undefined;
    const model = named ? requested.slice(slash + 1) : requested;
    const listing = enabled.filter((target) => target !== named && target.models.includes(model));
    const open = named || listing.length > 0 ? [] : enabled.filter((target) => target.models.length === 0).slice(0, 1);
    return [...(named ? [named] : []), ...listing, ...open].map((target) => ({ target, model }));
  }

  async add(input: ProviderInput): Promise<ProviderRecord> {
    if (this.records.has(input.name)) throw new ProviderError('name', `a provider named '${input.name}' exists`, 409);
    const baseUrl = baseUrlOf(input.type, input.base_url, 'base_url');
    if (!baseUrl) throw new ProviderError('base_url', `is required for type '${input.type}'`);
    await this.checkUrl(baseUrl);
    const now = Date.now();
    const record: ProviderRecord = {
      name: input.name, display_name: input.display_name ?? input.name, type: input.type, provider_type: LOCAL_PROVIDERS.has(input.type) ? 'local' : 'remote',
      base_url: baseUrl, api_key_sealed: input.api_key ? this.box.seal(input.api_key) : null, models: input.models ?? [], priority: input.priority ?? 100,
      timeout_seconds: input.timeout_seconds ?? 120, circuit_breaker_threshold: input.circuit_breaker_threshold ?? 5, circuit_breaker_timeout: input.circuit_breaker_timeout ?? 60,
      max_retries: input.max_retries ?? 1, is_enabled: input.is_enabled ?? true, allow_client_key: input.allow_client_key ?? false, source: 'api', created_at: now, updated_at: now,
    };
    await this.repository.upsert(record);
    this.changes.made();
    this.install(record);
    this.onLocalChange();
    return record;
  }

  async update(name: string, patch: ProviderPatch): Promise<ProviderRecord> {
    const current = this.records.get(name);
    if (!current) throw new ProviderError('name', `no provider named '${name}'`, 404);
    const configOnly = ['base_url', 'api_key', 'models', 'priority', 'timeout_seconds', 'circuit_breaker_threshold', 'circuit_breaker_timeout', 'max_retries', 'display_name', 'allow_client_key'];
    if (current.source === 'config') {
      const refused = Object.keys(patch).find((field) => configOnly.includes(field));
      if (refused) throw new ProviderError(refused, 'this provider comes from the config file; change it there (only is_enabled can be changed here)');
    }
    const baseUrl = patch.base_url ? baseUrlOf(current.type, patch.base_url, 'base_url') : null;
    if (baseUrl) await this.checkUrl(baseUrl);
    const { api_key: apiKey, ...rest } = baseUrl ? { ...patch, base_url: baseUrl } : patch;
    const record: ProviderRecord = { ...current, ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)), updated_at: Date.now() };
    if (apiKey) record.api_key_sealed = this.box.seal(apiKey);
    await this.repository.upsert(record);
    this.changes.made();
    this.install(record);
    this.onLocalChange();
    return record;
  }

  async remove(name: string): Promise<void> {
    const current = this.records.get(name);
    if (!current) throw new ProviderError('name', `no provider named '${name}'`, 404);
    if (current.source === 'config') throw new ProviderError('name', 'this provider comes from the config file; remove it there');
    const routes = this.routes.usersOf(name);
    if (routes.length > 0) throw new ProviderError('name', `the routes ${routes.map((route) => `'${route}'`).join(', ')} of the config file send calls to this provider; change them first`, 409);
    await this.repository.delete(name);
    this.changes.made();
    this.uninstall(name);
    this.onLocalChange();
  }

  /**
   * Takes the providers as stored, for instances sharing a database: those added, changed or
   * removed through another instance's API. Providers of the config file stay as this
   * instance's file says, but for their switch; another instance's config-file providers are
   * not taken. A round that read before a change made here is dropped and read again.
   */
  async refresh(): Promise<void> {
    const stored = await this.changes.read(() => this.repository.list());
    if (!stored) return;
    const names = new Set(stored.map((record) => record.name));
    let failure: unknown = null;
    for (const record of stored) {
      const current = this.records.get(record.name);
      if (record.source === 'config' || current?.source === 'config') {
        if (current?.source === 'config' && record.source === 'config' && current.is_enabled !== record.is_enabled) {
          this.records.set(record.name, { ...current, is_enabled: record.is_enabled, updated_at: record.updated_at });
        }
        continue;
      }
      if (current && sameRecord(current, record)) continue;
      try {
        this.install(record);
      } catch (error) {
        // A key sealed with another secret cannot be opened here; the other providers are still taken.
        failure ??= error;
      }
    }
    for (const [name, record] of this.records) if (record.source === 'api' && !names.has(name)) this.uninstall(name);
    if (failure) throw failure;
  }

  /** Stops sharing health (the last counters are written). */
  async close(): Promise<void> {
    await this.sync?.stop();
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await checkOutboundUrl(url, this.allowlist);
    } catch (error) {
      if (error instanceof OutboundUrlError) throw new ProviderError('base_url', error.message);
      throw error;
    }
  }
}

/** Whether two records of a provider say the same, field by field as stored. */
function sameRecord(a: ProviderRecord, b: ProviderRecord): boolean {
  const asStored = (ms: number | null) => ms;
  return JSON.stringify(providerValues(a, asStored)) === JSON.stringify(providerValues(b, asStored));
}

function normalizeBaseUrl(type: string, baseUrl: string): string {
  // Ollama serves its native API at the root and an OpenAI-compatible one under /v1.
  const trimmed = baseUrl.replace(/\/$/, '');
  if (type === 'ollama') return trimmed.replace(/\/v1$/, '');
  return type === 'ollama-openai' && !/\/v1$/.test(trimmed) ? `${trimmed}/v1` : trimmed;
}
