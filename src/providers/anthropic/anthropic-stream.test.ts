// The stream translator gives the same OpenAI bytes however the network splits the input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, encodeUtf8 } from '../kit/bytes.js';
import { createAnthropicStreamTranslator } from './anthropic-stream.js';

const wire = encodeUtf8(readFileSync(new URL('../../../test/fixtures/anthropic/stream-tool-use.sse', import.meta.url), 'utf8'));

function translate(parts: Uint8Array[]): string {
  const translator = createAnthropicStreamTranslator(1_700_000_000);
  let out = '';
  for (const part of parts) out += decodeUtf8(translator.push(part));
  return out + decodeUtf8(translator.end());
}

describe('createAnthropicStreamTranslator', () => {
  it('is independent of how the bytes are split, down to one byte per read', () => {
    const whole = translate([wire]);
    expect(whole).toContain('"finish_reason":"tool_calls"');
    expect(whole.endsWith('data: [DONE]\n\n')).toBe(true);
    const bytes = Array.from({ length: wire.length }, (_, i) => wire.subarray(i, i + 1));
    expect(translate(bytes)).toBe(whole);
    for (const size of [2, 7, 64]) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < wire.length; i += size) parts.push(wire.subarray(i, i + size));
      expect(translate(parts)).toBe(whole);
    }
  });
});
