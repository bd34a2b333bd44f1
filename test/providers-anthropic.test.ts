// The Anthropic adapter: OpenAI requests become Messages API requests; answers and event
// streams come back in OpenAI's format with prompt = input + cache read + cache write, each
// counted once; stop reasons, tool calls and errors mapped.
import { describe, expect, it } from 'vitest';
import type { UpstreamRequest } from '../src/providers/kit/adapter.js';
import { createAdapter } from '../src/providers/provider-types.js';
import { fixture, runTransform, wireText } from './helpers/fake-upstream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const adapter = createAdapter('anthropic');
const CONTEXT = { model: 'claude-sonnet-4-20250514', apiKey: 'sk-ant-test', nowMs: 1_750_000_000_000, callId: 'chatcmpl-fixed' };

function prepare(body: Record<string, unknown>): UpstreamRequest {
  const prepared = adapter.toUpstream({ endpoint: 'chat', body }, CONTEXT);
  if (!prepared.ok) throw prepared.error;
  return prepared.value;
}

const sent = (request: UpstreamRequest) => JSON.parse(decoder.decode(request.body ?? new Uint8Array())) as Record<string, unknown>;

describe('OpenAI request → Messages request', () => {
  it('moves system prompts, converts tools, tool_choice, stop, images and tool turns', () => {
    const request = prepare({
      model: 'anthropic/claude-sonnet-4-20250514',
      temperature: 0.5,
      stop: 'END',
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Use metric units.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
      ],
    });
    expect(request).toMatchObject({ method: 'POST', path: '/messages' });
    expect(request.headers).toMatchObject({ 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(request.headers).not.toHaveProperty('authorization');
    expect(sent(request)).toEqual({
      model: 'claude-sonnet-4-20250514',
      system: 'Be brief.\n\nUse metric units.',
      max_tokens: 4096,
      temperature: 0.5,
      stop_sequences: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' }] },
      ],
    });
  });

  it('uses max_completion_tokens, streams when asked, maps required tool choice', () => {
    const body = sent(prepare({ model: 'x', stream: true, max_completion_tokens: 100, tool_choice: 'required', messages: [{ role: 'user', content: 'Hi' }] }));
    expect(body).toMatchObject({ max_tokens: 100, stream: true, tool_choice: { type: 'any' } });
  });

  it('refuses what it cannot express, as a caller mistake', () => {
    const embeddings = adapter.toUpstream({ endpoint: 'embeddings', body: { model: 'x', input: 'x' } }, CONTEXT);
    expect(embeddings.ok ? null : embeddings.error.kind).toBe('bad_request');
    const noMessages = adapter.toUpstream({ endpoint: 'chat', body: { model: 'x', messages: 'hello' } }, CONTEXT);
    expect(noMessages.ok ? null : { kind: noMessages.error.kind, param: noMessages.error.param }).toEqual({ kind: 'bad_request', param: 'messages' });
    const nullMessage = adapter.toUpstream({ endpoint: 'chat', body: { model: 'x', messages: [null] } }, CONTEXT);
    expect(nullMessage.ok ? null : nullMessage.error.status).toBe(400);
  });
});

describe('reasoning: effort, thinking blocks and parallel tool calls said to Claude', () => {
  const turn = [{ role: 'user', content: 'Hi' }];
  const refusal = (body: Record<string, unknown>) => {
    const prepared = adapter.toUpstream({ endpoint: 'chat', body }, CONTEXT);
    return prepared.ok ? null : { kind: prepared.error.kind, status: prepared.error.status, param: prepared.error.param, message: prepared.error.message };
  };

  it('turns reasoning_effort into a thinking budget inside the caller’s cap, or above the default answer when there is none', () => {
    // No cap: the answer keeps its default 4,096 tokens above the budget.
    expect(sent(prepare({ model: 'x', reasoning_effort: 'medium', messages: turn }))).toMatchObject({ max_tokens: 4096 + 8192, thinking: { type: 'enabled', budget_tokens: 8192 } });
    expect(sent(prepare({ model: 'x', reasoning_effort: 'low', messages: turn }))).toMatchObject({ max_tokens: 4096 + 2048, thinking: { type: 'enabled', budget_tokens: 2048 } });
    // A cap stays the cap (Claude counts thinking inside max_tokens): the budget shrinks under it.
    expect(sent(prepare({ model: 'x', reasoning_effort: 'high', max_completion_tokens: 3000, messages: turn }))).toMatchObject({ max_tokens: 3000, thinking: { type: 'enabled', budget_tokens: 2999 } });
    expect(sent(prepare({ model: 'x', reasoning_effort: 'minimal', max_tokens: 20000, messages: turn }))).toMatchObject({ max_tokens: 20000, thinking: { type: 'enabled', budget_tokens: 1024 } });
    // none: no thinking at all.
    const none = sent(prepare({ model: 'x', reasoning_effort: 'none', messages: turn }));
    expect([none.max_tokens, 'thinking' in none]).toEqual([4096, false]);
    // Claude's own thinking object is sent as given; without a cap its budget sits above the default answer.
    expect(sent(prepare({ model: 'x', thinking: { type: 'enabled', budget_tokens: 5000 }, reasoning_effort: 'high', messages: turn }))).toMatchObject({ max_tokens: 9096, thinking: { type: 'enabled', budget_tokens: 5000 } });
    expect('reasoning_effort' in sent(prepare({ model: 'x', reasoning_effort: 'high', messages: turn }))).toBe(false);
  });

  it('refuses an effort OpenAI does not define, and a cap too small to think in, naming the field', () => {
    expect(refusal({ model: 'x', reasoning_effort: 'maximum', messages: turn })).toMatchObject({ kind: 'bad_request', status: 400, param: 'reasoning_effort' });
    expect(refusal({ model: 'x', reasoning_effort: 'low', max_completion_tokens: 1024, messages: turn })).toMatchObject({ status: 400, param: 'max_completion_tokens' });
    expect(refusal({ model: 'x', reasoning_effort: 'low', max_tokens: '2000', messages: turn })).toMatchObject({ status: 400, param: 'max_tokens' });
    // Without thinking a small cap is the caller's business.
    expect(sent(prepare({ model: 'x', max_tokens: 10, messages: turn })).max_tokens).toBe(10);
  });

  it('sends an assistant turn’s thinking blocks back first, as the answer gave them, and refuses a malformed one by its index', () => {
    const signed = { type: 'thinking', thinking: 'The user wants the weather.', signature: 'EqQBCgIYAhIM1gbc' };
    const redacted = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' };
    const body = sent(prepare({
      model: 'x', reasoning_effort: 'low',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: "I'll check.", thinking_blocks: [signed, redacted], tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
      ],
    }));
    expect((body.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: [signed, redacted, { type: 'text', text: "I'll check." }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
    });
    const unsigned = refusal({ model: 'x', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', thinking_blocks: [signed, { type: 'thinking', thinking: 'no signature' }] }] });
    expect(unsigned).toMatchObject({ status: 400, param: 'messages.1.thinking_blocks.1' });
    expect(refusal({ model: 'x', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', thinking_blocks: 'text' }] })).toMatchObject({ status: 400, param: 'messages.1.thinking_blocks' });
  });

  it('says parallel_tool_calls: false as disable_parallel_tool_use on the tool choice', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    expect(sent(prepare({ model: 'x', tools, parallel_tool_calls: false, messages: turn })).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(sent(prepare({ model: 'x', tools, parallel_tool_calls: false, tool_choice: 'required', messages: turn })).tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(sent(prepare({ model: 'x', tools, parallel_tool_calls: false, tool_choice: { type: 'function', function: { name: 'f' } }, messages: turn })).tool_choice).toEqual({ type: 'tool', name: 'f', disable_parallel_tool_use: true });
    expect(sent(prepare({ model: 'x', tools, parallel_tool_calls: true, messages: turn }))).not.toHaveProperty('tool_choice');
    // Without tools there is no tool choice to say it on.
    expect(sent(prepare({ model: 'x', parallel_tool_calls: false, messages: turn }))).not.toHaveProperty('tool_choice');
  });
});

describe('structured output said to Claude', () => {
  const turn = [{ role: 'user', content: 'Extract the contact' }];
  const schema = { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } }, required: ['name', 'email'], additionalProperties: false };

  it('sends a json_schema response format as output_config.format, and a strict function as a strict tool', () => {
    const body = sent(prepare({
      model: 'x', messages: turn,
      response_format: { type: 'json_schema', json_schema: { name: 'contact', strict: true, schema } },
      tools: [{ type: 'function', function: { name: 'lookup', strict: true, parameters: schema } }, { type: 'function', function: { name: 'loose', parameters: schema } }],
    }));
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(body.tools).toEqual([{ name: 'lookup', input_schema: schema, strict: true }, { name: 'loose', input_schema: schema }]);
    expect('response_format' in body).toBe(false);
  });

  it('sends no format for json_object (no counterpart: its prompt asks for JSON), and refuses a json_schema without a schema', () => {
    expect(sent(prepare({ model: 'x', messages: turn, response_format: { type: 'json_object' } }))).not.toHaveProperty('output_config');
    const refused = adapter.toUpstream({ endpoint: 'chat', body: { model: 'x', messages: turn, response_format: { type: 'json_schema', json_schema: { name: 'contact' } } } }, CONTEXT);
    expect(refused.ok ? null : [refused.error.status, refused.error.param]).toEqual([400, 'response_format']);
  });
});

describe('Messages answer → chat.completion', () => {
  it('counts input, cache reads and cache writes once each', () => {
    const plan = prepare({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] }).plan;
    const result = adapter.fromUpstream(200, encoder.encode(fixture('anthropic/message.json')), plan);
    if (!result.ok) throw result.error;
    // message.json: input 12, cache write 500, cache read 3000, output 6.
    expect(result.value.usage).toMatchObject({ input: { total: 12 + 3000 + 500, cacheRead: 3000, cacheWrite: 500 }, output: { total: 6, reasoning: 0 } });
    const body = JSON.parse(decoder.decode(result.value.openaiBody)) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'claude-sonnet-4-20250514',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3512, completion_tokens: 6, total_tokens: 3518, prompt_tokens_details: { cached_tokens: 3000 }, cache_creation_input_tokens: 500 },
    });
  });

  it('turns tool_use blocks into tool_calls and thinking into reasoning_content and signed thinking_blocks', () => {
    const plan = prepare({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] }).plan;
    const result = adapter.fromUpstream(200, encoder.encode(fixture('anthropic/message-tool-use.json')), plan);
    if (!result.ok) throw result.error;
    expect(result.value).toMatchObject({ finishReason: 'tool_calls', toolCallsCount: 1 });
    const body = JSON.parse(decoder.decode(result.value.openaiBody)) as { choices: Array<{ message: Record<string, unknown> }> };
    expect(result.value.output).toEqual(body.choices[0]?.message);
    expect(body.choices[0]?.message).toEqual({
      role: 'assistant',
      content: "I'll check.",
      reasoning_content: 'The user wants the weather.',
      thinking_blocks: [{ type: 'thinking', thinking: 'The user wants the weather.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' }],
      tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }],
    });
  });

  it('maps errors: 529 overloaded is a retryable 503, a 400 is the caller’s', () => {
    expect(adapter.mapError(529, encoder.encode(fixture('anthropic/error-529.json')), {})).toMatchObject({ kind: 'server_error', status: 503, code: 'overloaded_error', message: 'Overloaded', isRetryable: true });
    const bad = adapter.mapError(400, encoder.encode('{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be positive"}}'), {});
    expect(bad).toMatchObject({ kind: 'bad_request', status: 400, code: 'invalid_request_error', isRetryable: false });
  });
});

describe('event stream → chat.completion.chunk stream', () => {
  function run(path: string, body: Record<string, unknown> = {}) {
    const plan = prepare({ model: 'x', stream: true, messages: [{ role: 'user', content: 'Hi' }], ...body }).plan;
    return runTransform(adapter.createStreamTransform(plan), [encoder.encode(wireText(path))]);
  }

  it('assembles tool calls from input_json_delta', () => {
    const result = run('anthropic/stream-tool-use.sse');
    expect(result.observations.toolCalls).toEqual([{ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location": "San Francisco, CA"}' }]);
    const chunks = result.forwarded.split('\n\n').filter((event) => event.startsWith('data: {')).map((event) => JSON.parse(event.slice(6)) as { choices: Array<{ delta: { tool_calls?: Array<{ function: { arguments?: string } }> } }> });
    const args = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? [])).map((call) => call.function.arguments ?? '').join('');
    expect(args).toBe('{"location": "San Francisco, CA"}');
    expect(result.forwarded.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('streams thinking as reasoning_content, then each block whole and signed in thinking_blocks when it ends', () => {
    const result = run('anthropic/stream-thinking.sse');
    const deltas = result.forwarded.split('\n\n').filter((event) => event.startsWith('data: {')).map((event) => (JSON.parse(event.slice(6)) as { choices: Array<{ delta: Record<string, unknown> }> }).choices[0]?.delta ?? {});
    expect(deltas.filter((delta) => delta.reasoning_content !== undefined).map((delta) => delta.reasoning_content)).toEqual(['27 * 453 = 12231.']);
    expect(deltas.filter((delta) => delta.thinking_blocks !== undefined).map((delta) => delta.thinking_blocks)).toEqual([
      [{ type: 'thinking', thinking: '27 * 453 = 12231.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' }],
    ]);
    // The block comes before the text that followed it.
    expect(deltas.findIndex((delta) => delta.thinking_blocks !== undefined)).toBeLessThan(deltas.findIndex((delta) => delta.content === '27 × 453 = 12,231'));
    expect(result.observations.reasoning).toBe('27 * 453 = 12231.');
  });

  it('passes a redacted thinking block on whole as it starts', () => {
    const events = [
      { type: 'message_start', message: { id: 'msg_1', model: 'claude', usage: { input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 30 } },
      { type: 'message_stop' },
    ];
    const wire = events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
    const plan = prepare({ model: 'x', stream: true, messages: [{ role: 'user', content: 'Hi' }] }).plan;
    const result = runTransform(adapter.createStreamTransform(plan), [encoder.encode(wire)]);
    expect(result.forwarded).toContain('"delta":{"thinking_blocks":[{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"}]}');
    expect(result.forwarded.match(/thinking_blocks/g)?.length).toBe(1);
  });

  it('takes cumulative counts repeated in message_delta as totals, not increments', () => {
    const events = [
      { type: 'message_start', message: { id: 'msg_1', model: 'claude', usage: { input_tokens: 25, cache_read_input_tokens: 2000, cache_creation_input_tokens: 100, output_tokens: 1 } } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 25, cache_read_input_tokens: 2000, cache_creation_input_tokens: 100, output_tokens: 9 } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 15 } },
      { type: 'message_stop' },
    ];
    const wire = events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
    const plan = prepare({ model: 'x', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] }).plan;
    const result = runTransform(adapter.createStreamTransform(plan), [encoder.encode(wire)]);
    expect(result.observations.usage).toMatchObject({ input: { total: 2125, cacheRead: 2000, cacheWrite: 100 }, output: { total: 15 } });
    expect(result.forwarded).toContain('"usage":{"prompt_tokens":2125,"completion_tokens":15,"total_tokens":2140');
  });

  it('ends with a retryable error on an overloaded event and forwards no error bytes itself', () => {
    const result = run('anthropic/stream-overloaded.sse');
    const terminal = result.observations.terminal;
    expect(terminal?.kind === 'error' ? { kind: terminal.error.kind, status: terminal.error.status, code: terminal.error.code, retry: terminal.error.isRetryable } : null)
      .toEqual({ kind: 'server_error', status: 503, code: 'overloaded_error', retry: true });
    expect(result.forwarded).not.toContain('error');
  });
});
