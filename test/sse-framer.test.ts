// The SSE framer cuts events byte-exact whatever the line ends (LF, CRLF, CR, mixed) and
// wherever the network splits the reads.
import { describe, expect, it } from 'vitest';
import { createSseFramer } from '../src/providers/kit/sse-framer.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const EVENTS = ['data: a\n\n', 'data: b\r\n\r\n', 'data: c\r\r', 'event: x\ndata: d\r\n\n', ': note\rdata: e\n\r\n', '\n'];
const TAIL = 'data: tail';
const INPUT = EVENTS.join('') + TAIL;

function frame(reads: Uint8Array[]): { frames: string[]; tail: string | null } {
  const framer = createSseFramer();
  const frames = reads.flatMap((read) => framer.push(read));
  const end = framer.end();
  return { frames: [...frames, ...end.frames].map((bytes) => decoder.decode(bytes)), tail: end.tail === null ? null : decoder.decode(end.tail) };
}

describe('SSE framer', () => {
  it('cuts events of mixed line ends from one read', () => {
    expect(frame([encoder.encode(INPUT)])).toEqual({ frames: EVENTS, tail: TAIL });
  });

  it('gives the same events at every split of the input into two reads', () => {
    const bytes = encoder.encode(INPUT);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(frame([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual({ frames: EVENTS, tail: TAIL });
    }
  });

  it('gives the same events one byte per read', () => {
    const bytes = encoder.encode(INPUT);
    expect(frame(Array.from(bytes, (_, at) => bytes.subarray(at, at + 1)))).toEqual({ frames: EVENTS, tail: TAIL });
  });

  it('ends an event on a CR at the very end of the input', () => {
    expect(frame([encoder.encode('data: z\r'), encoder.encode('\r')])).toEqual({ frames: ['data: z\r\r'], tail: null });
  });
});
