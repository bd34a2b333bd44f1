// Gemini through the gateway, from its recorded wire format (generateContent and
// streamGenerateContent with alt=sse): an OpenAI chat request reaches Gemini in its own words
// (system instruction, model turns, function declarations and results with their thought
// signatures, generation config, the key in x-goog-api-key), and its answers and events come back as OpenAI's; usage counts thinking
// as output and cached prompt tokens at their rate; a stream cut before its finish reason is an
// error; a 429 falls back; embeddings go through batchEmbedContents; the model list is Gemini's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseFixture, startFakeUpstream, statusAnswer, type FakeUpstream } from './helpers/fake-upstream.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let gemini: FakeUpstream;
let backup: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  [gemini, backup] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
  backup.respondWith({ kind: 'json', body: fixture('openai/chat.json') });
  server = await startTestServer({
    providers: [
      { name: 'gemini', type: 'gemini', base_url: `${gemini.origin}/v1beta`, api_key: 'gemini-key', models: ['gemini-2.5-flash', 'gemini-3-flash-preview', 'gemini-embedding-001'], priority: 1, max_retries: 0 },
      { name: 'backup', type: 'openai-compatible', base_url: backup.baseUrl, models: ['gemini-2.5-flash'], priority: 2, max_retries: 0 },
    ],
  });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([gemini?.close(), backup?.close()]);
});

interface StoredCall {
  provider: string; response_model: string | null; status: string; finish_reason: string | null; usage_source: string; ttft_ms: number | null; tool_calls_count: number;
  prompt_tokens: number; cached_tokens: number; completion_tokens: number; reasoning_tokens: number; cost_usd: number | null; error_type: string | null;
}

async function stored(id: string): Promise<StoredCall> {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${id}`)).json() as StoredCall;
}

/** gemini-2.5-flash's published rates, USD per million tokens: input $0.30, cached input $0.03, output (thinking included) $2.50. */
const flashCost = (prompt: number, cached: number, output: number) => ((prompt - cached) * 0.3 + cached * 0.03 + output * 2.5) / 1e6;

const CONVERSATION = [
  { role: 'system', content: 'Answer in one sentence.' },
  { role: 'user', content: 'What is the capital of France?' },
];
const chat = (body: Record<string, unknown>) => server.request('POST', '/v1/chat/completions', { body: { model: 'gemini-2.5-flash', messages: CONVERSATION, ...body } });

describe('Gemini', () => {
  it("answers a chat request in OpenAI's format, from Gemini's, with thinking counted as output", async () => {
    gemini.respondWith({ kind: 'json', body: fixture('gemini/chat.json') });
    const answer = await chat({ temperature: 0.2, max_tokens: 300, stop: ['\n\n'] });
    expect(answer.statusCode, answer.body).toBe(200);
    const sent = gemini.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('gemini-key');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json()).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }],
      systemInstruction: { parts: [{ text: 'Answer in one sentence.' }] },
      generationConfig: { temperature: 0.2, maxOutputTokens: 300, stopSequences: ['\n\n'] },
    });
    const body = answer.json() as { object: string; model: string; choices: { message: { role: string; content: string }; finish_reason: string }[]; usage: Record<string, unknown> };
    expect(body).toMatchObject({ object: 'chat.completion', model: 'gemini-2.5-flash', choices: [{ message: { role: 'assistant', content: 'Paris is the capital of France.' }, finish_reason: 'stop' }] });
    expect(body.usage).toMatchObject({ prompt_tokens: 1250, completion_tokens: 150, total_tokens: 1400, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 142 } });

    const call = await stored(String(answer.headers['x-loupe-call-id']));
    expect([call.prompt_tokens, call.cached_tokens, call.completion_tokens, call.reasoning_tokens, call.usage_source, call.response_model]).toEqual([1250, 1024, 150, 142, 'provider', 'gemini-2.5-flash']);
    expect(call.cost_usd).toBeCloseTo(flashCost(1250, 1024, 150), 12);
  });

  it("says reasoning_effort as Gemini's thinking config: a budget for 2.5 models, a level for Gemini 3, thoughts included", async () => {
    gemini.respondWith({ kind: 'json', body: fixture('gemini/chat.json') });
    const thinkingSent = async (model: string, effort: string) => {
      const answer = await chat({ model, reasoning_effort: effort });
      expect(answer.statusCode, answer.body).toBe(200);
      const config = (gemini.requests.at(-1)!.json() as { generationConfig?: { thinkingConfig?: unknown } }).generationConfig;
      return { config: config?.thinkingConfig, id: String(answer.headers['x-loupe-call-id']) };
    };
    const low = await thinkingSent('gemini-2.5-flash', 'low');
    expect(low.config).toEqual({ thinkingBudget: 2048, includeThoughts: true });
    await server.recorder.settled();
    expect(((await server.request('GET', `/api/v1/logs/${low.id}`)).json() as { params: Record<string, unknown> }).params).toMatchObject({ reasoning_effort: 'low' });
    // Gemini 2.5 Flash thinks in at most 24,576 tokens; none turns thinking off.
    expect((await thinkingSent('gemini-2.5-flash', 'xhigh')).config).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect((await thinkingSent('gemini-2.5-flash', 'none')).config).toEqual({ thinkingBudget: 0 });
    expect((await thinkingSent('gemini-3-flash-preview', 'medium')).config).toEqual({ thinkingLevel: 'medium', includeThoughts: true });
    expect((await thinkingSent('gemini-3-flash-preview', 'none')).config).toEqual({ thinkingLevel: 'minimal', includeThoughts: false });

    const sentBefore = gemini.requests.length;
    const refused = await chat({ reasoning_effort: 'maximum' });
    expect([refused.statusCode, refused.json().error.param]).toEqual([400, 'reasoning_effort']);
    expect(refused.json().error.message).toContain('none, minimal, low, medium, high, xhigh');
    expect(gemini.requests.length).toBe(sentBefore);
  });

  it("streams Gemini's events as OpenAI chunks ending in [DONE], usage given to a client that asked", async () => {
    gemini.respondWith({ kind: 'sse', chunks: sseFixture('gemini/chat-stream.chunks.txt') });
    const answer = await chat({ stream: true, stream_options: { include_usage: true } });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(gemini.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    const events = answer.body.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: { completion_tokens: number } });
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('')).toBe('Paris is the capital of France.');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 1250, completion_tokens: 150 });

    const call = await stored(String(answer.headers['x-loupe-call-id']));
    expect([call.status, call.finish_reason, call.prompt_tokens, call.cached_tokens, call.completion_tokens, call.reasoning_tokens]).toEqual(['success', 'stop', 1250, 1024, 150, 142]);
    expect(call.ttft_ms).not.toBeNull();
    expect(call.cost_usd).toBeCloseTo(flashCost(1250, 1024, 150), 12);
  });

  it('keeps the usage chunk from a client that did not ask for it', async () => {
    gemini.respondWith({ kind: 'sse', chunks: sseFixture('gemini/chat-stream.chunks.txt') });
    const answer = await chat({ stream: true });
    expect(answer.body).not.toContain('"usage"');
    expect(answer.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('says tools, tool calls and their results in Gemini\'s words, and reads its function calls back, whole and streamed', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } }];
    gemini.respondWith({ kind: 'json', body: fixture('gemini/chat-tools.json') });
    const answer = await chat({ tools, tool_choice: 'required', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(gemini.requests.at(-1)!.json()).toMatchObject({
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather of a city', parameters: tools[0]!.function.parameters }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });
    const body = answer.json() as { choices: { message: { content: string | null; tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[] };
    expect(body.choices[0]!.finish_reason).toBe('tool_calls');
    expect(body.choices[0]!.message.content).toBeNull();
    const [toolCall] = body.choices[0]!.message.tool_calls;
    expect(toolCall).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(toolCall!.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });
    expect((await stored(String(answer.headers['x-loupe-call-id']))).tool_calls_count).toBe(1);

    // The conversation goes on with the call and its result: a model turn and a function response.
    gemini.respondWith({ kind: 'json', body: fixture('gemini/chat.json') });
    const followUp = await chat({
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: toolCall!.id, type: 'function', function: { name: 'get_weather', arguments: toolCall!.function.arguments } }] },
        { role: 'tool', tool_call_id: toolCall!.id, content: '{"temperature":18,"sky":"clear"}' },
      ],
    });
    expect(followUp.statusCode, followUp.body).toBe(200);
    expect((gemini.requests.at(-1)!.json() as { contents: unknown }).contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      // The call goes back with the thought signature Gemini gave it (carried in the call's id).
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris', unit: 'celsius' } }, thoughtSignature: 'CiQBjz1rX4d2mHq0V9wTQ3e6l5Nf2yS1tUwP8aKcRb7XyZt0HhIKPAGPPWtfqJ3u' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 18, sky: 'clear' } } }] },
    ]);

    gemini.respondWith({ kind: 'sse', chunks: sseFixture('gemini/chat-stream-tools.chunks.txt') });
    const streamed = await chat({ tools, stream: true, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(streamed.body).toContain('"finish_reason":"tool_calls"');
    const call = await stored(String(streamed.headers['x-loupe-call-id']));
    expect([call.finish_reason, call.tool_calls_count, call.prompt_tokens, call.completion_tokens]).toEqual(['tool_calls', 1, 96, 19]);
  });

  it('ends a stream cut before its finish reason with an error event, recorded as an error', async () => {
    gemini.respondWith({ kind: 'sse', chunks: sseFixture('gemini/chat-stream-cut.chunks.txt') });
    const answer = await chat({ stream: true });
    expect(answer.body).toContain('Paris is');
    expect(answer.body).toContain('"error"');
    expect(answer.body).not.toContain('[DONE]');
    const call = await stored(String(answer.headers['x-loupe-call-id']));
    expect(call.status).toBe('error');
  });

  it('fails a stream answered 200 with an error object instead of events, naming it', async () => {
    gemini.respondWith({ kind: 'sse', chunks: ['{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}'] });
    const answer = await chat({ stream: true });
    expect(answer.body).toContain('API key not valid');
    expect(answer.body).not.toContain('[DONE]');
    expect((await stored(String(answer.headers['x-loupe-call-id']))).status).toBe('error');
  });

  it("falls back to the next provider on Gemini's 429, and refuses what it cannot say by name", async () => {
    gemini.respondWith(statusAnswer(429, fixture('gemini/error-429.json')));
    const answer = await chat({});
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['x-loupe-call-id']).toBeDefined();
    await server.recorder.settled();
    const details = (await server.request('GET', `/api/v1/requests/${answer.headers['x-loupe-call-id']}`)).json() as { calls: { provider: string; status: string }[] };
    expect(details.calls.map((call) => [call.provider, call.status])).toEqual([['gemini', 'error'], ['backup', 'success']]);

    gemini.respondWith({ kind: 'json', body: fixture('gemini/chat.json') });
    const image = await server.request('POST', '/v1/chat/completions', {
      body: { model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] },
    });
    expect(image.statusCode).toBe(400);
    expect(image.body).toContain('data: URLs');
  });

  it('embeds through batchEmbedContents, as floats or as the base64 that OpenAI clients ask for, tokens estimated', async () => {
    gemini.respondWith({ kind: 'json', body: fixture('gemini/embeddings.json') });
    const floats = await server.request('POST', '/v1/embeddings', { body: { model: 'gemini-embedding-001', input: ['hello', 'world'], dimensions: 3 } });
    expect(floats.statusCode, floats.body).toBe(200);
    const sent = gemini.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(sent.json()).toEqual({ requests: ['hello', 'world'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 3 })) });
    const expected = [[0.0123291, -0.0456543, 0.0789795], [-0.0234375, 0.0567627, -0.0891113]];
    expect(floats.json()).toEqual({ object: 'list', model: 'gemini-embedding-001', data: expected.map((embedding, index) => ({ object: 'embedding', index, embedding })) });

    const base64 = await server.request('POST', '/v1/embeddings', { body: { model: 'gemini-embedding-001', input: 'hello', encoding_format: 'base64' } });
    expect(base64.statusCode, base64.body).toBe(200);
    const encoded = (base64.json() as { data: { embedding: string }[] }).data[0]!.embedding;
    const bytes = Buffer.from(encoded, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    expect(decoded).toEqual(expected[0]!.map(Math.fround));

    // gemini-embedding-001: $0.15 per million input tokens, counted here since Gemini reports none.
    const call = await stored(String(floats.headers['x-loupe-call-id']));
    expect(call.usage_source).toBe('estimated');
    expect(call.prompt_tokens).toBeGreaterThan(0);
    expect(call.cost_usd).toBeCloseTo(call.prompt_tokens * 0.15e-6, 15);

    const tokens = await server.request('POST', '/v1/embeddings', { body: { model: 'gemini-embedding-001', input: [[15339, 1917]] } });
    expect(tokens.statusCode).toBe(400);
    expect(tokens.body).toContain('input');
  });

  it("lists Gemini's models through the connection test", async () => {
    gemini.respondWith({ kind: 'json', body: fixture('gemini/models.json') });
    const tested = await server.request('POST', '/api/v1/providers/gemini/test');
    expect(tested.statusCode, tested.body).toBe(200);
    expect(tested.json()).toMatchObject({ reachable: true, models: ['gemini-2.5-flash', 'gemini-2.5-pro'] });
    expect(gemini.requests.at(-1)!.path).toBe('/v1beta/models?pageSize=1000');
    expect(gemini.requests.at(-1)!.headers['x-goog-api-key']).toBe('gemini-key');
  });
});
