// The recording SDK: the official `openai` client, wrapped by observeOpenAI, talks to a fake
// OpenAI server replaying recorded fixtures while a LoupeClient sends each call to a real Loupe
// server over HTTP. Checked: what the caller sees is what the provider sent (less the usage
// chunk the SDK asked for), what is recorded (tokens, cost from published prices, time to first
// token, content, tool calls, errors), and the client's delivery: batches, retries that never
// store a call twice, refusals reported, a bounded queue.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoupeClient, LoupeRecordError, observeOpenAI } from '../src/sdk/index.js';
import { fixture, replay, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

let server: TestServer;
let loupeUrl: string;
let upstream: FakeUpstream;

beforeAll(async () => {
  server = await startTestServer();
  loupeUrl = await listenOnLoopback(server);
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream?.close();
  await server?.close();
});

async function callsTagged(tag: string): Promise<Record<string, unknown>[]> {
  const page = await server.request('GET', `/api/v1/logs?tag=${tag}&limit=100&sort=started_at&order=asc`);
  const ids = (page.json() as { data: { id: string }[] }).data.map((row) => row.id);
  return Promise.all(ids.map(async (id) => (await server.request('GET', `/api/v1/logs/${id}`)).json() as Record<string, unknown>));
}

/** The data lines of an SSE fixture as JSON. */
const fixtureChunks = (path: string) => fixture(path).split('\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);

describe('observeOpenAI', () => {
  let errors: LoupeRecordError[];
  let loupe: LoupeClient;
  let openai: OpenAI;
  const tag = 'sdk-openai';

  beforeEach(() => {
    errors = [];
    loupe = new LoupeClient({ baseUrl: loupeUrl, apiKey: ADMIN_KEY, onError: (error) => errors.push(error) });
    openai = observeOpenAI(new OpenAI({ baseURL: upstream.baseUrl, apiKey: 'sk-test', maxRetries: 0 }), loupe, { session_id: 'sdk-session', agent: 'writer', tags: [tag] });
  });

  it('records a chat completion with its usage, price, content and attribution', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const messages = [{ role: 'user' as const, content: 'What is in this image?' }];
    const answer = await openai.chat.completions.create({ model: 'gpt-4o', messages, temperature: 0.3 });
    expect(answer.choices[0]!.message.content).toBe('The image shows a wooden boardwalk path running through a lush green field or meadow.');
    await loupe.shutdown();
    expect(errors).toEqual([]);
    const [call] = await callsTagged(tag);
    expect(call).toMatchObject({
      provider: 'openai', model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06', endpoint: '/v1/chat/completions', status: 'success', is_streaming: false,
      prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 400, reasoning_tokens: 50, usage_source: 'provider', finish_reason: 'stop',
      session_id: 'sdk-session', agent: 'writer', params: { temperature: 0.3 }, input: messages,
      output: { role: 'assistant', content: 'The image shows a wooden boardwalk path running through a lush green field or meadow.' },
    });
    // gpt-4o: $2.50 per million input tokens, $1.25 cached, $10 output.
    expect(call!.cost_usd).toBeCloseTo(600 * 2.5e-6 + 400 * 1.25e-6 + 200 * 10e-6, 12);
    expect(call!.latency_ms).toBeGreaterThan(0);
  });

  it('records reasoning a server reports beside the completion count as part of the output, once', async () => {
    const answer = { ...(JSON.parse(fixture('openai/chat.json')) as object), usage: { prompt_tokens: 20, completion_tokens: 151, total_tokens: 553, completion_tokens_details: { reasoning_tokens: 382 } } };
    upstream.respondWith({ kind: 'json', body: JSON.stringify(answer) });
    const beside = observeOpenAI(new OpenAI({ baseURL: upstream.baseUrl, apiKey: 'sk-test', maxRetries: 0 }), loupe, { tags: ['sdk-reasoning-beside'] });
    await beside.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'What is 15% of 240?' }] });
    await loupe.shutdown();
    const [call] = await callsTagged('sdk-reasoning-beside');
    expect(call).toMatchObject({ prompt_tokens: 20, completion_tokens: 533, reasoning_tokens: 382, total_tokens: 553 });
  });

  it("names Gemini's OpenAI-compatible endpoint as provider gemini, priced as Google's model", async () => {
    const GOOGLE = 'https://generativelanguage.googleapis.com/v1beta/openai';
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json').replace('"gpt-4o-2024-08-06"', '"gemini-2.5-flash"') });
    // The client is pointed at Google's address; its requests are carried to the local fake upstream.
    const local: typeof fetch = (url, init) => fetch(String(url).replace(GOOGLE, upstream.baseUrl), init);
    const client = observeOpenAI(new OpenAI({ baseURL: `${GOOGLE}/`, apiKey: 'gemini-key', maxRetries: 0, fetch: local }), loupe, { tags: ['sdk-gemini-compat'] });
    await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] });
    await loupe.shutdown();
    const [call] = await callsTagged('sdk-gemini-compat');
    expect(call).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash', prompt_tokens: 1000, cached_tokens: 400, completion_tokens: 200 });
    // gemini-2.5-flash: $0.30 per million input tokens, $0.03 cached, $2.50 output.
    expect(call!.cost_usd).toBeCloseTo((600 * 0.3 + 400 * 0.03 + 200 * 2.5) / 1e6, 12);
  });

  it('asks a stream for its usage, hides that chunk from a caller who did not ask, and records the stream', async () => {
    upstream.respondWith(replay('openai/chat-stream.chunks.txt', { delayMs: 20 }));
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const seen: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) seen.push(chunk);
    const sent = upstream.requests.at(-1)!.json() as Record<string, unknown>;
    expect(sent.stream_options).toEqual({ include_usage: true });
    const expected = fixtureChunks('openai/chat-stream.chunks.txt');
    expect(seen).toEqual(expected.filter((chunk) => (chunk.choices as unknown[]).length > 0));
    await loupe.shutdown();
    const [call] = (await callsTagged(tag)).slice(-1);
    const usage = expected.at(-1)!.usage as { prompt_tokens: number; completion_tokens: number };
    expect(call).toMatchObject({
      is_streaming: true, status: 'success', prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, usage_source: 'provider', finish_reason: 'stop',
      output: { role: 'assistant', content: expected.map((chunk) => ((chunk.choices as { delta?: { content?: string } }[])[0]?.delta?.content ?? '')).join('') },
    });
    // Five chunks 20 ms apart: the first came at least one delay in, the whole at least four more.
    expect(call!.ttft_ms as number).toBeGreaterThan(0);
    expect((call!.latency_ms as number) - (call!.ttft_ms as number)).toBeGreaterThanOrEqual(60);
    expect(call!.cost_usd).toBeCloseTo(usage.prompt_tokens * 0.15e-6 + usage.completion_tokens * 0.6e-6, 12);
  });

  it('passes the usage chunk on to a caller who asked for it', async () => {
    upstream.respondWith(replay('openai/chat-stream.chunks.txt'));
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    const seen: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toEqual(fixtureChunks('openai/chat-stream.chunks.txt'));
    await loupe.shutdown();
  });

  it('puts a streamed tool call back together', async () => {
    upstream.respondWith(replay('openai/chat-stream-tools.chunks.txt'));
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Weather in Paris?' }], stream: true, tools });
    for await (const chunk of stream) void chunk;
    await loupe.shutdown();
    const deltas = fixtureChunks('openai/chat-stream-tools.chunks.txt').flatMap((chunk) => ((chunk.choices as { delta?: { tool_calls?: { function?: { arguments?: string; name?: string } }[] } }[])[0]?.delta?.tool_calls ?? []));
    const [call] = (await callsTagged(tag)).slice(-1);
    expect(call).toMatchObject({
      tool_calls_count: 1, finish_reason: 'tool_calls', params: { tools },
      output: { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: deltas.map((delta) => delta.function?.arguments ?? '').join('') } }] },
    });
    expect(JSON.parse((call!.output as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!.function.arguments)).toEqual({ location: 'Paris' });
  });

  it('records a provider error as the caller sees it, and still throws it', async () => {
    upstream.enqueue(statusAnswer(429, fixture('openai/error-429.json'), { 'retry-after': '1' }));
    await expect(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: 429 });
    await loupe.shutdown();
    const [call] = (await callsTagged(tag)).slice(-1);
    // An answer never given used nothing: no tokens, no cost (as the gateway records it).
    expect(call).toMatchObject({ status: 'error', http_status: 429, error_type: 'RateLimitError', model: 'gpt-4o', prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });
    expect(call!.error_message).toContain('Rate limit');
  });

  it('takes the attribution that changes per request (a trace and its parent) when each call starts', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const request = new AsyncLocalStorage<{ trace: string; parent?: string }>();
    const traced = observeOpenAI(new OpenAI({ baseURL: upstream.baseUrl, apiKey: 'sk-test', maxRetries: 0 }), loupe, {
      agent: 'writer', tags: ['sdk-traced'],
      perCall: () => {
        const current = request.getStore();
        return current ? { trace_id: current.trace, ...(current.parent ? { parent_id: current.parent } : {}), agent: 'router' } : undefined;
      },
    });
    const ask = () => traced.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    await Promise.all([request.run({ trace: 'sdk-trace-1' }, ask), request.run({ trace: 'sdk-trace-2', parent: 'plan-call' }, ask), ask()]);
    await loupe.shutdown();
    const calls = await callsTagged('sdk-traced');
    expect(calls.map((call) => [call.trace_id, call.parent_id, call.agent]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      [null, null, 'writer'], ['sdk-trace-1', null, 'router'], ['sdk-trace-2', 'plan-call', 'router'],
    ]);
  });

  it("keeps the client's own promise: withResponse() gives the response and the call is recorded", async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'with response' }] }).withResponse();
    expect([response.status, data.choices[0]!.finish_reason]).toEqual([200, 'stop']);
    await loupe.shutdown();
    const [call] = (await callsTagged(tag)).slice(-1);
    expect(call).toMatchObject({ status: 'success', prompt_tokens: 1000, completion_tokens: 200, input: [{ role: 'user', content: 'with response' }] });
  });

  it('records embeddings', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/embeddings.json') });
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    await loupe.shutdown();
    const [call] = (await callsTagged(tag)).slice(-1);
    expect(call).toMatchObject({ endpoint: '/v1/embeddings', model: 'text-embedding-3-small', prompt_tokens: 8, completion_tokens: 0, input: 'hello world' });
    expect(call!.cost_usd).toBeCloseTo(8 * 0.02e-6, 14);
  });

  // gpt-4o: $2.50 per million input tokens, $1.25 cached, $10 output.
  const gpt4oCost = (input: number, cached: number, output: number) => ((input - cached) * 2.5 + cached * 1.25 + output * 10) / 1e6;

  it('records a Responses API call with its usage, price, instructions and answer', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/responses.json') });
    const answer = await openai.responses.create({ model: 'gpt-4o', instructions: 'You are a helpful assistant.', input: 'Hello!', max_output_tokens: 100 });
    expect(answer.output_text).toBe('Hi there! How can I help?');
    await loupe.shutdown();
    expect(errors).toEqual([]);
    const [call] = (await callsTagged(tag)).slice(-1);
    // responses.json: 1,296 input tokens of which 1,152 cached, 12 output.
    expect(call).toMatchObject({
      endpoint: '/v1/responses', model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06', status: 'success', is_streaming: false, finish_reason: 'stop',
      prompt_tokens: 1296, cached_tokens: 1152, completion_tokens: 12, reasoning_tokens: 0, usage_source: 'provider', params: { max_output_tokens: 100 },
      input: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Hello!' }], output: { role: 'assistant', content: 'Hi there! How can I help?' },
    });
    expect(call!.cost_usd).toBeCloseTo(gpt4oCost(1296, 1152, 12), 12);
  });

  it("records a streamed Responses API call from its events, through the client's stream helper too", async () => {
    upstream.respondWith({ kind: 'sse', chunks: fixture('openai/responses-stream.sse').split(/(?<=\n\n)/) });
    const events: string[] = [];
    for await (const event of await openai.responses.create({ model: 'gpt-4o', input: 'Hello!', stream: true })) events.push(event.type);
    expect(events.at(-1)).toBe('response.completed');
    const final = await openai.responses.stream({ model: 'gpt-4o', input: 'Hello again' }).finalResponse();
    expect(final.output_text).toBe('Hi there! How can I help?');
    await loupe.shutdown();
    const calls = (await callsTagged(tag)).slice(-2);
    for (const call of calls) {
      expect(call).toMatchObject({ endpoint: '/v1/responses', status: 'success', is_streaming: true, finish_reason: 'stop', prompt_tokens: 1296, cached_tokens: 1152, completion_tokens: 12, usage_source: 'provider', output: { role: 'assistant', content: 'Hi there! How can I help?' } });
      expect(call.ttft_ms).toEqual(expect.any(Number));
      expect(call.cost_usd).toBeCloseTo(gpt4oCost(1296, 1152, 12), 12);
    }
    expect(calls.map((call) => call.input)).toEqual([[{ role: 'user', content: 'Hello!' }], [{ role: 'user', content: 'Hello again' }]]);
  });

  it('records a Responses API stream that failed as an error, and the caller still sees the failure', async () => {
    upstream.respondWith({ kind: 'sse', chunks: fixture('openai/responses-stream-failed.sse').split(/(?<=\n\n)/) });
    const types: string[] = [];
    for await (const event of await openai.responses.create({ model: 'gpt-4o', input: 'Hello!', stream: true })) types.push(event.type);
    expect(types.at(-1)).toBe('response.failed');
    await loupe.shutdown();
    const [call] = (await callsTagged(tag)).slice(-1);
    expect(call).toMatchObject({ status: 'error', error_type: 'response_failed', error_message: 'The model produced invalid content.', output: { content: 'Hi' }, usage_source: 'estimated' });
  });
});

describe('LoupeClient delivery', () => {
  /** A relay in front of Loupe whose next answers can fail on purpose. */
  let relay: Server;
  let relayUrl: string;
  const plan: ('pass' | '503' | 'lose')[] = [];
  let received = 0;

  beforeAll(async () => {
    relay = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        received++;
        const step = plan.shift() ?? 'pass';
        if (step === '503') {
          response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"code":"overloaded","message":"busy"}}');
          return;
        }
        const forwarded = await fetch(`${loupeUrl}${request.url}`, { method: 'POST', headers: { authorization: String(request.headers.authorization), 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
        const body = await forwarded.text();
        // "lose": Loupe stored the batch, but its answer never reaches the client.
        if (step === 'lose') response.destroy();
        else response.writeHead(forwarded.status, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const address = relay.address();
    relayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => relay.close(() => resolve())));
  beforeEach(() => {
    plan.length = 0;
    received = 0;
  });

  const record = (loupe: LoupeClient, tag: string, count: number) => {
    for (let i = 0; i < count; i++) loupe.record({ provider: 'openai', model: 'gpt-4o-mini', prompt_tokens: 100 + i, completion_tokens: 10, tags: [tag] });
  };

  it('sends full batches at once and the rest on flush', async () => {
    const loupe = new LoupeClient({ baseUrl: relayUrl, apiKey: ADMIN_KEY, maxBatch: 3, flushIntervalMs: 60_000 });
    record(loupe, 'sdk-batches', 7);
    await loupe.flush();
    expect(received).toBe(3);
    const calls = await callsTagged('sdk-batches');
    expect(calls.map((call) => call.prompt_tokens).sort()).toEqual([100, 101, 102, 103, 104, 105, 106]);
    await loupe.shutdown();
  });

  it('retries after a 503 (waiting out Retry-After) and after a lost answer, storing each call once', async () => {
    plan.push('503', 'lose');
    const loupe = new LoupeClient({ baseUrl: relayUrl, apiKey: ADMIN_KEY });
    const started = Date.now();
    record(loupe, 'sdk-retries', 5);
    await loupe.shutdown();
    expect(received).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await callsTagged('sdk-retries')).toHaveLength(5);
  });

  it('reports refused calls by name and stores the others', async () => {
    const errors: LoupeRecordError[] = [];
    const loupe = new LoupeClient({ baseUrl: relayUrl, apiKey: ADMIN_KEY, onError: (error) => errors.push(error) });
    loupe.record({ provider: 'openai', model: 'gpt-4o-mini', prompt_tokens: 1, tags: ['sdk-refused'] });
    loupe.record({ provider: 'openai', model: 'gpt-4o-mini', prompt_tokens: -5, tags: ['sdk-refused'] } as never);
    await loupe.shutdown();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/prompt_tokens/);
    expect(await callsTagged('sdk-refused')).toHaveLength(1);
  });

  it('does not retry a refused key, and bounds its queue', async () => {
    const errors: LoupeRecordError[] = [];
    const loupe = new LoupeClient({ baseUrl: relayUrl, apiKey: 'lp_not_a_key_0123456789abcdef0123', maxQueue: 2, flushIntervalMs: 60_000, onError: (error) => errors.push(error) });
    record(loupe, 'sdk-bad-key', 3);
    expect(loupe.pending).toBe(2);
    expect(errors[0]!.message).toContain('queue full');
    await loupe.shutdown();
    expect(received).toBe(1);
    expect(errors[1]).toMatchObject({ status: 401 });
    expect(errors[1]!.callIds).toHaveLength(2);
    expect(loupe.record({ provider: 'openai', model: 'gpt-4o-mini' })).toBe(false);
  });
});
