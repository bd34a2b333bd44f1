// The Ollama native adapter: /api/chat requests from OpenAI's format, answers and NDJSON
// streams back to it, with Ollama's own eval counts and eval_duration giving tokens/s.
import { describe, expect, it } from 'vitest';
import type { UpstreamRequest } from '../src/providers/kit/adapter.js';
import { tokensPerSecond } from '../src/providers/kit/usage.js';
import { createAdapter } from '../src/providers/provider-types.js';
import { fixture, runTransform, wireText } from './helpers/fake-upstream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const adapter = createAdapter('ollama');
const CONTEXT = { model: 'llama3.2', nowMs: 1_750_000_000_000, callId: 'chatcmpl-fixed' };

function prepare(body: Record<string, unknown>): UpstreamRequest {
  const prepared = adapter.toUpstream({ endpoint: 'chat', body }, CONTEXT);
  if (!prepared.ok) throw prepared.error;
  return prepared.value;
}

describe('OpenAI request → /api/chat', () => {
  it('moves sampling into options, images into images, tool arguments into objects', () => {
    const request = prepare({
      model: 'ollama/llama3.2',
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      max_tokens: 64,
      stop: 'END',
      response_format: { type: 'json_object' },
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }] },
        { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'a cat' },
      ],
    });
    expect(request).toMatchObject({ method: 'POST', path: '/api/chat' });
    expect(request.headers).not.toHaveProperty('authorization');
    expect(JSON.parse(decoder.decode(request.body ?? new Uint8Array()))).toEqual({
      model: 'llama3.2',
      stream: false,
      format: 'json',
      options: { temperature: 0.2, top_p: 0.9, seed: 7, num_predict: 64, stop: ['END'] },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is this?', images: ['/9j/4AAQ'] },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { q: 'cat' } } }] },
        { role: 'tool', content: 'a cat' },
      ],
    });
  });

  it('always says whether to stream (Ollama streams when told nothing)', () => {
    const body = JSON.parse(decoder.decode(prepare({ model: 'x', stream: true, messages: [] }).body ?? new Uint8Array())) as Record<string, unknown>;
    expect(body.stream).toBe(true);
  });
});

describe('reasoning_effort → think', () => {
  const think = (model: string, effort: unknown) => {
    const prepared = adapter.toUpstream({ endpoint: 'chat', body: { model, messages: [], reasoning_effort: effort } }, { ...CONTEXT, model });
    if (!prepared.ok) return { refused: prepared.error.param };
    return (JSON.parse(decoder.decode(prepared.value.body ?? new Uint8Array())) as Record<string, unknown>).think;
  };

  it('turns thinking on or off, and gives gpt-oss models its levels', () => {
    expect([think('qwen3', 'low'), think('qwen3', 'high'), think('qwen3', 'none'), think('qwen3', undefined)]).toEqual([true, true, false, undefined]);
    expect(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'].map((effort) => think('gpt-oss:20b', effort))).toEqual(['low', 'low', 'low', 'medium', 'high', 'high']);
    expect(think('library/gpt-oss:120b', 'medium')).toBe('medium');
  });

  it('refuses an effort OpenAI does not define, naming the field', () => {
    expect(think('qwen3', 'extreme')).toEqual({ refused: 'reasoning_effort' });
    expect(think('qwen3', 3)).toEqual({ refused: 'reasoning_effort' });
  });
});

describe('answers', () => {
  it('translates a whole answer and keeps Ollama’s timings', () => {
    const plan = prepare({ model: 'x', messages: [] }).plan;
    const result = adapter.fromUpstream(200, encoder.encode(fixture('ollama/chat.json')), plan);
    if (!result.ok) throw result.error;
    expect(result.value.usage).toMatchObject({ input: { total: 26 }, output: { total: 298 } });
    expect(result.value.timings).toEqual({ generationNs: 4_799_921_000, promptNs: 383_809_000, loadNs: 2_154_458, totalNs: 5_191_566_416 });
    expect(tokensPerSecond(298, result.value.timings?.generationNs ?? 0)).toBeCloseTo(298 / 4.799921, 6);
    expect(JSON.parse(decoder.decode(result.value.openaiBody))).toEqual({
      id: 'chatcmpl-fixed',
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'llama3.2',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How are you today?' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 26, completion_tokens: 298, total_tokens: 324 },
    });
  });

  it('turns native tool calls into OpenAI tool_calls', () => {
    const plan = prepare({ model: 'x', messages: [] }).plan;
    const result = adapter.fromUpstream(200, encoder.encode(fixture('ollama/chat-tools.json')), plan);
    if (!result.ok) throw result.error;
    expect(result.value).toMatchObject({ finishReason: 'tool_calls', toolCallsCount: 1 });
    const body = JSON.parse(decoder.decode(result.value.openaiBody)) as { choices: Array<{ message: Record<string, unknown> }> };
    expect(result.value.output).toEqual(body.choices[0]?.message);
    expect(body.choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } }],
    });
  });

  it('maps a missing model (404) and lists models from /api/tags', () => {
    expect(adapter.mapError(404, encoder.encode(fixture('ollama/error-404.json')), {})).toMatchObject({ kind: 'bad_request', status: 404, message: 'model "llama9" not found, try pulling it first' });
    expect(adapter.modelsRequest({}).path).toBe('/api/tags');
    const models = adapter.parseModels(200, encoder.encode(fixture('ollama/tags.json')));
    expect(models.ok ? models.value : null).toEqual([{ id: 'llama3.2:latest', ownedBy: 'ollama', created: Math.floor(Date.parse('2025-05-04T17:37:44.706015396-07:00') / 1000) }]);
  });
});

describe('NDJSON stream', () => {
  const plan = prepare({ model: 'x', stream: true, messages: [] }).plan;
  const run = (wire: string) => runTransform(adapter.createStreamTransform(plan), [encoder.encode(wire)]);

  it('reports the done line’s counts and eval_duration', () => {
    const result = run(wireText('ollama/chat-stream.ndjson'));
    expect(result.observations.timings).toEqual({ generationNs: 4_535_599_000, promptNs: 342_546_000, loadNs: 1_334_875, totalNs: 4_883_583_458 });
    expect(result.observations.usage).toMatchObject({ input: { total: 26 }, output: { total: 282 } });
    // No usage chunk for a client that did not ask; the stream ends the OpenAI way.
    expect(result.forwarded).not.toContain('"usage"');
    expect(result.forwarded.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ends with an error on an error line, a garbage line or an HTML page', () => {
    const errorLine = run(wireText('ollama/chat-stream-error.ndjson')).observations.terminal;
    expect(errorLine?.kind === 'error' ? [errorLine.error.kind, errorLine.error.message] : null).toEqual(['server_error', 'an error was encountered while running the model: unexpected EOF']);
    const garbage = run('{"model":"x","message":{"content":"a"},"done":false}\n{not json}\n').observations.terminal;
    expect(garbage?.kind === 'error' ? garbage.error.kind : null).toBe('invalid_response');
    const html = run('<html><head><title>Ollama proxy login</title></head></html>').observations.terminal;
    expect(html?.kind === 'error' ? html.error.message : null).toContain('Ollama proxy login');
  });
});
