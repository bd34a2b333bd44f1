// Relays the answer that will reach the client (streamed or whole) while filling in what it
// revealed: usage, finish reason, first token, tool calls, errors; and tells the provider's
// health how it went.
import type { FastifyReply } from 'fastify';
import type { Dispatcher } from 'undici';
import type { ProviderHealth } from '../provider-registry/provider-health.js';
import type { GatewayOutcome } from './build-gateway-call.js';
import { concatBytes } from '../providers/kit/bytes.js';
import { createChatStreamTap, type OpenAiUsage } from './chat-stream-tap.js';
import { GatewayError, sseErrorEvent } from './gateway-errors.js';
import { retryableStatus, retryAfterMs } from './send-attempt.js';
import type { UpstreamDialect } from './upstream-dialect.js';

export interface Delivery {
  upstream: Dispatcher.ResponseData;
  reply: FastifyReply;
  outcome: GatewayOutcome;
  health: ProviderHealth;
  dialect: UpstreamDialect;
  stripUsage: boolean;
  streaming: boolean;
  arrived: number;
  sentAt: number;
  abort: AbortController;
}

interface JsonAnswer {
  usage?: OpenAiUsage;
  model?: string;
  choices?: { finish_reason?: string | null; message?: { tool_calls?: unknown[]; content?: unknown }; text?: string }[];
}

function loupeHeaders(delivery: Delivery): Record<string, string> {
  // Overhead: time spent in Loupe before the upstream request went out.
  return { 'x-loupe-call-id': delivery.outcome.id, 'x-loupe-overhead-ms': (delivery.sentAt - delivery.arrived).toFixed(3) };
}

export async function deliverResponse(delivery: Delivery): Promise<void> {
  const { upstream, reply, outcome, health } = delivery;
  outcome.httpStatus = upstream.statusCode;
  const contentType = String(upstream.headers['content-type'] ?? '');
  const ok = upstream.statusCode >= 200 && upstream.statusCode < 300;
  // Translated providers stream in their own framing (Ollama: NDJSON); others must send SSE.
  if (ok && delivery.streaming && (delivery.dialect.streamTranslator || contentType.includes('text/event-stream'))) return relayStream(delivery);
  const raw = Buffer.from(await upstream.body.arrayBuffer());
  const latency = performance.now() - delivery.arrived;
  if (!ok) {
    const bytes = delivery.dialect.translateError ? delivery.dialect.translateError(raw) : raw;
    // The provider answered: a caller mistake (4xx) says nothing against its health.
    if (retryableStatus(upstream.statusCode)) health.failure(retryAfterMs(upstream.headers['retry-after']) ?? undefined);
    else health.success(latency);
    Object.assign(outcome, { status: 'error', errorType: upstream.statusCode === 429 ? 'rate_limit' : `http_${upstream.statusCode}`, errorMessage: bytes.toString('utf8').slice(0, 2000) });
    const retryAfter = upstream.headers['retry-after'];
    if (retryAfter) void reply.header('retry-after', String(retryAfter));
    return void reply.code(upstream.statusCode).headers(loupeHeaders(delivery)).type(contentType || 'application/json').send(bytes);
  }
  let answer: JsonAnswer;
  let bytes: Buffer = raw;
  try {
    if (delivery.dialect.translateBody) bytes = delivery.dialect.translateBody(raw);
    answer = JSON.parse(bytes.toString('utf8')) as JsonAnswer;
    if (!answer || typeof answer !== 'object') throw new Error('not an object');
  } catch {
    health.failure();
    Object.assign(outcome, { status: 'error', errorType: 'invalid_upstream_response', errorMessage: `upstream answered ${upstream.statusCode} with a body that is not JSON (${contentType || 'no content type'})`, httpStatus: 502 });
    const failure = new GatewayError(502, 'upstream_error', 'invalid_upstream_response', `provider '${outcome.provider}' answered with a body that is not JSON`);
    return void reply.code(502).headers(loupeHeaders(delivery)).type('application/json').send(failure.body());
  }
  health.success(latency);
  const choice = answer.choices?.[0];
  Object.assign(outcome, {
    usage: answer.usage ?? null, responseModel: answer.model ?? null, finishReason: choice?.finish_reason ?? null,
    toolCalls: choice?.message?.tool_calls?.length ?? 0, output: choice?.message ?? (choice?.text !== undefined ? choice.text : null),
    completionText: typeof choice?.message?.content === 'string' ? choice.message.content : (choice?.text ?? ''),
  });
  return void reply.code(upstream.statusCode).headers(loupeHeaders(delivery)).type(contentType || 'application/json').send(bytes);
}

async function relayStream(delivery: Delivery): Promise<void> {
  const { upstream, reply, outcome, health, abort } = delivery;
  const tap = createChatStreamTap(delivery.stripUsage);
  const translator = delivery.dialect.streamTranslator?.();
  const response = reply.hijack().raw;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...loupeHeaders(delivery) });
  // The client learns at once that the stream started, before the first event is parsed.
  response.flushHeaders();
  try {
    for await (const chunk of upstream.body) {
      const openAiBytes = translator ? translator.push(chunk as Uint8Array) : (chunk as Uint8Array);
      const forward = tap.push(openAiBytes, performance.now());
      if (forward.length > 0) response.write(forward);
    }
    const rest = translator ? translator.end() : null;
    const tail = rest && rest.length > 0 ? concatBytes([tap.push(rest, performance.now()), tap.end(performance.now())]) : tap.end(performance.now());
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
  if (outcome.status === 'success') health.success(performance.now() - delivery.arrived);
  else if (outcome.status === 'cancelled') health.breaker.abandon();
  else health.failure();
  Object.assign(outcome, {
    ttftMs: seen.firstTokenAt === null ? null : seen.firstTokenAt - delivery.arrived, usage: seen.usage, finishReason: seen.finishReason,
    responseModel: seen.responseModel, toolCalls: seen.toolCallKeys.size, completionText: seen.text,
    output: { role: 'assistant', content: seen.text },
  });
}
