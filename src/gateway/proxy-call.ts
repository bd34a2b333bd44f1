// One gateway call: validate the body, pick the upstream, forward (bytes untouched unless
// the model prefix or the usage request must change), relay the answer while measuring it,
// and hand the record to the recorder without waiting for it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent, request as upstreamRequest } from 'undici';
import { uuidv7 } from 'uuidv7';
import { BudgetExceededError, type BudgetGuard, type BudgetReservation } from '../budgets/budget-guard.js';
import { worstCaseCost } from '../budgets/worst-case.js';
import type { CostSettings } from '../pricing/cost-settings.js';
import type { Recorder } from '../recorder/recorder.js';
import { attributionFromHeaders } from './attribution.js';
import { buildGatewayCall, type GatewayOutcome } from './build-gateway-call.js';
import { createChatStreamTap, type OpenAiUsage } from './chat-stream-tap.js';
import { GatewayError, invalidRequest, sseErrorEvent } from './gateway-errors.js';
import { resolveRoute, type UpstreamTarget } from './upstream-targets.js';

/** Fields through which a caller could choose the upstream; refused in any form. */
const UPSTREAM_CHOOSING_FIELDS = ['api_base', 'base_url', 'baseURL', 'api_url', 'endpoint_url', 'custom_llm_provider'];

const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });

export interface GatewayDeps {
  targets: readonly UpstreamTarget[];
  recorder: Recorder;
  budgets: BudgetGuard;
  costSettings: CostSettings;
}

export interface ProxyEndpoint {
  /** Path under the provider's /v1 root. */
  path: '/chat/completions' | '/completions' | '/embeddings';
  streamable: boolean;
}

interface Prepared {
  body: Record<string, unknown>;
  target: UpstreamTarget;
  /** The model without a `provider/` prefix: what the upstream serves and what is priced. */
  model: string;
  upstreamBody: Buffer;
  stream: boolean;
  stripUsage: boolean;
}

function prepare(raw: Buffer, targets: readonly UpstreamTarget[], endpoint: ProxyEndpoint): Prepared {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidRequest('the body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  for (const field of UPSTREAM_CHOOSING_FIELDS) {
    if (field in fields) throw invalidRequest(`'${field}' is not accepted: upstreams are configured on the server`, field);
  }
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw invalidRequest("'model' is required", 'model');
  const route = resolveRoute(targets, fields.model);
  if (!route) throw new GatewayError(404, 'invalid_request_error', 'model_not_found', `no configured provider serves the model '${fields.model}'`, 'model');
  const stream = endpoint.streamable && fields.stream === true;
  const options = fields.stream_options as { include_usage?: unknown } | undefined;
  // Usage is only sent in streams on request: ask for it, and hide that chunk from a client
  // that did not. An explicit false is honoured (tokens are then estimated).
  const stripUsage = stream && options?.include_usage === undefined;
  const rewrite = stripUsage || route.model !== fields.model;
  const upstreamBody = rewrite
    ? Buffer.from(JSON.stringify({ ...fields, model: route.model, ...(stripUsage ? { stream_options: { ...options, include_usage: true } } : {}) }))
    : raw;
  return { body: fields, target: route.target, model: route.model, upstreamBody, stream, stripUsage };
}

function headersFor(target: UpstreamTarget): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  return headers;
}

interface JsonAnswer {
  usage?: OpenAiUsage;
  model?: string;
  choices?: { finish_reason?: string | null; message?: { tool_calls?: unknown[]; content?: unknown } ; text?: string }[];
}

export async function proxyCall(request: FastifyRequest, reply: FastifyReply, endpoint: ProxyEndpoint, deps: GatewayDeps, projectId: string, apiKeyId: string): Promise<void> {
  const arrived = performance.now();
  const startedAt = Date.now();
  const id = uuidv7();
  let prepared: Prepared;
  try {
    prepared = prepare(request.body as Buffer, deps.targets, endpoint);
  } catch (error) {
    if (error instanceof GatewayError) return void reply.code(error.status).type('application/json').send(error.body());
    throw error;
  }
  const { target, body } = prepared;
  const outcome: GatewayOutcome = {
    id, projectId, apiKeyId, provider: target.name, model: prepared.model, endpoint: `/v1${endpoint.path}`, streaming: prepared.stream,
    startedAt, latencyMs: 0, ttftMs: null, status: 'success', httpStatus: null, usage: null, finishReason: null, responseModel: null,
    toolCalls: 0, completionText: '', requestBody: body, output: null, attribution: attributionFromHeaders(request.headers, body.user),
  };
  let reservation: BudgetReservation | null = null;
  const finish = () => {
    outcome.latencyMs = performance.now() - arrived;
    // The record carries the real cost into the budgets; then the worst case is given back.
    deps.recorder.record(buildGatewayCall(outcome));
    reservation?.release();
  };
  try {
    const attribution = outcome.attribution;
    const worstCase = () => worstCaseCost({ projectId, provider: target.name, model: prepared.model, body, timeoutMs: target.timeoutMs }, deps.costSettings);
    reservation = await deps.budgets.reserve({ projectId, provider: target.name, model: prepared.model, userId: attribution.user_id ?? null, apiKeyId, tags: attribution.tags ?? [] }, worstCase);
  } catch (error) {
    if (!(error instanceof BudgetExceededError)) throw error;
    Object.assign(outcome, { status: 'error', httpStatus: 429, errorType: 'budget_exceeded', errorMessage: error.message });
    finish();
    const refusal = new GatewayError(429, 'budget_exceeded', 'budget_exceeded', error.message);
    return void reply.code(429).header('x-loupe-call-id', id).type('application/json').send(refusal.body());
  }
  const abort = new AbortController();
  // The response closing before it finished means the client went away: stop the upstream.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const sentAt = performance.now();
  let upstream;
  try {
    upstream = await upstreamRequest(`${target.baseUrl}${endpoint.path}`, {
      method: 'POST', dispatcher: agent, headers: headersFor(target), body: prepared.upstreamBody, signal: abort.signal,
      headersTimeout: target.timeoutMs, bodyTimeout: target.timeoutMs,
    });
  } catch (error) {
    const timedOut = (error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
    Object.assign(outcome, { status: abort.signal.aborted ? 'cancelled' : timedOut ? 'timeout' : 'error', errorType: timedOut ? 'timeout' : 'connection_error', errorMessage: (error as Error).message, httpStatus: abort.signal.aborted ? null : 502 });
    finish();
    if (abort.signal.aborted) return;
    const failure = new GatewayError(timedOut ? 504 : 502, 'upstream_error', timedOut ? 'upstream_timeout' : 'upstream_unreachable', `provider '${target.name}' could not be reached`);
    return void reply.code(failure.status).type('application/json').send(failure.body());
  }
  outcome.httpStatus = upstream.statusCode;
  const overheadHeaders = (now: number) => ({ 'x-loupe-call-id': id, 'x-loupe-overhead-ms': (sentAt - arrived + (performance.now() - now)).toFixed(3) });
  const contentType = String(upstream.headers['content-type'] ?? '');
  if (upstream.statusCode >= 200 && upstream.statusCode < 300 && prepared.stream && contentType.includes('text/event-stream')) {
    await relayStream(upstream.body, reply, prepared.stripUsage, outcome, overheadHeaders, arrived, abort);
    finish();
    return;
  }
  const bytes = Buffer.from(await upstream.body.arrayBuffer());
  const received = performance.now();
  if (upstream.statusCode < 200 || upstream.statusCode >= 300) {
    Object.assign(outcome, { status: 'error', errorType: upstream.statusCode === 429 ? 'rate_limit' : `http_${upstream.statusCode}`, errorMessage: bytes.toString('utf8').slice(0, 2000) });
    finish();
    const retryAfter = upstream.headers['retry-after'];
    if (retryAfter) void reply.header('retry-after', String(retryAfter));
    return void reply.code(upstream.statusCode).headers(overheadHeaders(received)).type(contentType || 'application/json').send(bytes);
  }
  let answer: JsonAnswer;
  try {
    answer = JSON.parse(bytes.toString('utf8')) as JsonAnswer;
    if (!answer || typeof answer !== 'object') throw new Error('not an object');
  } catch {
    Object.assign(outcome, { status: 'error', errorType: 'invalid_upstream_response', errorMessage: `upstream answered ${upstream.statusCode} with a body that is not JSON (${contentType || 'no content type'})`, httpStatus: 502 });
    finish();
    const failure = new GatewayError(502, 'upstream_error', 'invalid_upstream_response', `provider '${target.name}' answered with a body that is not JSON`);
    return void reply.code(502).headers(overheadHeaders(received)).type('application/json').send(failure.body());
  }
  const choice = answer.choices?.[0];
  Object.assign(outcome, {
    usage: answer.usage ?? null, responseModel: answer.model ?? null, finishReason: choice?.finish_reason ?? null,
    toolCalls: choice?.message?.tool_calls?.length ?? 0, output: choice?.message ?? (choice?.text !== undefined ? choice.text : null),
    completionText: typeof choice?.message?.content === 'string' ? choice.message.content : (choice?.text ?? ''),
  });
  finish();
  return void reply.code(upstream.statusCode).headers(overheadHeaders(received)).type(contentType || 'application/json').send(bytes);
}

async function relayStream(
  source: AsyncIterable<Uint8Array>, reply: FastifyReply, stripUsage: boolean, outcome: GatewayOutcome,
  overheadHeaders: (now: number) => Record<string, string>, arrived: number, abort: AbortController,
): Promise<void> {
  const tap = createChatStreamTap(stripUsage);
  const response = reply.hijack().raw;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...overheadHeaders(performance.now()) });
  try {
    for await (const chunk of source) {
      const forward = tap.push(chunk, performance.now());
      if (forward.length > 0) response.write(forward);
    }
    const tail = tap.end(performance.now());
    if (tail.length > 0) response.write(tail);
  } catch (error) {
    if (abort.signal.aborted) outcome.status = 'cancelled';
    else {
      Object.assign(outcome, { status: 'error', errorType: 'stream_interrupted', errorMessage: `upstream stream broke: ${(error as Error).message}` });
      response.write(sseErrorEvent('the upstream stream broke before it finished'));
    }
  }
  const seen = tap.observation;
  if (outcome.status === 'success' && (seen.error || !(seen.sawDone || seen.finishReason))) {
    Object.assign(outcome, { status: 'error', errorType: seen.error ? 'invalid_stream' : 'stream_incomplete', errorMessage: seen.error ?? 'the stream ended without a finish reason or [DONE]' });
    response.write(sseErrorEvent(outcome.errorMessage!));
  }
  response.end();
  Object.assign(outcome, {
    ttftMs: seen.firstTokenAt === null ? null : seen.firstTokenAt - arrived, usage: seen.usage, finishReason: seen.finishReason,
    responseModel: seen.responseModel, toolCalls: seen.toolCallKeys.size, completionText: seen.text,
    output: { role: 'assistant', content: seen.text },
  });
}
