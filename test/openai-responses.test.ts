// OpenAI's Responses API at /v1/responses: the official `openai` client pointed at a real Loupe
// over HTTP, Loupe relaying to a fake OpenAI server that replays answers and event streams in
// the documented wire format. Checked: the client gets the upstream's bytes, each call is
// recorded with usage by OpenAI's rule (cached tokens inside input_tokens, reasoning inside
// output_tokens) and priced, tool calls and the finish are read from the events, a failed
// stream reaches the client as one error the SDK raises, and providers that do not serve the
// API are not asked.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseWireFixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, listenOnLoopback, startTestServer, type TestServer } from './helpers/test-server.js';

let openaiUpstream: FakeUpstream;
let mistralUpstream: FakeUpstream;
let server: TestServer;
let client: OpenAI;
let base: string;

beforeAll(async () => {
  [openaiUpstream, mistralUpstream] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  server = await startTestServer({
    providers: [
      { name: 'openai', type: 'openai', base_url: openaiUpstream.baseUrl, api_key: 'sk-openai-provider', models: ['gpt-4o'], max_retries: 0 },
      { name: 'mistral', type: 'mistral', base_url: mistralUpstream.baseUrl, api_key: 'sk-mistral', models: ['mistral-small-latest'], max_retries: 0 },
    ],
  });
  base = await listenOnLoopback(server);
  client = new OpenAI({ apiKey: ADMIN_KEY, baseURL: `${base}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([openaiUpstream?.close(), mistralUpstream?.close()]);
});

async function recorded(id: string | null | undefined): Promise<Record<string, unknown>> {
  await server.recorder.settled();
  const detail = await server.request('GET', `/api/v1/logs/${id}`);
  expect(detail.statusCode, detail.body).toBe(200);
  return detail.json() as Record<string, unknown>;
}

// gpt-4o: $2.50 per million input tokens, $1.25 cached, $10 output.
const gpt4oCost = (input: number, cached: number, output: number) => ((input - cached) * 2.5 + cached * 1.25 + output * 10) / 1e6;

describe('the Responses API', () => {
  it("answers the SDK with the upstream's bytes and records the call by OpenAI's usage rule", async () => {
    openaiUpstream.respondWith({ kind: 'json', body: fixture('openai/responses.json') });
    const { data, response } = await client.responses.create({ model: 'gpt-4o', instructions: 'You are a helpful assistant.', input: 'Hello!' }).withResponse();
    expect(data.output_text).toBe('Hi there! How can I help?');
    expect(JSON.parse(JSON.stringify(data))).toMatchObject(JSON.parse(fixture('openai/responses.json')));
    const sent = openaiUpstream.requests.at(-1)!;
    expect(sent.path).toBe('/v1/responses');
    expect(sent.headers.authorization).toBe('Bearer sk-openai-provider');
    expect(sent.json()).toEqual({ model: 'gpt-4o', instructions: 'You are a helpful assistant.', input: 'Hello!' });

    const call = await recorded(response.headers.get('x-loupe-call-id'));
    // responses.json: 1,296 input tokens of which 1,152 cached, 12 output.
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o', endpoint: '/v1/responses', status: 'success', finish_reason: 'stop', response_model: 'gpt-4o-2024-08-06', is_streaming: false });
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens, call.reasoning_tokens, call.usage_source]).toEqual([1296, 1152, 12, 0, 'provider']);
    expect(call.cost_usd).toBeCloseTo(gpt4oCost(1296, 1152, 12), 12);
    expect(call.input).toEqual([{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Hello!' }]);
    expect(call.output).toEqual({ role: 'assistant', content: 'Hi there! How can I help?' });
  });

  it('relays the event stream byte for byte, with time to first token and the usage of response.completed', async () => {
    const wire = sseWireFixture('openai/responses-stream.sse');
    openaiUpstream.respondWith({ kind: 'sse', chunks: wire });
    const response = await fetch(`${base}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', input: [{ role: 'user', content: 'Hello!' }], stream: true }) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(wire.join(''));
    // No stream_options: the Responses API reports usage unasked.
    expect(openaiUpstream.requests.at(-1)!.json()).toEqual({ model: 'gpt-4o', input: [{ role: 'user', content: 'Hello!' }], stream: true });
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens, call.finish_reason, call.status, call.is_streaming]).toEqual([1296, 1152, 12, 'stop', 'success', true]);
    expect(call.ttft_ms).toEqual(expect.any(Number));
    expect(call.tokens_per_second === null || typeof call.tokens_per_second === 'number').toBe(true);
    expect(call.output).toEqual({ role: 'assistant', content: 'Hi there! How can I help?' });

    // The SDK's stream helper reads the same events into its final response.
    const final = await client.responses.stream({ model: 'gpt-4o', input: 'Hello!' }).finalResponse();
    expect(final.output_text).toBe('Hi there! How can I help?');
    expect(final.usage).toMatchObject({ input_tokens: 1296, output_tokens: 12 });
  });

  it('reads function calls from the events', async () => {
    openaiUpstream.respondWith({ kind: 'sse', chunks: sseWireFixture('openai/responses-stream-tools.sse') });
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'Weather in Paris?', stream: true, tools: [{ type: 'function', name: 'get_current_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } }, strict: false }] }).withResponse();
    const types: string[] = [];
    for await (const event of stream.data) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');
    const call = await recorded(stream.response.headers.get('x-loupe-call-id'));
    expect([call.prompt_tokens, call.completion_tokens, call.tool_calls_count, call.finish_reason]).toEqual([291, 23, 1, 'tool_calls']);
    // As streamed chat calls keep them: each call assembled from its deltas.
    expect(call.output).toEqual({ role: 'assistant', content: '', tool_calls: [{ id: 'call_unLAR8MvFNptuiZK6K6HCy5k', name: 'get_current_weather', arguments: '{"location":"Paris, France"}' }] });
    expect(call.cost_usd).toBeCloseTo(gpt4oCost(291, 0, 23), 12);
  });

  it('ends a failed stream with one error event, which the SDK raises, and records the error', async () => {
    const wire = sseWireFixture('openai/responses-stream-failed.sse');
    openaiUpstream.respondWith({ kind: 'sse', chunks: wire });
    const response = await fetch(`${base}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', input: 'Hello!', stream: true }) });
    const text = await response.text();
    // Everything before response.failed as sent, then Loupe's one error event.
    expect(text.startsWith(wire.slice(0, 4).join(''))).toBe(true);
    const rest = text.slice(wire.slice(0, 4).join('').length);
    expect(rest).not.toContain('response.failed');
    expect(JSON.parse(rest.replace(/^data: /, ''))).toEqual({ error: { message: 'The model produced invalid content.', type: 'server_error', code: 'server_error', param: null } });
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    expect(call).toMatchObject({ status: 'error', is_streaming: true, error_message: 'The model produced invalid content.' });
    expect((call.output as { content: string }).content).toBe('Hi');

    const stream = await client.responses.create({ model: 'gpt-4o', input: 'Hello!', stream: true });
    await expect((async () => {
      for await (const event of stream) void event;
    })()).rejects.toThrow(/invalid content/);
  });

  it("relays the upstream's own error answer and refuses models no provider of the API serves", async () => {
    openaiUpstream.enqueue(statusAnswer(400, JSON.stringify({ error: { message: "Invalid type for 'input'", type: 'invalid_request_error', param: 'input', code: 'invalid_type' } })));
    const refused = await client.responses.create({ model: 'gpt-4o', input: 'x' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: 'invalid_type', param: 'input' });

    // Mistral serves chat but not the Responses API: not asked.
    const sentToMistral = mistralUpstream.requests.length;
    const unserved = await client.responses.create({ model: 'mistral-small-latest', input: 'x' }).catch((error: unknown) => error);
    expect(unserved).toMatchObject({ status: 404, code: 'model_not_found' });
    expect((unserved as Error).message).toContain('the Responses API');
    expect(mistralUpstream.requests.length).toBe(sentToMistral);
  });

  it('lists and counts the calls of one API with the endpoint filter', async () => {
    openaiUpstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    await server.recorder.settled();
    const all = (await server.request('GET', '/api/v1/logs?limit=100')).json() as { data: { endpoint: string }[] };
    const responses = all.data.filter((call) => call.endpoint === '/v1/responses').length;
    expect(responses).toBeGreaterThan(0);
    expect(responses).toBeLessThan(all.data.length);
    const listed = (await server.request('GET', '/api/v1/logs?limit=100&endpoint=/v1/responses')).json() as { data: { endpoint: string }[] };
    expect(listed.data).toHaveLength(responses);
    expect(listed.data.every((call) => call.endpoint === '/v1/responses')).toBe(true);
    // Over 24 hours, where the overview would read rollups without such a filter.
    const overview = (await server.request('GET', '/api/v1/analytics/overview?hours=24&endpoint=/v1/responses')).json() as { current: { requests: number } };
    expect(overview.current.requests).toBe(responses);
    const refused = await server.request('GET', '/api/v1/logs?endpoint=a&endpoint=b');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('endpoint');
  });
});
