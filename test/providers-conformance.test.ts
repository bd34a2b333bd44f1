// One conformance suite over every adapter: declared capabilities are honoured, and each
// recorded stream gives the same client bytes and observations however the network splits
// it (every single byte boundary, and one byte per read), with TTFT stamped exactly once.
import { describe, expect, it } from 'vitest';
import type { Endpoint, ProviderAdapter, StreamTransform } from '../src/providers/kit/adapter.js';
import { createAdapter, PROVIDER_TYPE_INFO, PROVIDER_TYPES, type ProviderType } from '../src/providers/provider-types.js';
import { fixture, runTransform, wireBytes, wireChunks, type TransformRun } from './helpers/fake-upstream.js';

const encoder = new TextEncoder();
const CONTEXT = { nowMs: 1_750_000_000_000, callId: 'chatcmpl-loupe-test' };
const USER = [{ role: 'user', content: 'Hello' }];

interface ExpectedUsage {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

interface StreamCase {
  name: string;
  type: ProviderType;
  fixture: string;
  body: Record<string, unknown>;
  /** Checks on what the adapter sends upstream. */
  outgoing: (body: Record<string, unknown>, path: string) => void;
  terminal: 'done' | 'error';
  usage: ExpectedUsage | null;
  usageComplete: boolean;
  finishReason: string | null;
  toolCallsCount: number;
  /** The first generated text (content, reasoning or tool name): TTFT is stamped when it arrives. */
  firstToken: string;
  /** All content text, in order. */
  content: string;
  /** For pass-through adapters: which wire chunks reach the client, by index. */
  forwardedChunks?: number[];
  /** For translating adapters: whether the client stream ends with [DONE] and carries a usage chunk. */
  translated?: { done: boolean; usageChunk: boolean };
}

const stream = (extra: Record<string, unknown> = {}) => ({ model: 'test-model', stream: true, messages: USER, ...extra });
const injected = (body: Record<string, unknown>) => expect(body.stream_options).toEqual({ include_usage: true });

const CASES: StreamCase[] = [
  {
    name: 'OpenAI chat with the injected usage chunk removed', firstToken: 'Hello', type: 'openai', fixture: 'openai/chat-stream.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'done', usage: { input: 19, cacheRead: 0, cacheWrite: 0, output: 10, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'Hello! How can I help you today?', forwardedChunks: [0, 1, 2, 3, 4, 6],
  },
  {
    name: 'OpenAI tool calls, usage chunk kept for a client that asked', firstToken: 'get_weather', type: 'openai', fixture: 'openai/chat-stream-tools.chunks.txt',
    body: stream({ stream_options: { include_usage: true } }), outgoing: (body) => expect(body.stream_options).toEqual({ include_usage: true }),
    terminal: 'done', usage: { input: 82, cacheRead: 0, cacheWrite: 0, output: 17, reasoning: 0 }, usageComplete: true,
    finishReason: 'tool_calls', toolCallsCount: 1, content: '', forwardedChunks: [0, 1, 2, 3, 4, 5],
  },
  {
    name: 'OpenAI reasoning and cached tokens split out of the totals', firstToken: 'The answer', type: 'openai', fixture: 'openai/chat-stream-reasoning.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'done', usage: { input: 1200, cacheRead: 1024, cacheWrite: 0, output: 980, reasoning: 960 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'The answer is 42.', forwardedChunks: [0, 1, 2, 3, 5],
  },
  {
    name: 'vLLM cumulative usage on every chunk: the last wins', firstToken: 'Paris', type: 'vllm', fixture: 'vllm/chat-stream-cumulative.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'done', usage: { input: 21, cacheRead: 0, cacheWrite: 0, output: 6, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'Paris is the capital.', forwardedChunks: [0, 1, 2, 3, 4, 6],
  },
  {
    name: 'OpenRouter reasoning deltas and processing comments', firstToken: 'Let me think.', type: 'openrouter', fixture: 'openrouter/chat-stream-reasoning.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'done', usage: { input: 14, cacheRead: 0, cacheWrite: 0, output: 120, reasoning: 112 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: '4', forwardedChunks: [0, 1, 2, 3, 4, 5, 7],
  },
  {
    name: 'Mistral usage on the final chunk, nothing injected', firstToken: 'Bonjour', type: 'mistral', fixture: 'mistral/chat-stream.chunks.txt', body: stream(),
    outgoing: (body) => expect(body).not.toHaveProperty('stream_options'), terminal: 'done',
    usage: { input: 9, cacheRead: 0, cacheWrite: 0, output: 4, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'Bonjour !', forwardedChunks: [0, 1, 2, 3],
  },
  {
    name: 'Groq: x_groq request id and usage beside the injected usage chunk', firstToken: 'Fast', type: 'groq', fixture: 'groq/chat-stream.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'done', usage: { input: 42, cacheRead: 0, cacheWrite: 0, output: 4, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'Fast inference.', forwardedChunks: [0, 1, 2, 3, 5],
  },
  {
    name: 'Bedrock ConverseStream text, usage in the metadata event after the stop', firstToken: 'Paris', type: 'bedrock', fixture: 'bedrock/converse-stream.events.jsonl',
    body: stream({ stream_options: { include_usage: true } }), outgoing: (body, path) => expect([path, body.stream, body.stream_options]).toEqual(['/model/test-model/converse-stream', undefined, undefined]),
    terminal: 'done', usage: { input: 19, cacheRead: 0, cacheWrite: 0, output: 8, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'Paris is the capital of France.', translated: { done: true, usageChunk: true },
  },
  {
    name: 'Bedrock ConverseStream reasoning, text and a tool call in pieces, cache reads', firstToken: 'The user wants the weather', type: 'bedrock', fixture: 'bedrock/converse-stream-tools.events.jsonl',
    body: stream(), outgoing: () => undefined, terminal: 'done', usage: { input: 2410, cacheRead: 2000, cacheWrite: 0, output: 96, reasoning: 0 }, usageComplete: true,
    finishReason: 'tool_calls', toolCallsCount: 1, content: 'Let me check.', translated: { done: true, usageChunk: false },
  },
  {
    name: 'Bedrock ConverseStream stopped by a throttling exception', firstToken: 'Paris', type: 'bedrock', fixture: 'bedrock/converse-stream-throttled.events.jsonl',
    body: stream(), outgoing: () => undefined, terminal: 'error', usage: null, usageComplete: false,
    finishReason: null, toolCallsCount: 0, content: 'Paris', translated: { done: false, usageChunk: false },
  },
  {
    name: 'Ollama /v1 legacy completions', firstToken: 'This', type: 'ollama-openai', fixture: 'openai/completions-stream.chunks.txt', body: { model: 'test-model', stream: true, prompt: 'Say this is a test' },
    outgoing: (body, path) => { injected(body); expect(path).toBe('/completions'); }, terminal: 'done',
    usage: { input: 4, cacheRead: 0, cacheWrite: 0, output: 4, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'This is a test', forwardedChunks: [0, 1, 2, 4],
  },
  {
    name: 'OpenAI stream with a garbage event', firstToken: 'Hi', type: 'openai', fixture: 'openai/chat-stream-garbage.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'error', usage: null, usageComplete: false, finishReason: null, toolCallsCount: 0, content: 'Hi', forwardedChunks: [0, 1],
  },
  {
    name: 'OpenAI stream cut inside an event', firstToken: 'Once upon', type: 'lmstudio', fixture: 'openai/chat-stream-cut-mid-event.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'error', usage: null, usageComplete: false, finishReason: null, toolCallsCount: 0, content: 'Once upon', forwardedChunks: [0, 1],
  },
  {
    name: 'OpenAI stream ended without finish_reason or [DONE]', firstToken: 'Hello', type: 'localai', fixture: 'openai/chat-stream-cut.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'error', usage: null, usageComplete: false, finishReason: null, toolCallsCount: 0, content: 'Hello! How can I help', forwardedChunks: [0, 1, 2],
  },
  {
    name: 'OpenRouter error object mid-stream', firstToken: 'Partial', type: 'openrouter', fixture: 'openrouter/chat-stream-error.chunks.txt', body: stream(),
    outgoing: injected, terminal: 'error', usage: null, usageComplete: false, finishReason: null, toolCallsCount: 0, content: 'Partial', forwardedChunks: [0, 1],
  },
  {
    name: 'Anthropic text with cache reads and writes, ping', firstToken: 'Hello', type: 'anthropic', fixture: 'anthropic/stream-cache.sse', body: stream(),
    outgoing: (body, path) => { expect(path).toBe('/messages'); expect(body).toMatchObject({ model: 'test-model', stream: true, max_tokens: 4096 }); },
    terminal: 'done', usage: { input: 2125, cacheRead: 2000, cacheWrite: 100, output: 15, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'Hello!', translated: { done: true, usageChunk: false },
  },
  {
    name: 'Anthropic tool_use with input_json_delta, usage chunk asked', firstToken: 'Okay', type: 'anthropic', fixture: 'anthropic/stream-tool-use.sse', body: stream({ stream_options: { include_usage: true } }),
    outgoing: (body) => expect(body).not.toHaveProperty('stream_options'), terminal: 'done',
    usage: { input: 472, cacheRead: 0, cacheWrite: 0, output: 89, reasoning: 0 }, usageComplete: true,
    finishReason: 'tool_calls', toolCallsCount: 1, content: "Okay, let's check the weather.", translated: { done: true, usageChunk: true },
  },
  {
    name: 'Anthropic thinking then text, stopped by max_tokens', firstToken: '27 * 453', type: 'anthropic', fixture: 'anthropic/stream-thinking.sse', body: stream(),
    outgoing: () => undefined, terminal: 'done', usage: { input: 40, cacheRead: 0, cacheWrite: 0, output: 57, reasoning: 0 }, usageComplete: true,
    finishReason: 'length', toolCallsCount: 0, content: '27 × 453 = 12,231', translated: { done: true, usageChunk: false },
  },
  {
    name: 'Anthropic overloaded error event', firstToken: '', type: 'anthropic', fixture: 'anthropic/stream-overloaded.sse', body: stream(),
    outgoing: () => undefined, terminal: 'error', usage: { input: 2125, cacheRead: 2000, cacheWrite: 100, output: 1, reasoning: 0 }, usageComplete: false,
    finishReason: null, toolCallsCount: 0, content: '', translated: { done: false, usageChunk: false },
  },
  {
    name: 'Anthropic stream cut inside an event', firstToken: 'Half', type: 'anthropic', fixture: 'anthropic/stream-cut.sse', body: stream(),
    outgoing: () => undefined, terminal: 'error', usage: { input: 30, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 }, usageComplete: false,
    finishReason: null, toolCallsCount: 0, content: 'Half a sen', translated: { done: false, usageChunk: false },
  },
  {
    name: 'Ollama native NDJSON with its eval counts', firstToken: 'The', type: 'ollama', fixture: 'ollama/chat-stream.ndjson', body: stream({ stream_options: { include_usage: true } }),
    outgoing: (body, path) => { expect(path).toBe('/api/chat'); expect(body).toMatchObject({ model: 'test-model', stream: true }); }, terminal: 'done',
    usage: { input: 26, cacheRead: 0, cacheWrite: 0, output: 282, reasoning: 0 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'The sky is blue.', translated: { done: true, usageChunk: true },
  },
  {
    name: 'Ollama native thinking and a tool call', firstToken: 'The user asks', type: 'ollama', fixture: 'ollama/chat-stream-tools.ndjson', body: stream(),
    outgoing: () => undefined, terminal: 'done', usage: { input: 168, cacheRead: 0, cacheWrite: 0, output: 42, reasoning: 0 }, usageComplete: true,
    finishReason: 'tool_calls', toolCallsCount: 1, content: '', translated: { done: true, usageChunk: false },
  },
  {
    name: 'Ollama native stream without its done line', firstToken: 'The', type: 'ollama', fixture: 'ollama/chat-stream-cut.ndjson', body: stream(),
    outgoing: () => undefined, terminal: 'error', usage: null, usageComplete: false, finishReason: null, toolCallsCount: 0, content: 'The sky', translated: { done: false, usageChunk: false },
  },
  {
    name: 'Gemini events with thinking and cached tokens, usage on every event', firstToken: 'Paris is', type: 'gemini', fixture: 'gemini/chat-stream.chunks.txt', body: stream({ stream_options: { include_usage: true } }),
    outgoing: (body, path) => { expect(path).toBe('/models/test-model:streamGenerateContent?alt=sse'); expect(body).not.toHaveProperty('stream'); }, terminal: 'done',
    usage: { input: 1250, cacheRead: 1024, cacheWrite: 0, output: 150, reasoning: 142 }, usageComplete: true,
    finishReason: 'stop', toolCallsCount: 0, content: 'Paris is the capital of France.', translated: { done: true, usageChunk: true },
  },
  {
    name: 'Gemini function call, whole in one event', firstToken: 'get_weather', type: 'gemini', fixture: 'gemini/chat-stream-tools.chunks.txt', body: stream(),
    outgoing: () => undefined, terminal: 'done', usage: { input: 96, cacheRead: 0, cacheWrite: 0, output: 19, reasoning: 0 }, usageComplete: true,
    finishReason: 'tool_calls', toolCallsCount: 1, content: '', translated: { done: true, usageChunk: false },
  },
  {
    name: 'Gemini stream cut before its finish reason', firstToken: 'Paris is', type: 'gemini', fixture: 'gemini/chat-stream-cut.chunks.txt', body: stream(),
    outgoing: () => undefined, terminal: 'error', usage: { input: 1250, cacheRead: 0, cacheWrite: 0, output: 144, reasoning: 142 }, usageComplete: false,
    finishReason: null, toolCallsCount: 0, content: 'Paris is', translated: { done: false, usageChunk: false },
  },
];

function prepare(testCase: StreamCase): { adapter: ProviderAdapter; transform: () => StreamTransform; outgoing: Record<string, unknown>; path: string } {
  const adapter = createAdapter(testCase.type);
  const endpoint: Endpoint = 'prompt' in testCase.body ? 'completions' : 'chat';
  const prepared = adapter.toUpstream({ endpoint, body: testCase.body, rawBody: encoder.encode(JSON.stringify(testCase.body)) }, { model: 'test-model', ...CONTEXT });
  if (!prepared.ok) throw prepared.error;
  const outgoing = JSON.parse(new TextDecoder().decode(prepared.value.body ?? new Uint8Array())) as Record<string, unknown>;
  return { adapter, transform: () => adapter.createStreamTransform(prepared.value.plan), outgoing, path: prepared.value.path };
}

function splitAt(bytes: Uint8Array, cut: number): Uint8Array[] {
  return [bytes.subarray(0, cut), bytes.subarray(cut)];
}

/** The client's view of a translated stream: parsed data events and whether [DONE] came. */
function clientEvents(text: string): { chunks: Array<Record<string, unknown>>; done: boolean } {
  const data = text.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice(6));
  return { chunks: data.filter((item) => item !== '[DONE]').map((item) => JSON.parse(item) as Record<string, unknown>), done: data.at(-1) === '[DONE]' };
}

function checkFirstToken(run: TransformRun, token: string): void {
  const flagged = run.steps.filter((one) => one.firstToken);
  expect(flagged).toHaveLength(token === '' ? 0 : 1);
  // The bytes forwarded up to the flagged read hold the first token; those before it do not.
  const index = run.steps.findIndex((one) => one.firstToken);
  const before = Buffer.concat(run.steps.slice(0, index).map((one) => one.forward)).toString('utf8');
  const through = Buffer.concat(run.steps.slice(0, index + 1).map((one) => one.forward)).toString('utf8');
  if (token !== '') {
    expect(before).not.toContain(JSON.stringify(token).slice(1, -1));
    expect(through).toContain(JSON.stringify(token).slice(1, -1));
  }
}

describe.each(CASES)('stream conformance: $name ($type)', (testCase) => {
  const wire = wireBytes(testCase.fixture);

  it('sends the expected upstream request', () => {
    const { outgoing, path } = prepare(testCase);
    // Gemini names the model in the path, not the body.
    expect(outgoing.model ?? path).toContain('test-model');
    testCase.outgoing(outgoing, path);
  });

  it('forwards the expected bytes and observes usage, finish reason and tools', () => {
    const run = runTransform(prepare(testCase).transform(), [wire]);
    const observed = run.observations;
    expect(observed.terminal?.kind).toBe(testCase.terminal);
    expect(run.steps.filter((one) => one.terminal !== null)).toHaveLength(1);
    const usage = observed.usage;
    expect(usage === null ? null : { input: usage.input.total, cacheRead: usage.input.cacheRead, cacheWrite: usage.input.cacheWrite, output: usage.output.total, reasoning: usage.output.reasoning }).toEqual(testCase.usage);
    expect(observed.usageComplete).toBe(testCase.usageComplete);
    expect(observed.finishReason).toBe(testCase.finishReason);
    expect(observed.toolCallsCount).toBe(testCase.toolCallsCount);
    expect(observed.content).toBe(testCase.content);
    if (testCase.forwardedChunks) {
      const chunks = wireChunks(testCase.fixture);
      expect(run.forwarded).toBe(testCase.forwardedChunks.map((index) => chunks[index]).join(''));
    }
    if (testCase.translated) {
      const client = clientEvents(run.forwarded);
      expect(client.done).toBe(testCase.translated.done);
      const usageChunks = client.chunks.filter((chunk) => chunk.usage !== undefined);
      expect(usageChunks.length).toBe(testCase.translated.usageChunk ? 1 : 0);
      if (testCase.translated.usageChunk && testCase.usage) {
        const prompt = testCase.usage.input;
        expect(usageChunks[0]?.usage).toMatchObject({ prompt_tokens: prompt, completion_tokens: testCase.usage.output, total_tokens: prompt + testCase.usage.output });
      }
      const text = client.chunks.map((chunk) => ((chunk.choices as Array<{ delta: { content?: string } }> | undefined) ?? []).map((choice) => choice.delta.content ?? '').join('')).join('');
      expect(text).toBe(testCase.content);
    }
    expect(observed.sawFirstToken).toBe(testCase.firstToken !== '');
    checkFirstToken(run, testCase.firstToken);
  });

  it('gives the same result at every byte boundary and one byte per read', () => {
    const whole = runTransform(prepare(testCase).transform(), [wire]);
    const { transform } = prepare(testCase);
    for (let cut = 1; cut < wire.length; cut += 1) {
      const run = runTransform(transform(), splitAt(wire, cut));
      if (run.forwarded !== whole.forwarded) expect.fail(`split at byte ${cut} changed the forwarded bytes`);
      expect(run.observations).toEqual(whole.observations);
      expect(run.steps.filter((one) => one.firstToken)).toHaveLength(whole.observations.sawFirstToken ? 1 : 0);
    }
    const bytewise = runTransform(transform(), Array.from({ length: wire.length }, (_, index) => wire.subarray(index, index + 1)));
    expect(bytewise.forwarded).toBe(whole.forwarded);
    expect(bytewise.observations).toEqual(whole.observations);
    checkFirstToken(bytewise, testCase.firstToken);
  });
});

const MODEL_FIXTURES: Readonly<Record<string, { path: string; first: string }>> = {
  anthropic: { path: 'anthropic/models.json', first: 'claude-sonnet-4-20250514' },
  ollama: { path: 'ollama/tags.json', first: 'llama3.2:latest' },
  gemini: { path: 'gemini/models.json', first: 'gemini-2.5-flash' },
};

describe.each(PROVIDER_TYPES.map((type) => ({ type })))('capability conformance: $type', ({ type }) => {
  const adapter = createAdapter(type);

  it('passes upstream bytes through exactly when its family speaks OpenAI', () => {
    expect(adapter.passesThrough).toBe(PROVIDER_TYPE_INFO[type].family === 'openai-compatible');
  });

  it.each(['chat', 'completions', 'embeddings'] as const)('serves %s exactly when it declares it', (endpoint) => {
    const body = endpoint === 'chat' ? { model: 'm', messages: USER } : endpoint === 'completions' ? { model: 'm', prompt: 'hi' } : { model: 'm', input: 'hi' };
    const prepared = adapter.toUpstream({ endpoint, body }, { model: 'm', ...CONTEXT });
    expect(prepared.ok).toBe(adapter.capabilities[endpoint]);
    if (!prepared.ok) {
      expect(prepared.error.kind).toBe('bad_request');
      expect(prepared.error.status).toBe(400);
    }
  });

  it('carries tools upstream when it declares tools', () => {
    expect(adapter.capabilities.tools).toBe(true);
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const prepared = adapter.toUpstream({ endpoint: 'chat', body: { model: 'm', messages: USER, tools } }, { model: 'm', ...CONTEXT });
    if (!prepared.ok) throw prepared.error;
    const sent = JSON.parse(new TextDecoder().decode(prepared.value.body ?? new Uint8Array())) as { tools?: Array<Record<string, unknown>>; toolConfig?: { tools: Array<Record<string, unknown>> } };
    // Bedrock's Converse keeps them in its toolConfig.
    const declared = sent.tools ?? sent.toolConfig?.tools;
    expect(declared).toHaveLength(1);
    expect(JSON.stringify(declared![0])).toContain('get_weather');
  });

  it('lists models with its own request and parser, or (Bedrock, whose runtime lists none) proves the address and key with it', () => {
    const request = adapter.modelsRequest({ apiKey: 'sk-test' });
    expect(request.method).toBe('GET');
    expect(request.body).toBeNull();
    if (!adapter.capabilities.models) {
      expect(type).toBe('bedrock');
      const listed = adapter.parseModels(200, encoder.encode('{"asyncInvokeSummaries":[]}'));
      expect(listed.ok ? listed.value : null).toEqual([]);
      const refused = adapter.parseModels(403, encoder.encode('{"message":"Authentication failed"}'));
      expect(refused.ok ? null : [refused.error.kind, refused.error.message]).toEqual(['auth', 'Authentication failed']);
      return;
    }
    const known = MODEL_FIXTURES[type] ?? { path: 'openai/models.json', first: 'gpt-4o-mini' };
    const models = adapter.parseModels(200, encoder.encode(fixture(known.path)));
    if (!models.ok) throw models.error;
    expect(models.value[0]?.id).toBe(known.first);
    const failed = adapter.parseModels(200, encoder.encode('<html><title>Login</title></html>'));
    expect(failed.ok ? null : failed.error.kind).toBe('invalid_response');
  });

  it('never throws on garbage, whatever the bytes', () => {
    const prepared = adapter.toUpstream({ endpoint: 'chat', body: { model: 'm', stream: true, messages: USER } }, { model: 'm', ...CONTEXT });
    if (!prepared.ok) throw prepared.error;
    for (const garbage of ['\u0000\u0001\u0002', 'data: {"choices":[{"delta":{"content":5}}]}\n\n', '{"done":"yes"}\n', 'event: x\ndata: [1,2\n\n', '\r\r\r']) {
      const run = runTransform(adapter.createStreamTransform(prepared.value.plan), [encoder.encode(garbage)]);
      expect(run.observations.terminal?.kind).toBe('error');
    }
    const whole = adapter.fromUpstream(200, encoder.encode('not json at all'), prepared.value.plan);
    expect(whole.ok ? null : whole.error.kind).toBe('invalid_response');
  });
});
