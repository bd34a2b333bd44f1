// Adapters over real HTTP against the fake upstream: what each sends (method, path, headers,
// body bytes) as the upstream records it, and what each makes of a replayed fixture read from
// the socket, a 429 with Retry-After, an HTML page with 200, and a connection dropped mid-stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderAdapter, StreamTransform, UpstreamRequest } from '../src/providers/kit/adapter.js';
import { joinUpstreamUrl } from '../src/providers/kit/join-url.js';
import { errorFromTransportFailure } from '../src/providers/kit/transport-error.js';
import { createAdapter, type ProviderType } from '../src/providers/provider-types.js';
import { fixture, replay, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream.close();
});

const CONTEXT = { apiKey: 'secret-key', nowMs: 1_750_000_000_000, callId: 'chatcmpl-fixed' };

function baseUrlFor(type: ProviderType): string {
  return type === 'ollama' ? upstream.origin : upstream.baseUrl;
}

function prepare(adapter: ProviderAdapter, body: Record<string, unknown>): UpstreamRequest {
  const prepared = adapter.toUpstream({ endpoint: 'chat', body }, { model: 'm-1', ...CONTEXT });
  if (!prepared.ok) throw prepared.error;
  return prepared.value;
}

async function send(type: ProviderType, request: UpstreamRequest): Promise<Response> {
  return fetch(joinUpstreamUrl(baseUrlFor(type), request.path), { method: request.method, headers: request.headers, body: request.body ?? undefined });
}

async function pump(response: Response, transform: StreamTransform): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  let forwarded = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    forwarded += Buffer.from(transform.push(value).forward).toString('utf8');
  }
  return forwarded + Buffer.from(transform.end().forward).toString('utf8');
}

const CASES = [
  { type: 'openai', fixture: 'openai/chat-stream.chunks.txt', path: '/v1/chat/completions', auth: ['authorization', 'Bearer secret-key'], content: 'Hello! How can I help you today?', output: 10 },
  { type: 'anthropic', fixture: 'anthropic/stream-cache.sse', path: '/v1/messages', auth: ['x-api-key', 'secret-key'], content: 'Hello!', output: 15 },
  { type: 'ollama', fixture: 'ollama/chat-stream.ndjson', path: '/api/chat', auth: ['authorization', 'Bearer secret-key'], content: 'The sky is blue.', output: 282 },
] as const;

describe.each(CASES)('$type over HTTP', (testCase) => {
  it('sends its request and reads the replayed stream from the socket', async () => {
    const adapter = createAdapter(testCase.type);
    const request = prepare(adapter, { model: 'm-1', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    upstream.respondWith(replay(testCase.fixture));
    const before = upstream.requests.length;
    const response = await send(testCase.type, request);
    const transform = adapter.createStreamTransform(request.plan);
    const forwarded = await pump(response, transform);
    const recorded = upstream.requests[before];
    expect(recorded?.method).toBe('POST');
    expect(recorded?.path).toBe(testCase.path);
    expect(recorded?.headers[testCase.auth[0]]).toBe(testCase.auth[1]);
    expect(recorded?.body).toBe(Buffer.from(request.body ?? new Uint8Array()).toString('utf8'));
    expect(recorded?.json()).toMatchObject({ model: 'm-1', stream: true });
    const observations = transform.observations;
    expect(observations.terminal).toEqual({ kind: 'done' });
    expect(observations.content).toBe(testCase.content);
    expect(observations.usage?.output.total).toBe(testCase.output);
    expect(forwarded).toContain('data: [DONE]');
  });
});

describe('upstream failures over HTTP', () => {
  const adapter = createAdapter('openai');

  it('reads Retry-After from a 429, then succeeds on the next queued answer', async () => {
    const request = prepare(adapter, { model: 'm-1', messages: [{ role: 'user', content: 'Hi' }] });
    upstream.enqueue(statusAnswer(429, fixture('openai/error-429.json'), { 'retry-after': '3' }), statusAnswer(200, fixture('openai/chat.json')));
    const limited = await send('openai', request);
    const error = adapter.mapError(limited.status, new Uint8Array(await limited.arrayBuffer()), Object.fromEntries(limited.headers));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000, isRetryable: true, code: 'rate_limit_exceeded' });
    const retried = await send('openai', request);
    const result = adapter.fromUpstream(retried.status, new Uint8Array(await retried.arrayBuffer()), request.plan);
    expect(result.ok ? result.value.usage?.input.total : null).toBe(1000);
  });

  it('fails a streaming call answered by an HTML page with 200', async () => {
    const request = prepare(adapter, { model: 'm-1', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    upstream.respondWith(statusAnswer(200, fixture('openai/html-200.txt')));
    const response = await send('openai', request);
    expect(response.headers.get('content-type')).toBe('text/html');
    const transform = adapter.createStreamTransform(request.plan);
    expect(await pump(response, transform)).toBe('');
    const terminal = transform.observations.terminal;
    expect(terminal?.kind === 'error' ? [terminal.error.kind, terminal.error.status] : null).toEqual(['invalid_response', 502]);
  });

  it('keeps what arrived before the upstream dropped the connection', async () => {
    const request = prepare(adapter, { model: 'm-1', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    upstream.respondWith(replay('openai/chat-stream.chunks.txt', { dropAfter: 3 }));
    const response = await send('openai', request);
    const transform = adapter.createStreamTransform(request.plan);
    const failure = await pump(response, transform).then(() => null, (error: unknown) => error);
    expect(failure).not.toBeNull();
    expect(errorFromTransportFailure(failure).kind).toBe('connection');
    expect(transform.observations.content).toBe('Hello! How can I help');
    expect(transform.observations.terminal).toBeNull();
    expect(await upstream.lastStreamClosedEarly()).toBe(true);
  });
});
