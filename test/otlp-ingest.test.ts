// OpenTelemetry spans of model calls, made by the OpenTelemetry JS SDK and encoded by its own
// OTLP serializers and exporters (binary protobuf and JSON, plain and gzip), recorded as calls:
// each field where Loupe keeps it, costs from published prices, attribution taken from an
// enclosing agent span, other spans skipped, refusals counted in OTLP's partial success, a span
// sent again stored once, and every malformed request refused by name.
import { gzipSync } from 'node:zlib';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

let server: TestServer;
const NOW_S = Math.floor(Date.now() / 1000) - 600;
/** A time `ms` after NOW_S, exact to the nanosecond. */
const at = (ms: number): HrTime => [NOW_S + Math.floor(ms / 1000), (ms % 1000) * 1_000_000];

interface SpanSpec {
  name: string;
  attributes: Attributes;
  start: number;
  end: number;
  error?: string;
  exception?: string;
  parent?: ReturnType<ReturnType<BasicTracerProvider['getTracer']>['startSpan']>;
}

/** Spans made by the SDK, kept in memory until a test sends them. */
function spanMaker(service: string) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('test-instrumentation', '1.0.0');
  const open = (spec: SpanSpec) => {
    const parentContext = spec.parent ? trace.setSpan(context.active(), spec.parent) : context.active();
    return tracer.startSpan(spec.name, { kind: SpanKind.CLIENT, attributes: spec.attributes, startTime: at(spec.start) }, parentContext);
  };
  const make = (spec: SpanSpec) => {
    const span = open(spec);
    if (spec.exception) span.recordException({ name: 'APIError', message: spec.exception });
    if (spec.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: spec.error });
    span.end(at(spec.end));
    return span;
  };
  return { memory, provider, open, make, spans: (): ReadableSpan[] => memory.getFinishedSpans() };
}

const idOf = (span: ReadableSpan) => `otel:${span.spanContext().traceId}:${span.spanContext().spanId}`;

async function call(id: string, key?: string) {
  const response = await server.request('GET', `/api/v1/logs/${encodeURIComponent(id)}`, key ? { key } : {});
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

function postProtobuf(bytes: Uint8Array, options: { gzip?: boolean; key?: string | null; url?: string } = {}) {
  const payload = options.gzip ? gzipSync(bytes) : Buffer.from(bytes);
  const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', ...(options.gzip ? { 'content-encoding': 'gzip' } : {}) };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? 'lp_test_admin_key_0123456789abcdef'}`;
  return server.app.inject({ method: 'POST', url: options.url ?? '/v1/traces', headers, payload });
}

const chatMessages = JSON.stringify([
  { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
]);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('OTLP/HTTP traces: model-call spans recorded as calls', () => {
  const maker = spanMaker('checkout-bot');
  let agentSpan: ReturnType<typeof maker.open>;
  let chat: ReadableSpan, toolCall: ReadableSpan, anthropic: ReadableSpan, failed: ReadableSpan, unknownModel: ReadableSpan, legacy: ReadableSpan, embeddings: ReadableSpan, noModel: ReadableSpan;
  let answer: { rejected?: number; message?: string };

  beforeAll(async () => {
    agentSpan = maker.open({ name: 'invoke_agent planner', start: 0, end: 0, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.conversation.id': 'conv-42', 'user.id': 'user-7' } });
    maker.make({
      name: 'chat gpt-4o', start: 100, end: 1_850, parent: agentSpan,
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 400,
        'gen_ai.response.finish_reasons': ['stop'], 'gen_ai.request.temperature': 0.2, 'gen_ai.request.max_tokens': 500,
        'gen_ai.request.stream': true, 'gen_ai.response.time_to_first_chunk': 0.25, 'http.response.status_code': 200,
        'gen_ai.input.messages': chatMessages,
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Rainy, 14 °C.' }], finish_reason: 'stop' }]),
      },
    });
    maker.make({
      name: 'chat gpt-4o', start: 2_000, end: 2_600, parent: agentSpan,
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 150, 'gen_ai.usage.output_tokens': 20,
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.tool.definitions': JSON.stringify([{ type: 'function', name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_calls' }]),
      },
    });
    maker.make({ name: 'execute_tool get_weather', start: 2_600, end: 2_700, parent: agentSpan, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' } });
    agentSpan.end(at(3_000));
    // Anthropic counts cached input apart from input_tokens; the sum is the prompt.
    maker.make({
      name: 'chat claude', start: 3_000, end: 4_000,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-3-5-haiku-20241022', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 2000, 'gen_ai.usage.output_tokens': 50, 'gen_ai.conversation.id': 'conv-43' },
    });
    maker.make({
      name: 'chat gpt-4o-mini', start: 4_000, end: 4_200, error: 'Rate limit reached', exception: 'Rate limit reached for gpt-4o-mini',
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'error.type': '429', 'http.response.status_code': 429 },
    });
    maker.make({ name: 'chat my-finetune', start: 4_300, end: 4_400, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'ft:my-finetune', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 } });
    // OpenLLMetry's attribute names (older instrumentations still send them).
    maker.make({
      name: 'openai.chat', start: 4_500, end: 5_000,
      attributes: {
        'gen_ai.system': 'OpenAI', 'llm.request.type': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.prompt_tokens': 40, 'gen_ai.usage.completion_tokens': 8, 'llm.is_streaming': false,
        'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'Say hi', 'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'Hi!', 'gen_ai.completion.0.finish_reason': 'stop',
        'traceloop.association.properties.session_id': 'legacy-session',
      },
    });
    maker.make({ name: 'embeddings', start: 5_000, end: 5_050, attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 1000 } });
    maker.make({ name: 'chat', start: 5_100, end: 5_200, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' } });
    maker.make({ name: 'GET /health', start: 5_300, end: 5_310, attributes: { 'http.request.method': 'GET' } });

    const spans = maker.spans();
    const named = (name: string, index = 0) => spans.filter((span) => span.name === name)[index]!;
    [chat, toolCall, anthropic, failed, unknownModel, legacy, embeddings, noModel] = [named('chat gpt-4o'), named('chat gpt-4o', 1), named('chat claude'), named('chat gpt-4o-mini'), named('chat my-finetune'), named('openai.chat'), named('embeddings'), named('chat')];
    const response = await postProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-protobuf/);
    const decoded = ProtobufTraceSerializer.deserializeResponse(response.rawPayload);
    answer = { rejected: Number(decoded.partialSuccess?.rejectedSpans ?? 0), message: decoded.partialSuccess?.errorMessage };
  });

  it('records a chat span with its usage, price, timing, content and the agent span\'s attribution', async () => {
    const { status, body } = await call(idOf(chat));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      provider: 'openai', model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06', endpoint: '/v1/chat/completions', status: 'success', http_status: 200,
      trace_id: chat.spanContext().traceId, parent_id: `otel:${chat.spanContext().traceId}:${agentSpan.spanContext().spanId}`,
      prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, cached_tokens: 400, usage_source: 'provider',
      is_streaming: true, ttft_ms: 250, finish_reason: 'stop', tool_calls_count: 0,
      agent: 'planner', session_id: 'conv-42', user_id: 'user-7', tags: ['otel'], properties: { 'service.name': 'checkout-bot' },
      params: { temperature: 0.2, max_tokens: 500 }, price_source: 'catalog',
      input: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Weather in Paris?' }],
      output: { role: 'assistant', content: 'Rainy, 14 °C.' },
    });
    expect(body.started_at).toBe(new Date((NOW_S * 1000) + 100).toISOString());
    expect(body.latency_ms).toBeCloseTo(1_750, 6);
    // 300 output tokens over the 1.5 s after the first chunk.
    expect(body.tokens_per_second).toBeCloseTo(200, 6);
    // gpt-4o: $2.50 per million input tokens, $1.25 cached, $10 output.
    expect(body.cost_usd).toBeCloseTo(800 * 2.5e-6 + 400 * 1.25e-6 + 300 * 10e-6, 12);
  });

  it('counts an answer\'s tool calls, takes the finish reason and keeps the tools offered in OpenAI\'s form', async () => {
    expect((await call(idOf(toolCall))).body).toMatchObject({
      tool_calls_count: 1, finish_reason: 'tool_calls', agent: 'planner',
      params: { tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] },
      output: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    });
  });

  it('adds cached input counted apart from input_tokens to the prompt, and prices it', async () => {
    const { body } = await call(idOf(anthropic));
    expect(body).toMatchObject({ provider: 'anthropic', prompt_tokens: 2100, cached_tokens: 2000, completion_tokens: 50, session_id: 'conv-43', agent: null, user_id: null, is_streaming: false });
    // claude-3-5-haiku: $0.80 per million input, $0.08 cache read, $4 output.
    expect(body.cost_usd).toBeCloseTo(100 * 0.8e-6 + 2000 * 0.08e-6 + 50 * 4e-6, 12);
  });

  it('records a failed span as an error with its type, status and message', async () => {
    expect((await call(idOf(failed))).body).toMatchObject({ status: 'error', error_type: '429', http_status: 429, error_message: 'Rate limit reached' });
  });

  it('leaves an unknown model unpriced, never $0', async () => {
    expect((await call(idOf(unknownModel))).body).toMatchObject({ model: 'ft:my-finetune', cost_usd: null, price_source: 'unpriced' });
  });

  it('reads OpenLLMetry\'s attribute names', async () => {
    const { body } = await call(idOf(legacy));
    expect(body).toMatchObject({
      provider: 'openai', model: 'gpt-4o-mini', endpoint: '/v1/chat/completions', prompt_tokens: 40, completion_tokens: 8, session_id: 'legacy-session',
      input: [{ role: 'user', content: 'Say hi' }], output: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop', is_streaming: false,
    });
    expect(body.cost_usd).toBeCloseTo(40 * 0.15e-6 + 8 * 0.6e-6, 12);
  });

  it('records embeddings with no output tokens', async () => {
    expect((await call(idOf(embeddings))).body).toMatchObject({ endpoint: '/v1/embeddings', prompt_tokens: 1000, completion_tokens: 0 });
  });

  it('skips spans that are not model calls and counts a model call it cannot record', async () => {
    const page = await server.request('GET', '/api/v1/logs?tag=otel&limit=100');
    const ids = (page.json() as { data: { id: string }[] }).data.map((row) => row.id).sort();
    expect(ids).toEqual([chat, toolCall, anthropic, failed, unknownModel, legacy, embeddings].map(idOf).sort());
    expect(answer.rejected).toBe(1);
    expect(answer.message).toContain(`span ${noModel.spanContext().spanId}: gen_ai.request.model: is missing`);
  });

  it('stores a span sent again once, whether in protobuf or JSON', async () => {
    const spans = maker.spans();
    expect((await postProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!, { gzip: true })).statusCode).toBe(200);
    const json = await server.request('POST', '/api/v1/otel/v1/traces', { body: new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)), headers: { 'content-type': 'application/json' } });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
    const page = await server.request('GET', '/api/v1/logs?tag=otel&limit=100');
    expect((page.json() as { data: unknown[] }).data).toHaveLength(7);
  });
});

describe('OTLP exporters pointed at Loupe', () => {
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await listenOnLoopback(server);
  });

  async function exportWith(exporter: SpanExporter, model: string) {
    const maker = spanMaker('exporter-test');
    maker.make({ name: `chat ${model}`, start: 6_000, end: 6_500, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } });
    const [span] = maker.spans();
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export([span!], resolve));
    await exporter.shutdown();
    return { result, span: span! };
  }

  it('takes the binary exporter, gzip-compressed, with the key in a header', async () => {
    const exporter = new OtlpProtoExporter({ url: `${baseUrl}/v1/traces`, headers: { authorization: 'Bearer lp_test_admin_key_0123456789abcdef' }, compression: CompressionAlgorithm.GZIP });
    const { result, span } = await exportWith(exporter, 'gpt-4o');
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0);
    const { body } = await call(idOf(span));
    expect(body).toMatchObject({ model: 'gpt-4o', prompt_tokens: 1000, completion_tokens: 100, properties: { 'service.name': 'exporter-test' } });
    expect(body.cost_usd).toBeCloseTo(1000 * 2.5e-6 + 100 * 10e-6, 12);
  });

  it('takes the JSON exporter', async () => {
    const exporter = new OtlpJsonExporter({ url: `${baseUrl}/api/v1/otel/v1/traces`, headers: { 'x-api-key': 'lp_test_admin_key_0123456789abcdef' } });
    const { result, span } = await exportWith(exporter, 'gpt-4o-mini');
    expect(result.code).toBe(0);
    expect((await call(idOf(span))).body).toMatchObject({ model: 'gpt-4o-mini', prompt_tokens: 1000 });
  });

  it('fails an export without a key', async () => {
    const { result } = await exportWith(new OtlpProtoExporter({ url: `${baseUrl}/v1/traces` }), 'gpt-4o');
    expect(result.code).toBe(1);
  });
});

describe('OTLP/HTTP traces: bad input', () => {
  const jsonRequest = (span: Record<string, unknown>) => ({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  const span = (extra: Record<string, unknown> = {}) => ({
    traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'chat', startTimeUnixNano: String(BigInt(NOW_S) * 1_000_000_000n), endTimeUnixNano: String(BigInt(NOW_S + 1) * 1_000_000_000n),
    attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } }, { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } }],
    ...extra,
  });
  const post = (body: unknown, headers: Record<string, string> = {}, key?: string | null) => server.request('POST', '/v1/traces', { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers }, key });

  it('refuses malformed JSON and bodies that are not an export request, naming the field', async () => {
    const cases: [unknown, string, string][] = [
      ['{"resourceSpans": [', 'invalid_json', 'body'],
      [{ resourceSpans: {} }, 'validation_error', 'resourceSpans'],
      [jsonRequest(span({ traceId: 'abc' })), 'validation_error', 'resourceSpans[0].scopeSpans[0].spans[0].traceId'],
      [jsonRequest(span({ spanId: '0000000000000000' })), 'validation_error', 'resourceSpans[0].scopeSpans[0].spans[0].spanId'],
      [jsonRequest(span({ startTimeUnixNano: 'yesterday' })), 'validation_error', 'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano'],
      [jsonRequest(span({ attributes: [{ key: 7, value: { stringValue: 'x' } }] })), 'validation_error', 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].key'],
    ];
    for (const [body, code, field] of cases) {
      const response = await post(body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.json()).toMatchObject({ error: { code, field } });
      expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('refuses attribute values nested too deep and too many spans', async () => {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < 20; i++) value = { arrayValue: { values: [value] } };
    const deep = await post(jsonRequest(span({ attributes: [{ key: 'deep', value }] })));
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error.message).toContain('nested deeper than 16 levels');
    const many = Array.from({ length: 10_001 }, (_, i) => span({ spanId: (i + 1).toString(16).padStart(16, '0'), attributes: [] }));
    const tooMany = await post({ resourceSpans: [{ scopeSpans: [{ spans: many }] }] });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ error: { field: 'resourceSpans' } });
  });

  it('refuses a model-call span whose counts are not counts, and records the rest of the request', async () => {
    const bad = span({ spanId: 'aaaaaaaaaaaaaaa1', attributes: [...span().attributes, { key: 'gen_ai.usage.input_tokens', value: { intValue: '-5' } }] });
    const good = span({ spanId: 'aaaaaaaaaaaaaaa2' });
    const response = await post({ resourceSpans: [{ scopeSpans: [{ spans: [bad, good] }] }] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('span aaaaaaaaaaaaaaa1: gen_ai.usage.input_tokens: must be a non-negative integer') } });
    expect((await call('otel:5b8efff798038103d269b633813fc60c:aaaaaaaaaaaaaaa2')).status).toBe(200);
    expect((await call('otel:5b8efff798038103d269b633813fc60c:aaaaaaaaaaaaaaa1')).status).toBe(404);
  });

  it('reads content from the older conventions\' events, and refuses a span whose times are not a call\'s', async () => {
    const withEvents = span({
      spanId: 'ccccccccccccccc1',
      events: [
        { name: 'gen_ai.content.prompt', attributes: [{ key: 'gen_ai.prompt', value: { stringValue: JSON.stringify([{ role: 'user', content: 'Hello there' }]) } }] },
        { name: 'gen_ai.content.completion', attributes: [{ key: 'gen_ai.completion', value: { stringValue: JSON.stringify([{ role: 'assistant', content: 'General Kenobi' }]) } }] },
      ],
    });
    const epoch = span({ spanId: 'ccccccccccccccc2', startTimeUnixNano: '0', endTimeUnixNano: '1000000' });
    const backwards = span({ spanId: 'ccccccccccccccc3', endTimeUnixNano: String(BigInt(NOW_S - 5) * 1_000_000_000n) });
    const response = await post({ resourceSpans: [{ scopeSpans: [{ spans: [withEvents, epoch, backwards] }] }] });
    expect(response.statusCode).toBe(200);
    const answer = response.json() as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(answer.partialSuccess.rejectedSpans).toBe('2');
    expect(answer.partialSuccess.errorMessage).toMatch(/span ccccccccccccccc2: started_at: .*; span ccccccccccccccc3: (latency_ms|ended_at): /);
    const { body } = await call('otel:5b8efff798038103d269b633813fc60c:ccccccccccccccc1');
    expect(body).toMatchObject({ input: [{ role: 'user', content: 'Hello there' }], output: { role: 'assistant', content: 'General Kenobi' }, usage_source: 'estimated' });
    expect(body.prompt_tokens).toBeGreaterThan(0);
  });

  it('answers a malformed binary request with a binary google.rpc.Status', async () => {
    const response = await postProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/x-protobuf/);
    // field 1 (code) = 3, then field 2 (message).
    expect([...response.rawPayload.subarray(0, 2)]).toEqual([0x08, 0x03]);
    expect(response.rawPayload.toString('utf8')).toContain('is not an OTLP ExportTraceServiceRequest in protobuf');
  });

  it('bounds what a gzip body may inflate to, and refuses other encodings and media types', async () => {
    const bomb = gzipSync(Buffer.alloc(5 * 1024 * 1024 * 4 + 1, 0x20));
    const inflated = await server.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: 'Bearer lp_test_admin_key_0123456789abcdef' }, payload: bomb });
    expect(inflated.statusCode).toBe(413);
    expect(inflated.json()).toMatchObject({ error: { code: 'payload_too_large', field: 'body' } });
    const brotli = await post(jsonRequest(span()), { 'content-encoding': 'br' });
    expect(brotli.statusCode).toBe(415);
    expect(brotli.json()).toMatchObject({ error: { field: 'content-encoding' } });
    const notGzip = await post('not gzip at all', { 'content-encoding': 'gzip' });
    expect(notGzip.statusCode).toBe(400);
    const text = await server.request('POST', '/v1/traces', { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: { field: 'content-type' } });
  });

  it('needs an ingest key, and records into the key\'s own project', async () => {
    expect((await post(jsonRequest(span()), {}, null)).statusCode).toBe(401);
    const reader = await server.createKey('otel-other', ['read']);
    expect((await post(jsonRequest(span()), {}, reader)).statusCode).toBe(403);
    const ingest = await server.createKey('otel-other', ['ingest']);
    const other = span({ spanId: 'bbbbbbbbbbbbbbb1' });
    expect((await post(jsonRequest(other), {}, ingest)).statusCode).toBe(200);
    const id = 'otel:5b8efff798038103d269b633813fc60c:bbbbbbbbbbbbbbb1';
    expect((await call(id)).status).toBe(404);
    expect((await call(id, await server.createKey('otel-other', ['read']))).status).toBe(200);
  });
});
