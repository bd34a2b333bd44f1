// Anthropic's Messages API served by providers whose chat Loupe translates (Gemini's API,
// Ollama's native one): the official `@anthropic-ai/sdk` client pointed at a real Loupe, Loupe
// speaking Gemini's and Ollama's own formats to fake servers that replay their recorded answers
// and streams. Checked: the request as Gemini receives it, the message and the events as the
// SDK reads them (text, tool_use, stop reason, usage with cache reads apart), the call as
// recorded, and token counts for such a model counted locally.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, ndjsonFixture, sseFixture, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { ADMIN_KEY, listenOnLoopback, startTestServer, type TestServer } from './helpers/test-server.js';

let gemini: FakeUpstream;
let ollama: FakeUpstream;
let server: TestServer;
let client: Anthropic;

beforeAll(async () => {
  [gemini, ollama] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  server = await startTestServer({
    providers: [
      { name: 'gemini', type: 'gemini', base_url: `${gemini.origin}/v1beta`, api_key: 'gemini-key', models: ['gemini-2.5-flash'], max_retries: 0 },
      { name: 'ollama', type: 'ollama', base_url: ollama.origin, models: ['llama3.2'], max_retries: 0 },
    ],
  });
  client = new Anthropic({ apiKey: ADMIN_KEY, baseURL: await listenOnLoopback(server), maxRetries: 0 });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([gemini?.close(), ollama?.close()]);
});

async function recorded(id: string | null | undefined): Promise<Record<string, unknown>> {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${id}`)).json() as Record<string, unknown>;
}

describe('the Messages API on a Gemini model', () => {
  it("asks Gemini in its own format and answers the SDK in Anthropic's, thinking and cache reads counted once", async () => {
    gemini.respondWith({ kind: 'json', body: fixture('gemini/chat.json') });
    const { data: message, response } = await client.messages.create({ model: 'gemini-2.5-flash', max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Capital of France?' }] }).withResponse();
    const sent = gemini.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.json()).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Capital of France?' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 256 },
    });
    // gemini/chat.json: 1,250 prompt tokens of which 1,024 cached; 8 answer and 142 thinking tokens.
    expect(message).toMatchObject({
      type: 'message', role: 'assistant', model: 'gemini-2.5-flash', stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Paris is the capital of France.' }],
      usage: { input_tokens: 226, cache_read_input_tokens: 1024, output_tokens: 150 },
    });
    expect(message.id).toMatch(/^msg_/);
    const call = await recorded(response.headers.get('x-loupe-call-id'));
    expect(call).toMatchObject({ provider: 'gemini', endpoint: '/v1/messages', status: 'success', prompt_tokens: 1250, cached_tokens: 1024, completion_tokens: 150, reasoning_tokens: 142 });
  });

  it("streams Gemini's events to the SDK as Anthropic's", async () => {
    gemini.respondWith({ kind: 'sse', chunks: sseFixture('gemini/chat-stream.chunks.txt') });
    const stream = client.messages.stream({ model: 'gemini-2.5-flash', max_tokens: 256, messages: [{ role: 'user', content: 'Capital of France?' }] });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const message = await stream.finalMessage();
    expect(gemini.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(message).toMatchObject({ content: [{ type: 'text', text: 'Paris is the capital of France.' }], stop_reason: 'end_turn', usage: { output_tokens: 150 } });
  });

  it('reads a function call back as a tool_use block', async () => {
    gemini.respondWith({ kind: 'json', body: fixture('gemini/chat-tools.json') });
    const message = await client.messages.create({
      model: 'gemini-2.5-flash', max_tokens: 256, messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }],
    });
    expect((gemini.requests.at(-1)!.json() as { tools: unknown }).tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { location: { type: 'string' } } } }] }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } })]);
  });

  it('counts tokens for such a model locally', async () => {
    const counted = await client.messages.countTokens({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Capital of France?' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});

describe("the Messages API on Ollama's native API", () => {
  it("streams Ollama's lines to the SDK as Anthropic's events", async () => {
    ollama.respondWith({ kind: 'sse', chunks: ndjsonFixture('ollama/chat-stream.ndjson'), contentType: 'application/x-ndjson' });
    const stream = client.messages.stream({ model: 'llama3.2', max_tokens: 128, messages: [{ role: 'user', content: 'Why is the sky blue?' }] });
    const message = await stream.finalMessage();
    expect(ollama.requests.at(-1)!.path).toBe('/api/chat');
    expect(message).toMatchObject({ content: [{ type: 'text', text: 'The sky is blue.' }], stop_reason: 'end_turn', usage: { input_tokens: 26, output_tokens: 282 } });
  });
});
