import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CALL_COLUMNS } from '../domain/call-record.js';
import { prepareCalls } from './prepare-calls.js';
import { fromWire, toWire } from './prepared-wire.js';

const items = [
  {
    id: 'wire-1', provider: 'openai', model: 'gpt-4o', prompt_tokens: 12, completion_tokens: 3, started_at: '2026-01-02T03:04:05.000Z', latency_ms: 250,
    tags: ['a', 'b'], properties: { desk: 'fx' }, params: { temperature: 0.5 }, user_id: 'u', confidence: 0.25, signal: 'buy',
    input: [{ role: 'user', content: 'question' }], output: { role: 'assistant', content: 'answer' },
  },
  { provider: 'anthropic', model: 'claude-sonnet-4', prompt_tokens: 1, completion_tokens: 1, status: 'error', error_message: 'boom', input: null },
  { provider: 'openai', model: 'gpt-4o', prompt_tokens: -1 },
];

/** What the main thread receives: the wire form copied as postMessage copies it. */
function acrossThreads(value: unknown): unknown {
  const channel = new MessageChannel();
  channel.port1.postMessage(value);
  const received = receiveMessageOnPort(channel.port2)!.message;
  channel.port1.close();
  return received;
}

describe('prepared batches across threads', () => {
  it('arrive with every field of every call, content as JSON text, invalid items and positions intact', () => {
    const prepared = prepareCalls(items, { projectId: 'p', apiKeyId: 'k' });
    // Every field of a prepared call is a stored column, so none is lost on the way.
    for (const write of prepared.writes) expect(Object.keys(write.call).sort()).toEqual([...CALL_COLUMNS].sort());
    const received = fromWire(acrossThreads(toWire(prepared)) as ReturnType<typeof toWire>);
    expect(received.invalid).toEqual(prepared.invalid);
    expect(received.positions).toEqual([0, 1]);
    expect(received.itemCount).toBe(3);
    expect(received.writes).toEqual(
      prepared.writes.map((write) => ({ ...write, call: { ...write.call, input: null, output: null } })),
    );
    expect(received.writes[0]!.inputJson).toBe(JSON.stringify(items[0]!.input));
    expect(received.writes[0]!.call.tags).toEqual(['a', 'b']);
    expect(received.writes[1]!.call.error_message).toBe('boom');
  });
});
