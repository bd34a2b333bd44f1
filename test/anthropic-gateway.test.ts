// The gateway in front of Anthropic: OpenAI requests become Messages requests, answers and
// streams come back in OpenAI's format, and cache reads and writes are counted once each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseWireFixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({ providers: [{ name: 'anthropic', type: 'anthropic', base_url: upstream.baseUrl, api_key: 'sk-ant-secret', models: ['claude-sonnet-4-20250514'], max_retries: 0 }] });
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

const chat = (body: Record<string, unknown>) => server.request('POST', '/v1/chat/completions', { body: { model: 'claude-sonnet-4-20250514', ...body } });

async function recorded(id: string) {
  await server.recorder.settled();
  return (await server.store.calls.get('default', id))!;
}

function sseData(text: string): Record<string, unknown>[] {
  return text.split('\n\n').filter((event) => event.startsWith('data: ') && !event.includes('[DONE]')).map((event) => JSON.parse(event.slice(6)) as Record<string, unknown>);
}

describe('Anthropic through the OpenAI-compatible gateway', () => {
  it('translates the request and the answer, and prices cache reads and writes once each', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    const response = await chat({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], temperature: 0.2, stop: 'END' });
    expect(response.statusCode).toBe(200);
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect([sent.headers['x-api-key'], sent.headers['anthropic-version'], sent.headers.authorization]).toEqual(['sk-ant-secret', '2023-06-01', undefined]);
    expect(JSON.parse(sent.body)).toEqual({ model: 'claude-sonnet-4-20250514', system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], max_tokens: 4096, temperature: 0.2, stop_sequences: ['END'] });
    const answer = response.json();
    expect(answer.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' });
    expect(answer.usage).toMatchObject({ prompt_tokens: 12 + 3000 + 500, completion_tokens: 6, prompt_tokens_details: { cached_tokens: 3000 } });
    const call = await recorded(response.headers['x-loupe-call-id'] as string);
    expect([call.prompt_tokens, call.cached_tokens, call.cache_write_tokens, call.completion_tokens]).toEqual([3512, 3000, 500, 6]);
    // $3/M input, $0.30/M cache read, $3.75/M cache write, $15/M output.
    expect(call.cost_usd).toBeCloseTo(12 * 3e-6 + 3000 * 0.3e-6 + 500 * 3.75e-6 + 6 * 15e-6, 12);
  });

  it('turns the event stream into OpenAI chunks, usage from message_start and the last message_delta', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-cache.sse') });
    const response = await chat({ messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const text = response.body;
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const chunks = sseData(text);
    expect(chunks.map((chunk) => (chunk.choices as { delta: { content?: string } }[])[0]?.delta.content ?? '').join('')).toBe('Hello!');
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(JSON.parse(upstream.requests.at(-1)!.body).stream).toBe(true);
    const call = await recorded(response.headers['x-loupe-call-id'] as string);
    expect([call.prompt_tokens, call.cached_tokens, call.cache_write_tokens, call.completion_tokens, call.finish_reason, call.status]).toEqual([2125, 2000, 100, 15, 'stop', 'success']);
  });

  it('streams tool use as OpenAI tool_calls and sends the usage chunk to a client that asks', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-tool-use.sse') });
    const response = await chat({ messages: [{ role: 'user', content: 'Weather?' }], stream: true, stream_options: { include_usage: true }, tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }], tool_choice: 'required' });
    const sent = JSON.parse(upstream.requests.at(-1)!.body);
    expect(sent.tools).toEqual([{ name: 'get_weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }]);
    expect(sent.tool_choice).toEqual({ type: 'any' });
    const chunks = sseData(response.body);
    const args = chunks.flatMap((chunk) => ((chunk.choices as { delta: { tool_calls?: { function: { arguments?: string } }[] } }[])[0]?.delta.tool_calls ?? []).map((call) => call.function.arguments ?? '')).join('');
    expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 472, completion_tokens: 89 } });
    const call = await recorded(response.headers['x-loupe-call-id'] as string);
    expect([call.tool_calls_count, call.finish_reason]).toEqual([1, 'tool_calls']);
  });

  it('thinks at the effort asked, and goes on after a tool call with the signed thinking block the answer gave', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
    const question = { role: 'user', content: 'Weather in San Francisco?' };
    upstream.respondWith({ kind: 'json', body: fixture('anthropic/message-tool-use.json') });
    const first = await chat({ messages: [question], tools, reasoning_effort: 'low' });
    expect(first.statusCode, first.body).toBe(200);
    expect(JSON.parse(upstream.requests.at(-1)!.body)).toMatchObject({ max_tokens: 4096 + 2048, thinking: { type: 'enabled', budget_tokens: 2048 } });
    const message = first.json().choices[0].message;
    expect(message.thinking_blocks).toEqual([{ type: 'thinking', thinking: 'The user wants the weather.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' }]);
    const call = await recorded(first.headers['x-loupe-call-id'] as string);
    expect([call.params, call.tool_calls_count]).toEqual([expect.objectContaining({ reasoning_effort: 'low' }), 1]);

    // The caller sends the assistant turn back as it came, with the tool's result.
    upstream.respondWith({ kind: 'json', body: fixture('anthropic/message.json') });
    const second = await chat({ messages: [question, message, { role: 'tool', tool_call_id: message.tool_calls[0].id, content: '18°C' }], tools, reasoning_effort: 'low' });
    expect(second.statusCode, second.body).toBe(200);
    const turns = JSON.parse(upstream.requests.at(-1)!.body).messages;
    expect(turns[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'The user wants the weather.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' },
        { type: 'text', text: "I'll check." },
        { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
      ],
    });

    const sentBefore = upstream.requests.length;
    const refused = await chat({ messages: [question], reasoning_effort: 'high', max_tokens: 512 });
    expect([refused.statusCode, refused.json().error.param]).toEqual([400, 'max_tokens']);
    expect(refused.json().error.message).toContain('above 1024');
    expect(upstream.requests.length).toBe(sentBefore);
  });

  it('records an error event mid-stream as an error and tells the client', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseWireFixture('anthropic/stream-overloaded.sse') });
    const response = await chat({ messages: [{ role: 'user', content: 'Hi' }], stream: true });
    expect(response.body).toContain('Overloaded');
    const call = await recorded(response.headers['x-loupe-call-id'] as string);
    expect(call.status).toBe('error');
  });

  it('answers Anthropic errors in OpenAI shape, and refuses endpoints Anthropic does not serve', async () => {
    upstream.respondWith({ kind: 'json', status: 400, body: '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be positive"}}' });
    const response = await chat({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ message: 'max_tokens: must be positive', type: 'invalid_request_error' });
    const embeddings = await server.request('POST', '/v1/embeddings', { body: { model: 'claude-sonnet-4-20250514', input: 'x' } });
    expect([embeddings.statusCode, embeddings.json().error.code]).toEqual([400, 'unsupported_endpoint']);
  });
});
