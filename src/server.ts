// Wires one Loupe process: store, recorder, auth, HTTP app. Used by `loupe serve` and by
// the integration tests, which start the real server in-process.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { Authenticator } from './auth/authenticator.js';
import { bootstrapAdminKey } from './auth/bootstrap-admin.js';
import type { LoupeConfig } from './config/schema.js';
import type { PriceCall } from './ingest/ingest-calls.js';
import { createPricer, registryLocalTest } from './pricing/pricer.js';
import { Recorder } from './recorder/recorder.js';
import { OutageSpool } from './recorder/outage-spool.js';
import { ContentCapture } from './recorder/content-capture.js';
import { createBudgetGuard } from './budgets/create-budget-guard.js';
import { CrossInstanceSettings } from './live/cross-instance-settings.js';
import { KeyRateLimiter } from './gateway/rate-limiter.js';
import { SharedRateSync } from './gateway/shared-rate-sync.js';
import { CrossInstanceEvents } from './live/cross-instance-events.js';
import { LiveEventBus } from './live/event-bus.js';
import { CallMetrics } from './recorder/call-metrics.js';
import type { CallRecord } from './domain/call-record.js';
import { LivePublisher } from './live/live-publisher.js';
import { ProviderRegistry } from './provider-registry/provider-registry.js';
import { SecretBox } from './security/secret-box.js';
import { CostSettings } from './pricing/cost-settings.js';
import { openStore } from './store/open-store.js';
import { scheduleRetention } from './store/retention.js';
import type { Store } from './store/ports.js';
import { AlertEvaluator } from './alerts/alert-evaluator.js';
import { WebhookSender } from './alerts/webhook-sender.js';
import { startLiteLlmSync } from './ingest/litellm/start-litellm-sync.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  recorder: Recorder;
  liveBus: LiveEventBus;
  authenticator: Authenticator;
  /** Set when this start created the first admin key. */
  createdAdminKey: string | null;
  url: string;
  close(): Promise<void>;
}

/** The package version, found by walking up from this file (works from src/ and dist/src/). */
export function loupeVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
    directory = dirname(directory);
  }
  return '0.0.0';
}

export async function startServer(config: Readonly<LoupeConfig>, options: { listen?: boolean } = {}): Promise<RunningServer> {
  const store = await openStore(config);
  const bootstrap = await bootstrapAdminKey(store, config.admin_key);
  const liveBus = new LiveEventBus();
  const costSettings = await CostSettings.load(store.priceOverrides);
  const contentCapture = await ContentCapture.load(store.projects);
  const budgetGuard = createBudgetGuard(store, liveBus, {
    holdTtlMs: config.budget_hold_ttl_seconds * 1000,
    onUnavailable: (error) => app.log.warn({ err: error }, 'budgets checked from the last counts read: the store did not answer'),
  });
  const livePublisher = new LivePublisher(liveBus);
  const callMetrics = new CallMetrics();
  const committed = (calls: readonly CallRecord[]) => {
    livePublisher.committed(calls);
    callMetrics.observe(calls);
  };
  const secretBox = SecretBox.forDataDir(config.data_dir, config.secret_key);
  const authenticator = new Authenticator(store.apiKeys, secretBox.derive('dashboard sessions'));
  // A provider or route of the config file that cannot be used stops the boot: the store is let go first.
  const providers = await ProviderRegistry.load(config, store.providers, secretBox, liveBus).catch(async (error: unknown) => {
    await store.close().catch(() => undefined);
    throw error;
  });
  // Gateway calls made while the store is unreachable wait here (none for an in-memory store).
  const spool = config.data_dir === ':memory:' ? null : new OutageSpool(store, {
    directory: join(config.data_dir, 'spool'),
    maxBytes: config.spool_max_bytes,
    replayBatch: config.recorder.max_batch,
    probeIntervalMs: 1000,
    onStored: committed,
    log: { info: (message) => app.log.info(message), warn: (message) => app.log.warn(message), error: (message) => app.log.error(message) },
  });
  const recorder = new Recorder(store, {
    maxBatch: config.recorder.max_batch,
    flushIntervalMs: config.recorder.flush_interval_ms,
    maxQueue: config.recorder.max_queue,
  }, {
    // Every record, ingested or from the gateway, loses its content when its project keeps none,
    // gets the project's cost settings and counts against its budgets on its way to the store.
    beforeWrite: (write) => {
      contentCapture.apply(write);
      pricer.finalize(write.call);
      budgetGuard.observe(write.call);
    },
    onCommitted: committed,
    onUnawaitedFailure: (writes, error) => app.log.error({ err: error, calls: writes.length }, 'could not record gateway calls'),
  }, spool);
  const pricer = createPricer(costSettings, registryLocalTest(providers));
  const priceCall: PriceCall = (call) => pricer.priceCall(call);
  // @anchor pricing
  // @anchor gateway
  // @anchor outcomes
  // @anchor live
  const litellm = await startLiteLlmSync(config, store, recorder, (error) => app.log.error({ err: error }, 'LiteLLM spend-log import failed'));
  const alerts = new AlertEvaluator(store, liveBus, new WebhookSender(config.upstream_allowlist), secretBox, (error) => app.log.error({ err: error }, 'alert evaluation failed'));
  const rateLimiter = new KeyRateLimiter();
  const rateSync = store.rateUsage ? new SharedRateSync(store.rateUsage, rateLimiter, (error) => app.log.warn({ err: error }, 'could not exchange rate-limit counts with the other instances')) : null;
  const app = await buildApp({ config, store, recorder, authenticator, priceCall, pricer, costSettings, budgetGuard, liveBus, livePublisher, callMetrics, providers, rateLimiter, alerts, secretBox, contentCapture, litellm: litellm?.sync ?? null, version: loupeVersion() });
  // Instances sharing a store hear each other's live events.
  const crossInstance = store.broadcast
    ? await CrossInstanceEvents.start(liveBus, store.broadcast, (error) => app.log.warn({ err: error }, 'could not relay a live event to other instances'))
    : null;
  spool?.start();
  rateSync?.start();
  // Only a shared database has other instances whose changes to follow.
  const sharedSettings = store.broadcast
    ? await CrossInstanceSettings.start(store.broadcast, { providers, cost_settings: costSettings, content_capture: contentCapture }, (error, setting) => app.log.warn({ err: error, setting }, 'could not follow a setting changed by another instance'))
    : null;
  if (config.alert_interval_seconds > 0) alerts.start(config.alert_interval_seconds * 1000);
  litellm?.start();
  const stopRetention = config.retention_days
    ? scheduleRetention(store, config.retention_days, (error) => app.log.error({ err: error }, 'retention failed'))
    : () => undefined;
  let url = '';
  if (options.listen !== false) url = await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | null = null;
  return {
    app, store, recorder, liveBus, authenticator, createdAdminKey: bootstrap.createdSecret, url,
    close: () => {
      closing ??= (async () => {
        stopRetention();
        await app.close();
        await sharedSettings?.stop();
        await rateSync?.stop();
        await alerts.stop();
        await litellm?.stop();
        await recorder.drain();
        await spool?.close();
        await budgetGuard.close();
        await providers.close();
        livePublisher.close();
        await crossInstance?.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
