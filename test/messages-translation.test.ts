// Anthropic's Messages API served by an OpenAI-compatible model: the official `@anthropic-ai/sdk`
// client pointed at a real Loupe, Loupe speaking OpenAI's chat API to a fake OpenAI server that
// replays recorded answers and streams. Checked: the request as OpenAI receives it (system,
// content blocks, tool use and results, tools, stop sequences, usage asked for), the answer and
// the events as the SDK reads them (text, tool_use, stop reason, usage with cache reads apart),
// the call as recorded (OpenAI's usage, priced), failures in Anthropic's shape, token counts.
import Anthropic from '@anthropic-ai/sdk';
import { encode } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseFixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, listenOnLoopback, startTestServer, type TestServer } from './helpers/test-server.js';

let upstream: FakeUpstream;
let server: TestServer;
let client: Anthropic;
let base: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = await startTestServer({ providers: [{ name: 'openai', type: 'openai', base_url: upstream.baseUrl, api_key: 'sk-openai-provider', models: ['gpt-4o', 'gpt-4o-mini'], max_retries: 0 }] });
  base = await listenOnLoopback(server);
  client = new Anthropic({ apiKey: ADMIN_KEY, baseURL: base, maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

async function recorded(id: string | null | undefined): Promise<Record<string, unknown>> {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${id}`)).json() as Record<string, unknown>;
}

/** The text of an OpenAI stream fixture, from its chunks' content deltas. */
const streamedText = (path: string) => sseFixture(path).filter((line) => line.startsWith('data: {')).map((line) => {
  const chunk = JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string | null } }[] };
  return chunk.choices[0]?.delta?.content ?? '';
}).join('');

describe('the Messages API on an OpenAI model', () => {
  it('asks OpenAI in its chat format and answers the SDK in Anthropic\'s, usage counted once', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const { data: message, response } = await client.messages.create({ model: 'gpt-4o', max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], stop_sequences: ['END'], temperature: 0.2 }).withResponse();
    const sent = upstream.requests.at(-1)!;
    expect([sent.path, sent.headers.authorization, sent.headers['x-api-key']]).toEqual(['/v1/chat/completions', 'Bearer sk-openai-provider', undefined]);
    expect(sent.json()).toEqual({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], max_tokens: 256, temperature: 0.2, stop: ['END'] });
    // openai/chat.json: 1,000 prompt tokens of which 400 cached, 200 completion tokens (50 of them reasoning).
    expect(message).toMatchObject({
      type: 'message', role: 'assistant', model: 'gpt-4o-2024-08-06', stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'The image shows a wooden boardwalk path running through a lush green field or meadow.' }],
      usage: { input_tokens: 600, cache_read_input_tokens: 400, cache_creation_input_tokens: 0, output_tokens: 200 },
    });
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o', endpoint: '/v1/messages', status: 'success', finish_reason: 'stop' });
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens, call.reasoning_tokens]).toEqual([1000, 400, 200, 50]);
    // gpt-4o: $2.50 per million input tokens, $1.25 cached, $10 output.
    expect(call.cost_usd).toBeCloseTo((600 * 2.5 + 400 * 1.25 + 200 * 10) / 1e6, 12);
  });

  it('says tool use, tool results, images, tools and tool choice in OpenAI\'s shape', async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    await client.messages.create({
      model: 'gpt-4o', max_tokens: 64, system: [{ type: 'text', text: 'Use tools.' }], metadata: { user_id: 'u-7' }, tool_choice: { type: 'any', disable_parallel_tool_use: true },
      tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris? ' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18°C' }] }, { type: 'text', text: 'And tomorrow?' }] },
      ],
    });
    expect(upstream.requests.at(-1)!.json()).toEqual({
      model: 'gpt-4o', max_tokens: 64, user: 'u-7', tool_choice: 'required', parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [
        { role: 'system', content: 'Use tools.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris? ' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
  });

  it("says Claude's JSON output as a strict json_schema response format, and a strict tool as a strict function", async () => {
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    await client.messages.create({
      model: 'gpt-4o', max_tokens: 64, output_config: { format: { type: 'json_schema', schema } },
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} }, strict: true }],
      messages: [{ role: 'user', content: 'Which city?' }],
    });
    expect(upstream.requests.at(-1)!.json()).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'output', strict: true, schema } },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} }, strict: true } }],
    });
    const sent = upstream.requests.length;
    const refused = await fetch(`${base}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', max_tokens: 8, output_config: { format: { type: 'json_schema' } }, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect([refused.status, ((await refused.json()) as { error: { message: string } }).error.message]).toEqual([400, "output_config.format: must be {type: 'json_schema', schema}"]);
    expect(upstream.requests.length).toBe(sent);
  });

  it("streams Anthropic's events written from OpenAI's chunks, which the SDK's stream helper reads", async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream.chunks.txt') });
    const stream = client.messages.stream({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    // The usage chunk is asked for, as on the chat route.
    expect((upstream.requests.at(-1)!.json() as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    expect(final.content).toEqual([{ type: 'text', text: streamedText('openai/chat-stream.chunks.txt') }]);
    expect(final).toMatchObject({ stop_reason: 'end_turn', usage: { input_tokens: 19, output_tokens: 10 } });
    expect(types[0]).toBe('message_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(types.filter((type) => type === 'content_block_start')).toHaveLength(1);
    const call = await recorded((await stream.withResponse()).response.headers.get('x-loupe-call-id'));
    expect(call).toMatchObject({ endpoint: '/v1/messages', is_streaming: true, status: 'success', prompt_tokens: 19, completion_tokens: 10, usage_source: 'provider' });
    expect(call.ttft_ms).toEqual(expect.any(Number));
  });

  it("gives the model's reasoning as a thinking block before its text, streamed and whole", async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openrouter/chat-stream-reasoning.chunks.txt') });
    const stream = client.messages.stream({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'What is 2 + 2?' }] });
    const deltas: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type);
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'thinking', thinking: 'Let me think. Two plus two.', signature: '' }, { type: 'text', text: '4' }]);
    expect(deltas).toEqual(['thinking_delta', 'thinking_delta', 'text_delta']);
    expect(final).toMatchObject({ stop_reason: 'end_turn', usage: { input_tokens: 14, output_tokens: 120 } });

    // DeepSeek's whole answer carries it as message.reasoning_content.
    const answer = JSON.parse(fixture('openai/chat.json')) as { choices: { message: Record<string, unknown> }[] };
    answer.choices[0]!.message.reasoning_content = 'The picture shows a path.';
    upstream.respondWith({ kind: 'json', body: JSON.stringify(answer) });
    const message = await client.messages.create({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'Describe it' }] });
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[0]).toEqual({ type: 'thinking', thinking: 'The picture shows a path.', signature: '' });

    // Sent back in the next turn, the thinking block is left out of what OpenAI receives.
    upstream.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
    await client.messages.create({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'Describe it' }, { role: 'assistant', content: message.content }, { role: 'user', content: 'Shorter' }] });
    const sent = upstream.requests.at(-1)!.json() as { messages: { role: string; content: unknown }[] };
    expect(sent.messages.map((item) => item.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(sent.messages[1])).not.toContain('The picture shows a path.');
  });

  it('streams a tool call as a tool_use block with its input', async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream-tools.chunks.txt') });
    const final = await client.messages.stream({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'Weather in Paris?' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'tool_use', id: 'call_abc123', name: 'get_weather', input: { location: 'Paris' } }]);
    expect(final).toMatchObject({ stop_reason: 'tool_use', usage: { input_tokens: 82, output_tokens: 17 } });
  });

  it("ends a broken stream with one error event in Anthropic's shape, and translates OpenAI's error answers", async () => {
    upstream.respondWith({ kind: 'sse', chunks: sseFixture('openai/chat-stream-garbage.chunks.txt') });
    const stream = await client.messages.create({ model: 'gpt-4o', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    await expect((async () => {
      for await (const event of stream) void event;
    })()).rejects.toThrow();
    const raw = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'Hi' }] }) });
    const text = await raw.text();
    expect(text.match(/event: error\n/g)).toHaveLength(1);
    expect(text.endsWith('\n\n')).toBe(true);
    expect(JSON.parse(text.slice(text.lastIndexOf('event: error\ndata: ') + 'event: error\ndata: '.length))).toMatchObject({ type: 'error', error: { type: 'api_error' } });

    upstream.enqueue(statusAnswer(400, JSON.stringify({ error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } })));
    const refused = await client.messages.create({ model: 'gpt-4o', max_tokens: 8, temperature: 9, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: "Invalid value for 'temperature'" } } });
  });

  it('names what cannot be said to OpenAI, before anything is sent', async () => {
    const sent = upstream.requests.length;
    const ask = (body: unknown) => fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const noMessages = await ask({ model: 'gpt-4o', max_tokens: 8 });
    expect([noMessages.status, await noMessages.json()]).toEqual([400, { type: 'error', error: { type: 'invalid_request_error', message: 'messages: is required: an array of messages' } }]);
    const badRole = await ask({ model: 'gpt-4o', max_tokens: 8, messages: [{ role: 'system', content: 'x' }] });
    expect(((await badRole.json()) as { error: { message: string } }).error.message).toBe("messages.0.role: must be 'user' or 'assistant'");
    const badImage = await ask({ model: 'gpt-4o', max_tokens: 8, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file' } }] }] });
    expect(((await badImage.json()) as { error: { message: string } }).error.message).toContain('messages.0.content.0.source');
    expect(upstream.requests.length).toBe(sent);
  });

  it('counts the tokens of a request for an OpenAI model with its tokenizer', async () => {
    const sent = upstream.requests.length;
    const counted = await client.messages.countTokens({ model: 'gpt-4o', system: 'Be brief.', messages: [{ role: 'user', content: 'How many tokens is this?' }] });
    expect(counted).toEqual({ input_tokens: encode('Be brief.').length + encode('How many tokens is this?').length });
    expect(upstream.requests.length).toBe(sent);
  });
});
