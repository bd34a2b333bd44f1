// One gateway call: read the body, pick the providers that can serve it, hold the key to its
// rate limits, reserve its worst case against budgets, then try them in order (retries with
// backoff on the same provider, then fallback to the next) until one answers. Every attempt is
// recorded as its own call, linked by request_id, without the response waiting for the store.
import type { IncomingHttpHeaders } from 'node:http';
import { uuidv7 } from 'uuidv7';
import { BudgetExceededError, type BudgetGuard, type BudgetReservation } from '../budgets/budget-guard.js';
import { worstCaseCost } from '../budgets/worst-case.js';
import type { CostSettings } from '../pricing/cost-settings.js';
import type { ProviderRegistry } from '../provider-registry/provider-registry.js';
import type { Recorder } from '../recorder/recorder.js';
import { attributionFromHeaders } from './attribution.js';
import { buildGatewayCall, type GatewayOutcome } from './build-gateway-call.js';
import { deliverResponse, type GatewayReply } from './deliver-response.js';
import type { CallWrite } from '../store/ports.js';
import type { Endpoint } from '../providers/kit/adapter.js';
import { fromUpstreamError, GatewayError } from './gateway-errors.js';
import { modelNotAllowed, NATIVE_APIS, noProvider, readGatewayRequest, type GatewayRequest } from './prepare-request.js';
import { sendAttempt } from './send-attempt.js';
import type { CachePolicy, ResponseCache } from './response-cache.js';
import type { KeyLimits, KeyRateLimiter } from './rate-limiter.js';
import { modelAllowed } from '../domain/api-key.js';
import { anthropicClientHeaders, type ClientFormat } from './client-format.js';
import { clientKeyRefused, clientKeyReport, clientProviderKey } from './client-provider-key.js';

export interface GatewayDeps {
  registry: ProviderRegistry;
  recorder: Recorder;
  budgets: BudgetGuard;
  costSettings: CostSettings;
  /** Answers kept for identical requests; none: every request goes to a provider. */
  cache?: ResponseCache | null;
  /** Keys' requests and tokens per minute; none: no key is limited. */
  rateLimiter?: KeyRateLimiter | null;
}

export interface ProxyEndpoint {
  /** Path under the provider's /v1 root. */
  path: '/chat/completions' | '/completions' | '/embeddings' | '/messages' | '/responses';
  /** The same endpoint as the provider adapters name it. */
  endpoint: Endpoint;
  streamable: boolean;
  /** The API the client speaks, which its errors follow. */
  format: ClientFormat;
}

/** One request to the gateway: its bytes and headers, where the answer goes, and who asks. */
export interface GatewayExchange {
  body: Buffer;
  headers: IncomingHttpHeaders;
  reply: GatewayReply;
  projectId: string;
  apiKeyId: string;
  /** The key's rate limits; none: not limited (replays). */
  limits?: KeyLimits;
  /** The models the key may ask for; none: any. */
  allowedModels?: readonly string[] | null;
  /**
   * Sees each attempt's call as it goes to the recorder, with the promise of its being written
   * (a replay reports what was recorded, once it can be read back).
   */
  onRecord?: (write: CallWrite, written: Promise<void>) => void;
}

/** Longest wait before retrying the same provider (a longer Retry-After moves on instead). */
const MAX_BACKOFF_MS = 2000;
const backoffMs = (retry: number, retryAfter: number | null) => Math.min(MAX_BACKOFF_MS, retryAfter ?? 200 * 2 ** retry);

function sendError(reply: GatewayReply, format: ClientFormat, error: GatewayError, callId?: string): void {
  if (callId) void reply.header('x-loupe-call-id', callId);
  void reply.code(error.status).type('application/json').send(error.body(format));
}


export async function proxyCall(exchange: GatewayExchange, endpoint: ProxyEndpoint, deps: GatewayDeps): Promise<void> {
  const { reply, projectId, apiKeyId } = exchange;
  const format = endpoint.format;
  const arrived = performance.now();
  const startedAt = Date.now();
  const requestId = uuidv7();
  let gateway: GatewayRequest;
  let clientKey: string | null;
  try {
    gateway = readGatewayRequest(exchange.body, endpoint.streamable, exchange.headers);
    clientKey = clientProviderKey(exchange.headers);
  } catch (error) {
    if (error instanceof GatewayError) return sendError(reply, format, error);
    throw error;
  }
  const routed = deps.registry.route(gateway.model, gateway.stream);
  // An API relayed as the client speaks it (Anthropic's Messages, OpenAI's Responses) goes only to providers that serve it.
  const serving = NATIVE_APIS[endpoint.endpoint] ? routed.filter((route) => route.target.adapter.capabilities[endpoint.endpoint]) : routed;
  if (serving.length === 0) return sendError(reply, format, noProvider(gateway.model, endpoint.endpoint));
  // A caller's own key goes only to the providers that take one: never silently swapped for the operator's.
  const candidates = clientKey === null ? serving : serving.filter((route) => route.target.allowClientKey);
  if (candidates.length === 0) return sendError(reply, format, clientKeyRefused(gateway.model));
  // A key limited to some models uses only the providers and models it may (a route's name
  // allowed allows all of its targets); most keys are not limited and skip the filter.
  const allowedModels = exchange.allowedModels;
  const routes = allowedModels ? candidates.filter((route) => modelAllowed(allowedModels, gateway.model, route.target.name, route.model)) : candidates;
  const original = routes[0] ?? candidates[0]!;
  const routeName = deps.registry.routes.get(gateway.model)?.name ?? null;
  const attribution = attributionFromHeaders(exchange.headers, gateway.body.user);
  // Which route of the config file a call came through, as the cache's answers say which call they repeat.
  if (routeName !== null) attribution.properties = { ...attribution.properties, route: routeName };
  // Whose key paid for it (never the key itself).
  if (clientKey !== null) attribution.properties = { ...attribution.properties, provider_key: 'client' };
  const isFallback = (provider: string, model: string) => provider !== original.target.name || model !== original.model;
  // The first attempt's id is the request's: a request answered at once (most of them) is then
  // found by id, and only later attempts enter PostgreSQL's index of request ids (migration 13).
  const outcomeFor = (provider: string, model: string, attempt: number): GatewayOutcome => ({
    id: attempt === 1 ? requestId : uuidv7(), requestId, attempt, isFallback: isFallback(provider, model), originalProvider: isFallback(provider, model) ? original.target.name : null,
    projectId, apiKeyId, provider, model, endpoint: `/v1${endpoint.path}`, streaming: gateway.stream, startedAt, latencyMs: 0, ttftMs: null,
    status: 'success', httpStatus: null, usage: null, usageComplete: false, generationNs: null, finishReason: null, responseModel: null, toolCalls: 0, completionText: '',
    requestBody: gateway.body, output: null, attribution,
  });
  const record = (outcome: GatewayOutcome) => {
    outcome.latencyMs = performance.now() - arrived;
    const write = buildGatewayCall(outcome);
    const written = deps.recorder.record(write);
    exchange.onRecord?.(write, written);
    if (exchange.limits?.tpm != null && !outcome.cacheOf) deps.rateLimiter?.spend(apiKeyId, write.call.total_tokens);
  };
  // Loupe's own refusals (a model the key may not use, its rate limits, a budget) are recorded
  // as calls of the route asked for, which used nothing, and answered with the error.
  const refuse = (error: GatewayError, errorType: string) => {
    const refused = outcomeFor(original.target.name, original.model, 1);
    Object.assign(refused, { status: 'error', httpStatus: error.status, errorType, errorMessage: error.message });
    record(refused);
    sendError(reply, format, error, refused.id);
  };

  // Refused before anything else: a key's requests for a model it may not use, and beyond its
  // rate limits, never reach the cache, a budget or a provider.
  if (routes.length === 0) {
    return refuse(modelNotAllowed(gateway.model), 'model_not_allowed');
  }
  const admission = exchange.limits && deps.rateLimiter ? deps.rateLimiter.admit(apiKeyId, exchange.limits) : null;
  if (admission && !admission.admitted) {
    void reply.headers({ 'retry-after': String(admission.retryAfterSeconds), [`x-ratelimit-limit-${admission.limit}`]: String(admission.allowed), [`x-ratelimit-remaining-${admission.limit}`]: '0' });
    const message = `this key's rate limit of ${admission.allowed} ${admission.limit} per minute is reached; try again in ${admission.retryAfterSeconds} s`;
    return refuse(new GatewayError(429, admission.limit, 'rate_limit_exceeded', message), 'rate_limited');
  }

  // An answer may come from the cache (no budget, no provider) or go into it.
  let caching: CachePolicy | null = null;
  if (deps.cache) {
    try {
      caching = deps.cache.policy(exchange.headers, projectId, endpoint.path, gateway.raw, clientKey);
    } catch (error) {
      if (error instanceof GatewayError) return sendError(reply, format, error);
      throw error;
    }
    const hit = caching ? deps.cache.get(caching.key) : null;
    if (hit) {
      const outcome = outcomeFor(hit.provider, hit.model, 1);
      Object.assign(outcome, {
        isFallback: false, originalProvider: null, httpStatus: 200, usage: hit.usage, usageComplete: hit.usageComplete, responseModel: hit.responseModel,
        finishReason: hit.finishReason, toolCalls: hit.toolCalls, output: hit.output, completionText: hit.completionText, cacheOf: hit.sourceCallId,
        // A stream answered from the cache arrives whole: its first token comes with its first byte.
        ttftMs: gateway.stream ? performance.now() - arrived : null,
      });
      void reply.code(200).headers({ 'x-loupe-call-id': outcome.id, 'x-loupe-cache': 'HIT', 'x-loupe-overhead-ms': (performance.now() - arrived).toFixed(3) }).type(hit.contentType).send(hit.body);
      record(outcome);
      return;
    }
    if (caching) void reply.header('x-loupe-cache', 'MISS');
  }
  const keep = caching ? { keepForCache: deps.cache!.maxBodyBytes } : {};
  const remember = (outcome: GatewayOutcome) => {
    if (!caching || outcome.status !== 'success' || outcome.httpStatus !== 200 || !outcome.answerBody) return;
    deps.cache!.set(caching.key, {
      body: outcome.answerBody.bytes, contentType: outcome.answerBody.contentType, sourceCallId: outcome.id, provider: outcome.provider, model: outcome.model,
      responseModel: outcome.responseModel, finishReason: outcome.finishReason, usage: outcome.usage, usageComplete: outcome.usageComplete,
      toolCalls: outcome.toolCalls, output: outcome.output, completionText: outcome.completionText,
    }, caching.ttlMs);
  };

  let reservation: BudgetReservation;
  try {
    const worstCase = () => worstCaseCost({ projectId, provider: original.target.name, model: original.model, body: gateway.body, timeoutMs: original.target.timeoutMs }, deps.costSettings);
    reservation = await deps.budgets.reserve({ projectId, provider: original.target.name, model: original.model, userId: attribution.user_id ?? null, apiKeyId, tags: attribution.tags ?? [], requestId }, worstCase);
  } catch (error) {
    if (!(error instanceof BudgetExceededError)) throw error;
    return refuse(new GatewayError(429, 'budget_exceeded', 'budget_exceeded', error.message), 'budget_exceeded');
  }

  const clientHeaders = endpoint.endpoint === 'messages' ? anthropicClientHeaders(exchange.headers) : undefined;
  const abort = new AbortController();
  // The response closing before it finished means the client went away: stop the upstream.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const failures: string[] = [];
  let attempt = 0;
  try {
    for (const [index, route] of routes.entries()) {
      const providerHealth = deps.registry.healthOf(route.target.name)!;
      for (let retry = 0; retry <= route.target.maxRetries; retry++) {
        // Synchronous unless a shared half-open circuit asks the database for the probe.
        const admission = providerHealth.admit();
        const admitted = admission instanceof Promise ? await admission : admission;
        if (admitted === null) {
          failures.push(`${route.target.name}: circuit open`);
          break;
        }
        // This attempt's verdict goes to the breaker as a call's or as the probe's.
        const health = clientKey === null ? admitted : clientKeyReport(admitted);
        const outcome = outcomeFor(route.target.name, route.model, ++attempt);
        const lastChance = retry === route.target.maxRetries && index === routes.length - 1;
        const adapter = route.target.adapter;
        const prepared = adapter.toUpstream({ endpoint: endpoint.endpoint, body: gateway.body, rawBody: gateway.raw, headers: clientHeaders }, { model: route.model, apiKey: clientKey ?? route.target.apiKey ?? undefined, nowMs: startedAt });
        if (!prepared.ok) {
          // The call cannot be said to this provider: the caller's mistake, not the provider's.
          health.abandon();
          return sendError(reply, format, fromUpstreamError(prepared.error));
        }
        const outgoing = prepared.value;
        const sentAt = performance.now();
        const result = await sendAttempt(route.target, outgoing, abort.signal);
        if (result.kind === 'failed') {
          if (result.errorType === 'cancelled') {
            health.abandon();
            Object.assign(outcome, { status: 'cancelled', errorType: 'client_disconnected', errorMessage: result.message });
            record(outcome);
            return;
          }
          health.failure();
          Object.assign(outcome, { status: result.errorType === 'timeout' ? 'timeout' : 'error', errorType: result.errorType, errorMessage: result.message, httpStatus: null });
          record(outcome);
          failures.push(`${route.target.name}: ${result.message}`);
          if (lastChance) break;
          if (retry < route.target.maxRetries) await new Promise((resolve) => setTimeout(resolve, backoffMs(retry, null)));
          continue;
        }
        const upstream = result.response;
        const status = upstream.statusCode;
        const canRetryHere = retry < route.target.maxRetries;
        const canFallBack = index < routes.length - 1;
        // With nowhere else to go, the client gets the upstream's own answer (429 and its Retry-After).
        if (status >= 400 && (canRetryHere || canFallBack)) {
          const bytes = Buffer.from(await upstream.body.arrayBuffer());
          const error = adapter.mapError(status, bytes, upstream.headers);
          const wait = error.retryAfterMs;
          const retryHere = canRetryHere && (wait === null || wait <= MAX_BACKOFF_MS);
          if (error.isRetryable && (retryHere || canFallBack)) {
            health.failure(wait ?? undefined, status);
            Object.assign(outcome, { status: 'error', httpStatus: status, errorType: status === 429 ? 'rate_limit' : `http_${status}`, errorMessage: error.message });
            record(outcome);
            failures.push(`${route.target.name}: HTTP ${status}`);
            if (retryHere) {
              await new Promise((resolve) => setTimeout(resolve, backoffMs(retry, wait)));
              continue;
            }
            break;
          }
          // Not worth another attempt: the client gets this answer, read already.
          await deliverResponse({ upstream, bodyRead: bytes, reply, format, outcome, health, adapter, plan: outgoing.plan, arrived, sentAt, abort, ...keep });
          record(outcome);
          return;
        }
        await deliverResponse({ upstream, reply, format, outcome, health, adapter, plan: outgoing.plan, arrived, sentAt, abort, ...keep });
        if (routeName !== null && outcome.status === 'success') {
          const latency = gateway.stream ? (outcome.ttftMs === null ? null : outcome.ttftMs - (sentAt - arrived)) : performance.now() - sentAt;
          if (latency !== null) deps.registry.routes.observe(route.target.name, route.model, gateway.stream, latency);
        }
        remember(outcome);
        record(outcome);
        return;
      }
    }
    const allOpen = failures.length > 0 && failures.every((failure) => failure.endsWith('circuit open'));
    sendError(reply, format, new GatewayError(allOpen ? 503 : 502, 'upstream_error', allOpen ? 'provider_unavailable' : 'all_providers_failed', `no provider answered for '${gateway.model}': ${failures.join('; ') || 'none available'}`));
  } finally {
    reservation.release();
  }
}
