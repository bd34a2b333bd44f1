// observeAnthropic: the official `@anthropic-ai/sdk` client, wrapped, talks to a fake Anthropic
// server replaying recorded Messages API answers and events while a LoupeClient sends each call
// to a real Loupe over HTTP. Checked: what the caller gets is untouched, and what is recorded
// (tokens by Anthropic's rule, cost from published prices, time to first token, the answer in
// OpenAI's message shape, tool calls, errors that used nothing).
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoupeClient, observeAnthropic } from '../src/sdk/index.js';
import { fixture, sseWireFixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
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

async function lastCall(tag: string): Promise<Record<string, unknown>> {
  const page = await server.request('GET', `/api/v1/logs?tag=${tag}&limit=1&sort=started_at&order=desc`);
  const [row] = (page.json() as { data: { id: string }[] }).data;
  return (await server.request('GET', `/api/v1/logs/${row!.id}`)).json() as Record<string, unknown>;
}

// claude-sonnet-4: $3 per million input tokens, $0.30 cache reads, $3.75 cache writes, $15 output.
const sonnetCost = (input: number, cacheRead: number, cacheWrite: number, output: number) => input * 3e-6 + cacheRead * 0.3e-6 + cacheWrite * 3.75e-6 + output * 15e-6;

describe('observeAnthropic', () => {
  let loupe: LoupeClient;
  let anthropic: Anthropic;
  const tag = 'sdk-anthropic';

  beforeEach(() => {
    loupe = new LoupeClient({ baseUrl: loupeUrl, apiKey: ADMIN_KEY });
    anthropic = observeAnthropic(new Anthropic({ baseURL: upstream.baseUrl, apiKey: 'sk-ant-test', maxRetries: 0 }), loupe, { agent: 'writer', tags: [tag] });
  });

  it('records a message with its cache counts once each, the price, the system prompt and the answer', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content[0]).toEqual({ type: 'text', text: 'Hello!' });
    await loupe.shutdown();
    const call = await lastCall(tag);
    // anthropic/message.json: 12 input, 3,000 cache read, 500 cache write, 6 output.
    expect(call).toMatchObject({
      provider: 'anthropic', model: 'claude-sonnet-4-20250514', endpoint: '/v1/messages', status: 'success', is_streaming: false, agent: 'writer',
      prompt_tokens: 3512, cached_tokens: 3000, cache_write_tokens: 500, completion_tokens: 6, usage_source: 'provider', finish_reason: 'stop',
      params: { max_tokens: 100 }, input: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], output: { role: 'assistant', content: 'Hello!' },
    });
    expect(call.cost_usd).toBeCloseTo(sonnetCost(12, 3000, 500, 6), 12);
  });

  it('records a stream from its events, the output count of the last message_delta, and leaves the events to the caller', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-cache.sse') });
    const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Hello!');
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    await loupe.shutdown();
    const call = await lastCall(tag);
    // stream-cache.sse: message_start 25 input, 2,000 cache read, 100 cache write; message_delta 15 output.
    expect(call).toMatchObject({
      is_streaming: true, status: 'success', prompt_tokens: 2125, cached_tokens: 2000, cache_write_tokens: 100, completion_tokens: 15, usage_source: 'provider',
      finish_reason: 'stop', output: { role: 'assistant', content: 'Hello!' },
    });
    expect(call.cost_usd).toBeCloseTo(sonnetCost(25, 2000, 100, 15), 12);
    expect(call.ttft_ms).toBeGreaterThan(0);
    expect(call.ttft_ms as number).toBeLessThanOrEqual(call.latency_ms as number);
  });

  it("records what the client's own messages.stream() helper and withResponse() read", async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-cache.sse') });
    const final = await anthropic.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'Hi again' }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello!' });
    await loupe.flush();
    expect(await lastCall(tag)).toMatchObject({ is_streaming: true, status: 'success', prompt_tokens: 2125, completion_tokens: 15, input: [{ role: 'user', content: 'Hi again' }] });

    upstream.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    const { data, response } = await anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'With response' }] }).withResponse();
    expect([response.status, data.content[0]]).toEqual([200, { type: 'text', text: 'Hello!' }]);
    await loupe.shutdown();
    expect(await lastCall(tag)).toMatchObject({ is_streaming: false, status: 'success', prompt_tokens: 3512, input: [{ role: 'user', content: 'With response' }] });
  });

  it('puts a streamed tool call back together in OpenAI\'s shape', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-tool-use.sse') });
    const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user', content: 'Weather?' }], stream: true });
    for await (const _event of stream) { /* the caller reads it all */ }
    await loupe.shutdown();
    const call = await lastCall(tag);
    // stream-tool-use.sse: a text block, then get_weather with its input in three JSON pieces; 472 in, 89 out.
    expect(call).toMatchObject({
      tool_calls_count: 1, finish_reason: 'tool_calls', prompt_tokens: 472, completion_tokens: 89,
      output: {
        role: 'assistant', content: "Okay, let's check the weather.",
        tool_calls: [{ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"location": "San Francisco, CA"}' } }],
      },
    });
  });

  it('records an error as the caller sees it, with no tokens and no cost, and still throws it', async () => {
    upstream.enqueue(statusAnswer(400, '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be positive"}}'));
    await expect(anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 0, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toThrow(/max_tokens/);
    await loupe.shutdown();
    const call = await lastCall(tag);
    expect(call).toMatchObject({ status: 'error', http_status: 400, error_type: 'BadRequestError', prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });
  });
});
