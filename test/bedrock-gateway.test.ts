// Amazon Bedrock through the gateway, from its recorded wire formats (Converse's JSON answers and
// ConverseStream's binary event stream, encoded by AWS's own codec): an OpenAI chat request
// reaches Bedrock in Converse's words (system, turns, inference config, tools, Claude's thinking
// budget, the Bedrock API key as a bearer token), and its answers and events come back as
// OpenAI's; usage counts cache reads and writes once each, priced at Bedrock's rates; a
// throttling exception mid-stream, a throttled answer and what Converse cannot say are handled
// as the gateway handles them elsewhere; Anthropic's SDK reaches Bedrock's Claude too.
import Anthropic from '@anthropic-ai/sdk';
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, replay, startFakeUpstream, type FakeUpstream, type RecordedRequest } from './helpers/fake-upstream.js';
import { ADMIN_KEY, listenOnLoopback, startTestServer, type TestServer } from './helpers/test-server.js';

const SONNET = 'anthropic.claude-sonnet-4-20250514-v1:0';
const LLAMA = 'meta.llama3-3-70b-instruct-v1:0';

let bedrock: FakeUpstream;
let server: TestServer;

beforeAll(async () => {
  bedrock = await startFakeUpstream();
  server = await startTestServer({ providers: [{ name: 'bedrock', type: 'bedrock', base_url: bedrock.origin, api_key: 'bedrock-api-key', models: [SONNET, LLAMA], max_retries: 0 }] });
});
afterAll(async () => {
  await server?.close();
  await bedrock?.close();
});

const chat = (body: Record<string, unknown>) => server.request('POST', '/v1/chat/completions', { body: { model: SONNET, messages: [{ role: 'user', content: 'Capital of France?' }], ...body } });

async function recorded(id: unknown): Promise<Record<string, unknown>> {
  await server.recorder.settled();
  return (await server.request('GET', `/api/v1/logs/${String(id)}`)).json() as Record<string, unknown>;
}

const dataEvents = (body: string) => body.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice(6));

/** Claude Sonnet 4 on Bedrock, USD per token: input $3, cache read $0.30, cache write $3.75, output $15 per 1M. */
const sonnetCost = (input: number, cacheRead: number, cacheWrite: number, output: number) => (input * 3 + cacheRead * 0.3 + cacheWrite * 3.75 + output * 15) / 1e6;

describe('Bedrock', () => {
  it("asks Converse in its own words with the key as a bearer token, and answers in OpenAI's format, cache reads and writes counted once", async () => {
    bedrock.respondWith({ kind: 'json', body: fixture('bedrock/converse.json') });
    const answer = await chat({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }], temperature: 0.2, max_tokens: 300, stop: 'END' });
    expect(answer.statusCode, answer.body).toBe(200);
    const sent = bedrock.requests.at(-1)!;
    expect([sent.path, sent.headers.authorization]).toEqual([`/model/${encodeURIComponent(SONNET)}/converse`, 'Bearer bedrock-api-key']);
    expect(sent.json()).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Capital of France?' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, stopSequences: ['END'] },
    });
    const body = answer.json() as { model: string; choices: { message: { content: string }; finish_reason: string }[]; usage: Record<string, unknown> };
    expect(body).toMatchObject({ model: SONNET, choices: [{ message: { content: 'Paris is the capital of France.' }, finish_reason: 'stop' }] });
    expect(body.usage).toMatchObject({ prompt_tokens: 3512, completion_tokens: 9, total_tokens: 3521, prompt_tokens_details: { cached_tokens: 3000 }, cache_creation_input_tokens: 500 });
    const call = await recorded(answer.headers['x-loupe-call-id']);
    expect([call.provider, call.prompt_tokens, call.cached_tokens, call.cache_write_tokens, call.completion_tokens, call.usage_source]).toEqual(['bedrock', 3512, 3000, 500, 9, 'provider']);
    expect(call.cost_usd).toBeCloseTo(sonnetCost(12, 3000, 500, 9), 12);
  });

  it('streams the binary event stream as OpenAI chunks, usage from the metadata event given to a client that asked', async () => {
    bedrock.respondWith(replay('bedrock/converse-stream.events.jsonl'));
    const answer = await chat({ stream: true, stream_options: { include_usage: true } });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(bedrock.requests.at(-1)!.path).toBe(`/model/${encodeURIComponent(SONNET)}/converse-stream`);
    const events = dataEvents(answer.body);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as { choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: Record<string, unknown> });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Paris is the capital of France.');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 8, total_tokens: 27 });
    const call = await recorded(answer.headers['x-loupe-call-id']);
    expect([call.status, call.prompt_tokens, call.completion_tokens, call.finish_reason, call.is_streaming]).toEqual(['success', 19, 8, 'stop', true]);
    expect(call.ttft_ms).toEqual(expect.any(Number));
    expect(call.cost_usd).toBeCloseTo(sonnetCost(19, 0, 0, 8), 12);
  });

  it("gives Claude a thinking budget, returns its signed reasoning and tool call, and sends both back on the next turn", async () => {
    bedrock.respondWith({ kind: 'json', body: fixture('bedrock/converse-tool-use.json') });
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const question = { role: 'user', content: 'Weather in Paris?' };
    const first = await chat({ messages: [question], tools, tool_choice: 'auto', reasoning_effort: 'low' });
    expect(first.statusCode, first.body).toBe(200);
    expect(bedrock.requests.at(-1)!.json()).toMatchObject({
      inferenceConfig: { maxTokens: 4096 + 2048 },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 2048 } },
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'Weather of a city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }], toolChoice: { auto: {} } },
    });
    const message = first.json().choices[0].message;
    expect(first.json().choices[0].finish_reason).toBe('tool_calls');
    expect(message).toMatchObject({
      content: 'Let me check.', reasoning_content: 'The user wants the weather in Paris; I should call the tool.',
      thinking_blocks: [{ type: 'thinking', thinking: 'The user wants the weather in Paris; I should call the tool.', signature: 'ErUBCkgIBhABGAIiQLk2mBMkS3fw' }],
      tool_calls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }],
    });

    bedrock.respondWith({ kind: 'json', body: fixture('bedrock/converse.json') });
    const second = await chat({ messages: [question, message, { role: 'tool', tool_call_id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: '18°C' }], tools, reasoning_effort: 'low' });
    expect(second.statusCode, second.body).toBe(200);
    expect(bedrock.requests.at(-1)!.json().messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [
        { reasoningContent: { reasoningText: { text: 'The user wants the weather in Paris; I should call the tool.', signature: 'ErUBCkgIBhABGAIiQLk2mBMkS3fw' } } },
        { text: 'Let me check.' },
        { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } } },
      ] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: [{ text: '18°C' }] } }] },
    ]);
  });

  it('streams reasoning and a tool call sent in pieces, the reasoning block whole and signed when it stops', async () => {
    bedrock.respondWith(replay('bedrock/converse-stream-tools.events.jsonl'));
    const answer = await chat({ stream: true });
    const chunks = dataEvents(answer.body).slice(0, -1).map((event) => JSON.parse(event) as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] });
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta ?? {});
    expect(deltas.map((delta) => delta.reasoning_content ?? '').join('')).toBe('The user wants the weather in Paris.');
    expect(deltas.filter((delta) => delta.thinking_blocks).map((delta) => delta.thinking_blocks)).toEqual([[{ type: 'thinking', thinking: 'The user wants the weather in Paris.', signature: 'ErUBCkgIBhABGAIiQLk2mBMkS3fw' }]]);
    const calls = deltas.flatMap((delta) => (delta.tool_calls as { id?: string; function: { name?: string; arguments: string } }[] | undefined) ?? []);
    expect([calls[0]?.id, calls[0]?.function.name, calls.map((call) => call.function.arguments).join('')]).toEqual(['tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', 'get_weather', '{"city": "Paris"}']);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    const call = await recorded(answer.headers['x-loupe-call-id']);
    expect([call.tool_calls_count, call.prompt_tokens, call.cached_tokens, call.completion_tokens]).toEqual([1, 2410, 2000, 96]);
    expect(call.cost_usd).toBeCloseTo(sonnetCost(410, 2000, 0, 96), 12);
  });

  it('ends a stream Bedrock throttles mid-answer with one error event, recorded as an error with the text so far', async () => {
    bedrock.respondWith(replay('bedrock/converse-stream-throttled.events.jsonl'));
    const answer = await chat({ stream: true });
    const events = dataEvents(answer.body);
    const error = JSON.parse(events.at(-1)!) as { error: { message: string; code: string } };
    expect(error.error).toMatchObject({ message: 'Too many tokens, please wait before trying again.', code: 'throttlingException' });
    const call = await recorded(answer.headers['x-loupe-call-id']);
    expect([call.status, call.error_type]).toEqual(['error', 'throttlingException']);
    expect((call.output as { content: string }).content).toBe('Paris');
  });

  it("answers Bedrock's throttled request as a 429 named by AWS's error type", async () => {
    bedrock.respondWith({ kind: 'json', status: 429, body: '{"message":"Too many requests, please wait before trying again."}', headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' } });
    const answer = await chat({});
    expect(answer.statusCode).toBe(429);
    expect(answer.json().error).toMatchObject({ message: 'Too many requests, please wait before trying again.', code: 'ThrottlingException' });
  });

  it('refuses what Converse cannot say, by name, before sending anything', async () => {
    const before = bedrock.requests.length;
    const refusals = await Promise.all([
      chat({ model: LLAMA, reasoning_effort: 'high' }),
      chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } }),
      chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }),
      chat({ reasoning_effort: 'high', max_tokens: 1000 }),
      server.request('POST', '/v1/embeddings', { body: { model: SONNET, input: 'x' } }),
    ]);
    expect(refusals.map((answer) => [answer.statusCode, answer.json().error.param ?? answer.json().error.code])).toEqual([
      [400, 'reasoning_effort'], [400, 'response_format'], [400, 'messages.0.content'], [400, 'max_tokens'], [400, 'unsupported_endpoint'],
    ]);
    expect(refusals[0]!.json().error.message).toContain(`${LLAMA} is not one`);
    expect(bedrock.requests.length).toBe(before);
  });

  it("serves Anthropic's SDK from Bedrock's Claude, said as chat", async () => {
    bedrock.respondWith({ kind: 'json', body: fixture('bedrock/converse.json') });
    const client = new Anthropic({ apiKey: ADMIN_KEY, baseURL: await listenOnLoopback(server), maxRetries: 0 });
    const message = await client.messages.create({ model: SONNET, max_tokens: 256, messages: [{ role: 'user', content: 'Capital of France?' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Paris is the capital of France.' }]);
    expect(message.usage).toMatchObject({ input_tokens: 12, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500, output_tokens: 9 });
    expect(bedrock.requests.at(-1)!.json()).toMatchObject({ inferenceConfig: { maxTokens: 256 }, messages: [{ role: 'user', content: [{ text: 'Capital of France?' }] }] });
  });
});

describe('Bedrock with IAM credentials', () => {
  const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'session-token-example', AWS_REGION: 'eu-central-1' };
  let signed: FakeUpstream;
  let iam: TestServer;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [name, value] of Object.entries(CREDENTIALS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    signed = await startFakeUpstream();
    iam = await startTestServer({ providers: [{ name: 'bedrock-iam', type: 'bedrock', base_url: signed.origin, models: [SONNET], max_retries: 0 }] });
  });
  afterAll(async () => {
    await iam?.close();
    await signed?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  /** RFC 3986 encoding of one path segment, as Signature Version 4 encodes the path again for every service but S3. */
  const encodeSegment = (segment: string) => encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

  /** Signature Version 4 computed here from what the upstream received, by AWS's published algorithm. */
  function expectedSignature(request: RecordedRequest): string {
    const authorization = String(request.headers.authorization);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(';');
    const [path, query = ''] = request.path.split('?');
    const canonicalQuery = query === '' ? '' : query.split('&').map((pair) => pair.split('=')).sort(([a], [b]) => (a! < b! ? -1 : 1)).map(([name, value]) => `${name}=${value ?? ''}`).join('&');
    const canonical = [
      request.method, path!.split('/').map(encodeSegment).join('/'), canonicalQuery,
      ...signedHeaders.map((name) => `${name}:${String(request.headers[name]).trim()}`), '', signedHeaders.join(';'), hex(Buffer.from(request.body)),
    ].join('\n');
    const amzDate = String(request.headers['x-amz-date']);
    const scope = `${amzDate.slice(0, 8)}/eu-central-1/bedrock/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonical)].join('\n');
    const key = ['eu-central-1', 'bedrock', 'aws4_request'].reduce((current, part) => hmac(current, part), hmac(`AWS4${CREDENTIALS.AWS_SECRET_ACCESS_KEY}`, amzDate.slice(0, 8)));
    return createHmac('sha256', key).update(toSign).digest('hex');
  }

  it("signs each call and the connection test with the environment's AWS credentials (Signature Version 4), verified here", async () => {
    signed.respondWith({ kind: 'json', body: fixture('bedrock/converse.json') });
    const answer = await iam.request('POST', '/v1/chat/completions', { body: { model: SONNET, messages: [{ role: 'user', content: 'Capital of France?' }] } });
    expect(answer.statusCode, answer.body).toBe(200);
    const sent = signed.requests.at(-1)!;
    const authorization = String(sent.headers.authorization);
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(authorization.split('SignedHeaders=')[1]).toContain('host');
    expect(sent.headers['x-amz-security-token']).toBe('session-token-example');
    expect(/Signature=([0-9a-f]{64})/.exec(authorization)![1]).toBe(expectedSignature(sent));

    signed.respondWith({ kind: 'json', body: '{"asyncInvokeSummaries":[]}' });
    const test = await iam.request('POST', '/api/v1/providers/bedrock-iam/test');
    expect(test.json()).toMatchObject({ reachable: true, ok: true, status: 200, models: [] });
    const probe = signed.requests.at(-1)!;
    expect([probe.method, probe.path]).toEqual(['GET', '/async-invoke?maxResults=1']);
    expect(/Signature=([0-9a-f]{64})/.exec(String(probe.headers.authorization))![1]).toBe(expectedSignature(probe));
  });

  it("sends a caller's own Bedrock API key as it is, unsigned", async () => {
    await iam.close();
    iam = await startTestServer({ providers: [{ name: 'bedrock-iam', type: 'bedrock', base_url: signed.origin, models: [SONNET], max_retries: 0, allow_client_key: true }] });
    signed.respondWith({ kind: 'json', body: fixture('bedrock/converse.json') });
    const answer = await iam.request('POST', '/v1/chat/completions', { body: { model: SONNET, messages: [{ role: 'user', content: 'Hi' }] }, headers: { 'x-loupe-provider-key': 'callers-bedrock-key' } });
    expect(answer.statusCode, answer.body).toBe(200);
    expect([signed.requests.at(-1)!.headers.authorization, signed.requests.at(-1)!.headers['x-amz-date']]).toEqual(['Bearer callers-bedrock-key', undefined]);
  });
});
