// Relays the answer that will reach the client (streamed or whole) through the provider's
// adapter while filling in what it revealed: usage, finish reason, first token, tool calls,
// errors; and tells the provider's health how it went.
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { CallPlan, ProviderAdapter, StreamObservations, StreamStep, StreamTerminal } from '../providers/kit/adapter.js';
import { upstreamError, type UpstreamError } from '../providers/kit/errors.js';
import { errorEvent, type ClientFormat } from './client-format.js';
import type { GatewayOutcome } from './build-gateway-call.js';
import { fromUpstreamError } from './gateway-errors.js';

/**
 * Where a gateway answer goes: the parts of Fastify's reply the gateway uses. A client's HTTP
 * request passes its reply; a replay collects the answer in memory and is never streamed.
 */
export interface GatewayReply {
  code(status: number): GatewayReply;
  header(name: string, value: string): GatewayReply;
  headers(values: Record<string, string>): GatewayReply;
  type(contentType: string): GatewayReply;
  send(payload: Buffer | string): unknown;
  /** Takes the raw response over, for a stream. */
  hijack(): { raw: ServerResponse };
  /** The client's side of the exchange: 'close' before the answer finished means it went away. */
  raw: { once(event: 'close', listener: () => void): unknown; readonly writableFinished: boolean };
}

/** What an attempt tells its provider's health (a ProviderHealth, or a view of it). */
export interface AttemptReport {
  success(latencyMs: number): void;
  /** `upstreamStatus`: the provider's HTTP status, when it answered with one. */
  failure(retryAfterMs?: number, upstreamStatus?: number): void;
  abandon(): void;
}

export interface Delivery {
  upstream: Dispatcher.ResponseData;
  /** The upstream body when it was already read (an error answer weighed for a retry). */
  bodyRead?: Buffer;
  reply: GatewayReply;
  /** The API the client speaks: the shape of Loupe's own errors. */
  format: ClientFormat;
  outcome: GatewayOutcome;
  health: AttemptReport;
  adapter: ProviderAdapter;
  plan: CallPlan;
  arrived: number;
  sentAt: number;
  abort: AbortController;
  /** Set when the answer cache wants this answer: a stream's bytes, as the client got them, are kept up to this many. */
  keepForCache?: number;
}

function loupeHeaders(delivery: Delivery): Record<string, string> {
  // Overhead: time spent in Loupe before the upstream request went out.
  return { 'x-loupe-call-id': delivery.outcome.id, 'x-loupe-overhead-ms': (delivery.sentAt - delivery.arrived).toFixed(3) };
}

/** Bytes as a Buffer for Fastify, sharing memory (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The error_type recorded for an upstream answer that was not a usable success. */
function recordedErrorType(error: UpstreamError, httpStatus: number | null): string {
  if (httpStatus !== null && httpStatus !== 200 && error.upstreamStatus === httpStatus) return httpStatus === 429 ? 'rate_limit' : `http_${httpStatus}`;
  if (error.code === 'stream_truncated') return 'stream_incomplete';
  if (error.kind === 'invalid_response') return error.code === 'invalid_stream' ? 'invalid_stream' : 'invalid_upstream_response';
  return error.code;
}

/** The client gets the upstream's own bytes: it speaks the upstream's API (OpenAI's to OpenAI, Anthropic's Messages to Anthropic). */
function relaysBytes(delivery: Delivery): boolean {
  return delivery.plan.relaysUpstream ?? delivery.adapter.passesThrough;
}

/** A whole answer is relayed when no stream was asked for, or the upstream sent an error page or object instead. */
function isWholeAnswer(delivery: Delivery): boolean {
  if (!delivery.plan.stream || delivery.upstream.statusCode < 200 || delivery.upstream.statusCode > 299) return true;
  const contentType = String(delivery.upstream.headers['content-type'] ?? '');
  return contentType.includes('text/html') || contentType.includes('application/json');
}

export async function deliverResponse(delivery: Delivery): Promise<void> {
  return isWholeAnswer(delivery) ? relayWhole(delivery) : relayStream(delivery);
}

async function relayWhole(delivery: Delivery): Promise<void> {
  const { upstream, reply, outcome, health, adapter, plan } = delivery;
  const status = upstream.statusCode;
  outcome.httpStatus = status;
  const raw = delivery.bodyRead ?? Buffer.from(await upstream.body.arrayBuffer());
  const latency = performance.now() - delivery.arrived;
  const contentType = String(upstream.headers['content-type'] ?? '');
  const ok = status >= 200 && status <= 299;
  if (!ok) {
    const error = adapter.mapError(status, raw, upstream.headers);
    // The provider answered: a caller mistake (4xx) says nothing against its health.
    if (error.isProviderFailure) health.failure(error.retryAfterMs ?? undefined, status);
    else health.success(latency);
    Object.assign(outcome, { status: 'error', errorType: recordedErrorType(error, status), errorMessage: error.message });
    const retryAfter = upstream.headers['retry-after'];
    if (retryAfter) void reply.header('retry-after', String(retryAfter));
    void reply.headers(loupeHeaders(delivery));
    // An upstream's own error (status and body) in the client's format is already what its SDK reads.
    if (relaysBytes(delivery) && contentType.includes('json')) return void reply.code(status).type(contentType).send(raw);
    const failure = fromUpstreamError(error, relaysBytes(delivery) ? status : error.status);
    return void reply.code(failure.status).type('application/json').send(failure.body(delivery.format));
  }
  const result = adapter.fromUpstream(status, raw, plan);
  if (!result.ok) {
    health.failure();
    const error = result.error;
    const invalid = error.kind === 'invalid_response';
    Object.assign(outcome, { status: 'error', httpStatus: 502, errorType: recordedErrorType(error, status), errorMessage: `${error.message} (${contentType || 'no content type'})` });
    const failure = fromUpstreamError(invalid ? upstreamError('invalid_response', { message: `provider '${outcome.provider}' answered with a body that is not a usable answer: ${error.message}`, code: 'invalid_upstream_response' }) : error, 502);
    return void reply.code(502).headers(loupeHeaders(delivery)).type('application/json').send(failure.body(delivery.format));
  }
  health.success(latency);
  const answer = result.value;
  const body = asBuffer(answer.openaiBody);
  const sentType = relaysBytes(delivery) && contentType ? contentType : 'application/json';
  Object.assign(outcome, {
    usage: answer.usage, usageComplete: answer.usage !== null, generationNs: answer.timings?.generationNs ?? null, responseModel: answer.responseModel,
    finishReason: answer.finishReason, toolCalls: answer.toolCallsCount, output: answer.output, completionText: answer.completionText,
    answerBody: { bytes: body, contentType: sentType },
  });
  return void reply.code(status).headers(loupeHeaders(delivery)).type(sentType).send(body);
}

async function relayStream(delivery: Delivery): Promise<void> {
  const { upstream, reply, outcome, health, abort } = delivery;
  const transform = delivery.adapter.createStreamTransform(delivery.plan);
  const response = reply.hijack().raw;
  // The headers leave with the first forwarded bytes, and the last bytes with the end of the
  // response: each separate write is a system call that the first byte (or the client's
  // next request) waits behind. A stream that arrives in one read leaves in two writes: its
  // first event, then the rest.
  response.writeHead(200, {
    'content-type': STREAM_TYPE, 'cache-control': 'no-cache', connection: 'keep-alive', ...loupeHeaders(delivery),
    ...(delivery.keepForCache === undefined ? {} : { 'x-loupe-cache': 'MISS' }),
  });
  outcome.httpStatus = upstream.statusCode;
  const kept = delivery.keepForCache === undefined ? null : new KeptBytes(delivery.keepForCache);
  let firstTokenAt: number | null = null;
  let terminal: StreamTerminal | null = null;
  // Assigned inside take(); typed wide so that the checks after the loop are not narrowed away.
  let last = null as Uint8Array | null;
  const take = (step: StreamStep): StreamTerminal | null => {
    if (step.firstToken && firstTokenAt === null) firstTokenAt = performance.now();
    if (step.terminal !== null) last = step.forward;
    else if (step.forward.length > 0) {
      response.write(step.forward);
      kept?.add(step.forward);
    }
    return step.terminal;
  };
  let ended = false;
  const endResponse = (end: StreamTerminal | null): void => {
    ended = true;
    if (abort.signal.aborted) outcome.status = 'cancelled';
    else if (end?.kind === 'error') {
      Object.assign(outcome, { status: 'error', errorType: recordedErrorType(end.error, null), errorMessage: end.error.message });
      if (last !== null && last.length > 0) response.write(last);
      last = errorEvent(delivery.format, end.error);
    }
    if (last !== null && last.length > 0) response.end(last);
    else response.end();
    if (last !== null) kept?.add(last);
  };
  let firstRead = true;
  try {
    for await (const chunk of upstream.body) {
      const bytes = chunk as Uint8Array;
      // An upstream that sends its events in a burst delivers them in one read: the first
      // event goes out before the rest is parsed (a read can be cut anywhere; the transform
      // frames across reads).
      const cut = firstRead ? firstEventEnd(bytes) : -1;
      firstRead = false;
      if (cut > 0) {
        terminal = take(transform.push(bytes.subarray(0, cut)));
        // Node keeps a response's first write corked until the next tick, i.e. until the rest
        // of this read is parsed: let it go now.
        response.uncork();
      }
      if (terminal === null) terminal = take(transform.push(cut > 0 ? bytes.subarray(cut) : bytes));
      if (terminal !== null) {
        // Leaving the loop destroys the upstream body (nothing more is read after an end
        // state), which costs an error with its stack trace: the client's bytes leave first.
        endResponse(terminal);
        break;
      }
    }
    terminal ??= take(transform.end());
  } catch (error) {
    terminal = abort.signal.aborted ? null : { kind: 'error', error: upstreamError('connection', { message: `upstream stream broke: ${(error as Error).message}`, code: 'stream_interrupted' }) };
  }
  if (!ended) endResponse(terminal);
  if (outcome.status === 'success') health.success(performance.now() - delivery.arrived);
  else if (outcome.status === 'cancelled') health.abandon();
  else health.failure();
  observe(outcome, transform.observations, firstTokenAt === null ? null : firstTokenAt - delivery.arrived);
  const answer = outcome.status === 'success' ? kept?.bytes() : null;
  if (answer) outcome.answerBody = { bytes: answer, contentType: STREAM_TYPE };
}

const STREAM_TYPE = 'text/event-stream; charset=utf-8';

/** Copies of what a stream sent, given up past a size (the cache would refuse it). */
class KeptBytes {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private overflowed = false;

  constructor(private readonly limit: number) {}

  add(bytes: Uint8Array): void {
    if (this.overflowed) return;
    this.size += bytes.length;
    if (this.size > this.limit) {
      this.overflowed = true;
      this.parts.length = 0;
      return;
    }
    // A copy: the upstream's buffers are not ours to keep.
    this.parts.push(Buffer.from(bytes));
  }

  bytes(): Buffer | null {
    return this.overflowed ? null : Buffer.concat(this.parts);
  }
}

const LF = 0x0a;

/** Where the first SSE event of a read ends (after its blank line), when more follows it; else -1. */
function firstEventEnd(bytes: Uint8Array): number {
  for (let at = bytes.indexOf(LF); at !== -1 && at + 2 < bytes.length; at = bytes.indexOf(LF, at + 1)) {
    if (bytes[at + 1] === LF) return at + 2;
  }
  return -1;
}

function observe(outcome: GatewayOutcome, seen: StreamObservations, ttftMs: number | null): void {
  Object.assign(outcome, {
    ttftMs, usage: seen.usage, usageComplete: seen.usageComplete, generationNs: seen.timings?.generationNs ?? null, finishReason: seen.finishReason,
    responseModel: seen.responseModel, toolCalls: seen.toolCallsCount, completionText: seen.completionText,
    output: { role: 'assistant', content: seen.content, ...(seen.reasoning ? { reasoning_content: seen.reasoning } : {}), ...(seen.toolCalls.length > 0 ? { tool_calls: seen.toolCalls } : {}) },
  });
}
