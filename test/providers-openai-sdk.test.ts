// The official `openai` SDK reads what the adapters give the client: translated Anthropic and
// Ollama streams iterate as chat.completion.chunk objects, and the terminal error event the
// gateway writes on a failed stream surfaces as the SDK's APIError.
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { Stream } from 'openai/streaming';
import { describe, expect, it } from 'vitest';
import { encodeSseErrorEvent } from '../src/providers/kit/sse-error-event.js';
import { createAdapter, type ProviderType } from '../src/providers/provider-types.js';
import { runTransform, wireText } from './helpers/fake-upstream.js';

const encoder = new TextEncoder();

function clientBytes(type: ProviderType, path: string): { bytes: Uint8Array; run: ReturnType<typeof runTransform> } {
  const adapter = createAdapter(type);
  const prepared = adapter.toUpstream({ endpoint: 'chat', body: { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] } }, { model: 'm' });
  if (!prepared.ok) throw prepared.error;
  const run = runTransform(adapter.createStreamTransform(prepared.value.plan), [encoder.encode(wireText(path))]);
  const failure = run.observations.terminal?.kind === 'error' ? encodeSseErrorEvent(run.observations.terminal.error) : new Uint8Array();
  return { bytes: Buffer.concat([Buffer.from(run.forwarded), failure]), run };
}

async function readWithSdk(bytes: Uint8Array): Promise<ChatCompletionChunk[]> {
  const response = new Response(bytes, { headers: { 'content-type': 'text/event-stream' } });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of Stream.fromSSEResponse<ChatCompletionChunk>(response, new AbortController())) chunks.push(chunk);
  return chunks;
}

describe('the openai SDK reads translated streams', () => {
  it.each([
    ['anthropic', 'anthropic/stream-tool-use.sse', 'tool_calls', 472 + 89],
    ['anthropic', 'anthropic/stream-cache.sse', 'stop', 2125 + 15],
    ['ollama', 'ollama/chat-stream.ndjson', 'stop', 26 + 282],
  ] as const)('%s %s', async (type, path, finish, total) => {
    const chunks = await readWithSdk(clientBytes(type, path).bytes);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.flatMap((chunk) => chunk.choices).find((choice) => choice.finish_reason)?.finish_reason).toBe(finish);
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(total);
  });

  it('raises the terminal error event as an APIError', async () => {
    const { bytes, run } = clientBytes('anthropic', 'anthropic/stream-overloaded.sse');
    expect(run.observations.terminal?.kind).toBe('error');
    const failure = await readWithSdk(bytes).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('Overloaded');
  });
});
