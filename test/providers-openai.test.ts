// The OpenAI-compatible base and its variants: include_usage injection and honouring, bytes
// passed through untouched, usage mapping (cached and reasoning split out, never added),
// whole answers for chat, completions and embeddings, error mapping, and the type registry.
import { describe, expect, it } from 'vitest';
import type { CallPlan, ClientRequest, UpstreamRequest } from '../src/providers/kit/adapter.js';
import { joinUpstreamUrl } from '../src/providers/kit/join-url.js';
import { encodeSseErrorEvent } from '../src/providers/kit/sse-error-event.js';
import { createAdapter, ENV_SHORTCUT_TYPES, isProviderType, PROVIDER_TYPE_INFO, type ProviderType } from '../src/providers/provider-types.js';
import { fixture, runTransform, wireChunks, wireText } from './helpers/fake-upstream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CONTEXT = { model: 'gpt-4o-mini', apiKey: 'sk-test', nowMs: 1_750_000_000_000, callId: 'chatcmpl-fixed' };

function prepare(type: ProviderType, body: Record<string, unknown>, endpoint: ClientRequest['endpoint'] = 'chat', raw?: string): UpstreamRequest {
  const rawBody = encoder.encode(raw ?? JSON.stringify(body));
  const prepared = createAdapter(type).toUpstream({ endpoint, body, rawBody }, CONTEXT);
  if (!prepared.ok) throw prepared.error;
  return prepared.value;
}

const sentBody = (request: UpstreamRequest) => JSON.parse(decoder.decode(request.body ?? new Uint8Array())) as Record<string, unknown>;
const messages = [{ role: 'user', content: 'Hi' }];

describe('stream usage: include_usage injected, honoured, or asked', () => {
  it('injects include_usage when unset, keeps other stream options, and plans to strip the usage chunk', () => {
    const request = prepare('vllm', { model: 'gpt-4o-mini', stream: true, messages, stream_options: { continuous_usage_stats: true } });
    expect(sentBody(request).stream_options).toEqual({ continuous_usage_stats: true, include_usage: true });
    expect(request.plan).toMatchObject({ stream: true, clientWantsUsage: false, stripUsageChunk: true, usageExpected: true });
  });

  it('honours an explicit false: bytes untouched, nothing stripped, usage left to estimation', () => {
    const raw = '{"model":"gpt-4o-mini",  "stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"Hi"}]}';
    const request = prepare('openai', JSON.parse(raw) as Record<string, unknown>, 'chat', raw);
    expect(decoder.decode(request.body ?? new Uint8Array())).toBe(raw);
    expect(request.plan).toMatchObject({ clientWantsUsage: false, stripUsageChunk: false, usageExpected: false });
    // The upstream then sends no usage chunk: the stream still succeeds, with text to count.
    const wire = wireChunks('openai/chat-stream.chunks.txt').filter((chunk) => !chunk.includes('"choices":[]')).join('');
    const run = runTransform(createAdapter('openai').createStreamTransform(request.plan), [encoder.encode(wire)]);
    expect(run.forwarded).toBe(wire);
    expect(run.observations).toMatchObject({ usage: null, usageComplete: false, usageSource: 'estimated', finishReason: 'stop', terminal: { kind: 'done' } });
    expect(run.observations.completionText).toBe('Hello! How can I help you today?');
  });

  it('keeps the usage chunk for a client that asked for it', () => {
    const request = prepare('openai', { model: 'gpt-4o-mini', stream: true, messages, stream_options: { include_usage: true } });
    expect(request.plan).toMatchObject({ clientWantsUsage: true, stripUsageChunk: false, usageExpected: true });
    const run = runTransform(createAdapter('openai').createStreamTransform(request.plan), [encoder.encode(wireText('openai/chat-stream.chunks.txt'))]);
    expect(run.forwarded).toBe(wireText('openai/chat-stream.chunks.txt'));
  });

  it('does not inject for Mistral, which reports usage on its last chunk anyway', () => {
    const request = prepare('mistral', { model: 'gpt-4o-mini', stream: true, messages, stream_options: { include_usage: false } });
    expect(request.plan).toMatchObject({ stripUsageChunk: false, usageExpected: true });
  });

  it('accepts a stream that finished without [DONE], taking its usage', () => {
    const plan = prepare('localai', { model: 'gpt-4o-mini', stream: true, messages }).plan;
    const run = runTransform(createAdapter('localai').createStreamTransform(plan), [encoder.encode(wireText('openai/chat-stream-no-done.chunks.txt'))]);
    expect(run.observations.terminal).toEqual({ kind: 'done' });
    expect(run.observations.usage?.input.total).toBe(11);
    expect(run.observations.usage?.output.total).toBe(4);
    expect(run.observations.usageComplete).toBe(true);
  });
});

describe('request bytes', () => {
  it('forwards the client bytes untouched when nothing must change', () => {
    const raw = '{ "model" : "gpt-4o-mini", "messages":[{"role":"user","content":"Hi"}], "temperature": 0.25 }';
    const request = prepare('openai', JSON.parse(raw) as Record<string, unknown>, 'chat', raw);
    expect(decoder.decode(request.body ?? new Uint8Array())).toBe(raw);
    expect(request).toMatchObject({ method: 'POST', path: '/chat/completions' });
    expect(request.headers).toMatchObject({ authorization: 'Bearer sk-test', 'content-type': 'application/json' });
  });

  it('rewrites only the model when routing removed a provider prefix', () => {
    const body = { model: 'openai/gpt-4o-mini', messages, temperature: 0.25, user: 'u-1' };
    expect(sentBody(prepare('openrouter', body))).toEqual({ ...body, model: 'gpt-4o-mini' });
  });

  it('adds configured extra headers and no authorization without a key', () => {
    const adapter = createAdapter('openrouter', { extraHeaders: { 'X-Title': 'Loupe' } });
    const prepared = adapter.toUpstream({ endpoint: 'embeddings', body: { model: 'm', input: 'x' } }, { model: 'm' });
    if (!prepared.ok) throw prepared.error;
    expect(prepared.value.headers['X-Title']).toBe('Loupe');
    expect(prepared.value.headers).not.toHaveProperty('authorization');
    expect(prepared.value.path).toBe('/embeddings');
    expect(prepared.value.plan.stream).toBe(false);
  });

  it('refuses an endpoint the variant does not serve', () => {
    const prepared = createAdapter('mistral').toUpstream({ endpoint: 'completions', body: { model: 'm', prompt: 'x' } }, CONTEXT);
    expect(prepared.ok ? null : prepared.error.code).toBe('unsupported_endpoint');
    for (const endpoint of ['completions', 'embeddings', 'responses'] as const) {
      const refused = createAdapter('deepseek').toUpstream({ endpoint, body: { model: 'deepseek-chat', input: 'x', prompt: 'x' } }, CONTEXT);
      expect(refused.ok ? null : refused.error.code, endpoint).toBe('unsupported_endpoint');
    }
    // DeepSeek's chat streams get the usage chunk asked for, as OpenAI's.
    const chat = createAdapter('deepseek').toUpstream({ endpoint: 'chat', body: { model: 'deepseek-chat', stream: true, messages } }, CONTEXT);
    expect(chat.ok && JSON.parse(new TextDecoder().decode(chat.value.body)).stream_options).toEqual({ include_usage: true });
  });
});

function whole(type: ProviderType, path: string, endpoint: CallPlan['endpoint'] = 'chat', status = 200) {
  const plan = prepare(type, { model: 'gpt-4o-mini', messages }, endpoint === 'models' ? 'chat' : endpoint).plan;
  const body = encoder.encode(fixture(path));
  return { body, result: createAdapter(type).fromUpstream(status, body, { ...plan, endpoint }) };
}

describe('whole answers', () => {
  it('maps cached and reasoning tokens without counting them twice, and returns the bytes as received', () => {
    const { body, result } = whole('openai', 'openai/chat.json');
    if (!result.ok) throw result.error;
    expect(result.value.openaiBody).toBe(body);
    expect(result.value.usage).toMatchObject({ input: { total: 1000, cacheRead: 400, cacheWrite: 0 }, output: { total: 200, reasoning: 50 } });
    expect(result.value).toMatchObject({ usageSource: 'provider', finishReason: 'stop', responseModel: 'gpt-4o-2024-08-06', toolCallsCount: 0 });
    expect(result.value.output).toEqual((JSON.parse(fixture('openai/chat.json')) as { choices: { message: unknown }[] }).choices[0]!.message);
  });

  it('adds reasoning that a server reports beside the completion count, never to OpenAI\'s own', () => {
    const answerWith = (usage: Record<string, unknown>) => {
      const plan = prepare('openai-compatible', { model: 'gemini-2.5-flash', messages }, 'chat').plan;
      const body = JSON.stringify({ ...(JSON.parse(fixture('openai/chat.json')) as object), usage });
      const result = createAdapter('openai-compatible').fromUpstream(200, encoder.encode(body), plan);
      if (!result.ok) throw result.error;
      return result.value.usage;
    };
    // total = prompt + completion + reasoning: the 382 reasoning tokens were not in the 151.
    expect(answerWith({ prompt_tokens: 20, completion_tokens: 151, total_tokens: 553, completion_tokens_details: { reasoning_tokens: 382 } }))
      .toMatchObject({ input: { total: 20 }, output: { total: 533, reasoning: 382 } });
    // More reasoning than completion tokens: only possible if they were counted apart.
    expect(answerWith({ prompt_tokens: 21, completion_tokens: 0, completion_tokens_details: { reasoning_tokens: 60 } })).toMatchObject({ output: { total: 60, reasoning: 60 } });
    // OpenAI's count (total = prompt + completion) already holds its reasoning.
    expect(answerWith({ prompt_tokens: 20, completion_tokens: 533, total_tokens: 553, completion_tokens_details: { reasoning_tokens: 382 } })).toMatchObject({ output: { total: 533, reasoning: 382 } });
  });

  it('counts tool calls', () => {
    const { result } = whole('openai', 'openai/chat-tools.json');
    if (!result.ok) throw result.error;
    expect(result.value).toMatchObject({ toolCallsCount: 2, finishReason: 'tool_calls' });
    expect(result.value.completionText).toContain('get_current_time');
  });

  it('reads legacy completions and both embedding encodings', () => {
    const completion = whole('vllm', 'openai/completions.json', 'completions').result;
    if (!completion.ok) throw completion.error;
    expect(completion.value).toMatchObject({ finishReason: 'length', completionText: '\n\nThis is indeed a test' });
    for (const path of ['openai/embeddings.json', 'openai/embeddings-base64.json']) {
      const { result } = whole('openai', path, 'embeddings');
      if (!result.ok) throw result.error;
      expect(result.value.usage).toMatchObject({ input: { total: 8 }, output: { total: 0 } });
      expect(result.value.finishReason).toBeNull();
    }
  });

  it('rejects a 200 that is an HTML page or an error object', () => {
    const html = whole('openai', 'openai/html-200.txt').result;
    expect(html.ok ? null : { kind: html.error.kind, status: html.error.status }).toEqual({ kind: 'invalid_response', status: 502 });
    expect(html.ok ? '' : html.error.message).toContain('502 Bad Gateway');
    const plan = prepare('openai', { model: 'gpt-4o-mini', messages }).plan;
    const errorObject = createAdapter('openai').fromUpstream(200, encoder.encode('{"error":{"message":"upstream exploded","code":"boom"}}'), plan);
    expect(errorObject.ok ? null : { kind: errorObject.error.kind, code: errorObject.error.code }).toEqual({ kind: 'server_error', code: 'boom' });
  });

  it('fails an HTML page sent as a 200 stream with a clear message', () => {
    const plan = prepare('openai', { model: 'gpt-4o-mini', stream: true, messages }).plan;
    const run = runTransform(createAdapter('openai').createStreamTransform(plan), [encoder.encode(fixture('openai/html-200.txt'))]);
    expect(run.forwarded).toBe('');
    const terminal = run.observations.terminal;
    expect(terminal?.kind === 'error' ? terminal.error.message : '').toBe('upstream answered 200 with an HTML page (502 Bad Gateway) instead of an event stream');
  });
  it('fails a JSON error body sent with 200 to a streaming request, quoting its message', () => {
    const plan = prepare('vllm', { model: 'gpt-4o-mini', stream: true, messages }).plan;
    const body = '{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","code":404}';
    const run = runTransform(createAdapter('vllm').createStreamTransform(plan), [encoder.encode(body.slice(0, 10)), encoder.encode(body.slice(10))]);
    const terminal = run.observations.terminal;
    expect(terminal?.kind === 'error' ? [terminal.error.kind, terminal.error.message] : null)
      .toEqual(['invalid_response', 'upstream answered 200 with a JSON body instead of an event stream: The model `x` does not exist.']);
  });
});

describe('errors', () => {
  const adapter = createAdapter('openai');
  const nowMs = Date.parse('2025-01-01T00:00:00Z');

  it('maps a 429 with Retry-After to a retryable rate limit', () => {
    const error = adapter.mapError(429, encoder.encode(fixture('openai/error-429.json')), { 'Retry-After': '2' }, nowMs);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, code: 'rate_limit_exceeded', isRetryable: true, retryAfterMs: 2000 });
    const dated = adapter.mapError(429, encoder.encode('{}'), { 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, nowMs);
    expect(dated.retryAfterMs).toBe(30_000);
  });

  it('does not retry exhausted quota, and classifies 5xx, auth and HTML errors', () => {
    expect(adapter.mapError(429, encoder.encode('{"error":{"message":"quota","code":"insufficient_quota"}}'), {}).isRetryable).toBe(false);
    expect(adapter.mapError(500, encoder.encode('{"error":{"message":"boom"}}'), {})).toMatchObject({ kind: 'server_error', status: 500, isRetryable: true, message: 'boom' });
    expect(adapter.mapError(401, encoder.encode('{"error":{"message":"bad key"}}'), {})).toMatchObject({ kind: 'auth', isRetryable: false });
    expect(adapter.mapError(503, encoder.encode(fixture('openai/html-200.txt')), {}).message).toBe('upstream answered 503 with an HTML page (502 Bad Gateway)');
  });

  it('writes the terminal SSE error event in OpenAI shape', () => {
    const error = adapter.mapError(500, encoder.encode('{"error":{"message":"boom","code":"E1"}}'), {});
    const event = decoder.decode(encodeSseErrorEvent(error));
    expect(event.endsWith('\n\n')).toBe(true);
    expect(JSON.parse(event.slice('data: '.length))).toEqual({ error: { message: 'boom', type: 'server_error', code: 'E1', param: null } });
  });
});

describe('provider types', () => {
  it('describes every type: base URL, local or remote, env prefix', () => {
    expect(PROVIDER_TYPE_INFO.openai).toMatchObject({ defaultBaseUrl: 'https://api.openai.com/v1', location: 'remote', envPrefix: 'OPENAI', requiresApiKey: true });
    expect(PROVIDER_TYPE_INFO.ollama).toMatchObject({ family: 'ollama', defaultBaseUrl: 'http://127.0.0.1:11434', location: 'local', envPrefix: 'OLLAMA', requiresApiKey: false });
    expect(PROVIDER_TYPE_INFO['ollama-openai']).toMatchObject({ family: 'openai-compatible', location: 'local' });
    expect(PROVIDER_TYPE_INFO['openai-compatible'].defaultBaseUrl).toBeNull();
    expect([...ENV_SHORTCUT_TYPES].sort()).toEqual(['anthropic', 'azure', 'deepseek', 'fireworks', 'gemini', 'groq', 'mistral', 'ollama', 'openai', 'openrouter', 'together', 'xai']);
    // Azure has no default address (each operator has a resource of its own) but needs a key.
    expect(PROVIDER_TYPE_INFO.azure).toMatchObject({ family: 'openai-compatible', defaultBaseUrl: null, location: 'remote', envPrefix: 'AZURE_OPENAI', requiresApiKey: true });
    expect(PROVIDER_TYPE_INFO.deepseek).toMatchObject({ family: 'openai-compatible', defaultBaseUrl: 'https://api.deepseek.com/v1', location: 'remote', envPrefix: 'DEEPSEEK', requiresApiKey: true });
    expect(PROVIDER_TYPE_INFO.groq).toMatchObject({ family: 'openai-compatible', defaultBaseUrl: 'https://api.groq.com/openai/v1', location: 'remote', envPrefix: 'GROQ', requiresApiKey: true });
    // Bedrock's address is its region's runtime; its key goes by AWS's own variable (no prefix), and without one calls are signed.
    expect(PROVIDER_TYPE_INFO.bedrock).toMatchObject({ family: 'bedrock', defaultBaseUrl: null, location: 'remote', envPrefix: null, requiresApiKey: false });
    expect(isProviderType('vllm')).toBe(true);
    expect(isProviderType('vertex')).toBe(false);
  });

  it('joins base URLs and paths with exactly one slash', () => {
    expect(joinUpstreamUrl('https://openrouter.ai/api/v1/', '/chat/completions')).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(joinUpstreamUrl('http://127.0.0.1:11434', 'api/chat')).toBe('http://127.0.0.1:11434/api/chat');
  });
});

describe("OpenAI's Responses API", () => {
  const wire = fixture('openai/responses-stream.sse');

  it('is sent as received, without stream_options, to /responses; Mistral does not serve it', () => {
    const body = { model: 'gpt-4o-mini', input: 'Hi', stream: true };
    const raw = JSON.stringify(body);
    const request = prepare('openai', body, 'responses', raw);
    expect([request.path, decoder.decode(request.body!)]).toEqual(['/responses', raw]);
    expect(request.plan).toMatchObject({ endpoint: 'responses', stream: true, stripUsageChunk: false, clientWantsUsage: false, usageExpected: true });
    const refused = createAdapter('mistral').toUpstream({ endpoint: 'responses', body }, CONTEXT);
    expect(refused.ok ? null : refused.error.code).toBe('unsupported_endpoint');
  });

  it('forwards the events byte for byte however the reads cut them, and reads text, usage and the finish', () => {
    const plan = prepare('openai', { model: 'gpt-4o-mini', input: 'Hi', stream: true }, 'responses').plan;
    const bytes = encoder.encode(wire);
    for (const size of [1, 7, 64, bytes.length]) {
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      const run = runTransform(createAdapter('openai').createStreamTransform(plan), pieces);
      expect(run.forwarded).toBe(wire);
      expect(run.observations).toMatchObject({ content: 'Hi there! How can I help?', finishReason: 'stop', usageComplete: true, sawFirstToken: true, responseModel: 'gpt-4o-2024-08-06', terminal: { kind: 'done' } });
      expect(run.observations.usage).toMatchObject({ input: { total: 1296, cacheRead: 1152 }, output: { total: 12, reasoning: 0 } });
      // The first token arrives with the read that completes the first text delta's event.
      const deltaEnd = wire.indexOf('\n\n', wire.indexOf('"delta":"Hi"')) + 2;
      const first = run.steps.findIndex((step) => step.firstToken);
      expect(Math.min(bytes.length, (first + 1) * size)).toBeGreaterThanOrEqual(deltaEnd);
      expect(first * size).toBeLessThan(deltaEnd);
    }
  });

  it('fails a stream that ends before response.completed, and one whose answer is not a response', () => {
    const plan = prepare('openai', { model: 'gpt-4o-mini', input: 'Hi', stream: true }, 'responses').plan;
    const cut = wire.slice(0, wire.indexOf('event: response.completed'));
    const run = runTransform(createAdapter('openai').createStreamTransform(plan), [encoder.encode(cut)]);
    expect(run.forwarded).toBe(cut);
    expect(run.observations.terminal).toMatchObject({ kind: 'error', error: { code: 'stream_truncated' } });
    expect(run.observations.usage).toBeNull();
    const whole = createAdapter('openai').fromUpstream(200, encoder.encode(fixture('openai/chat.json')), prepare('openai', { model: 'gpt-4o-mini', input: 'Hi' }, 'responses').plan);
    expect(whole.ok ? null : whole.error.kind).toBe('invalid_response');
  });
});
