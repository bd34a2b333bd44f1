// Joining byte runs: events cut from one read are forwarded as one view of that read
// (pass-through stays uncopied), anything else is copied in order.
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../src/providers/kit/bytes.js';
import { createSseFramer } from '../src/providers/kit/sse-framer.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('concatBytes', () => {
  it('joins events framed from one read into a view of that read, without copying', () => {
    const read = encoder.encode('data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n');
    const frames = createSseFramer().push(read);
    expect(frames).toHaveLength(3);
    const joined = concatBytes(frames);
    expect(joined.buffer).toBe(read.buffer);
    expect(decoder.decode(joined)).toBe('data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n');
    // Dropping the middle event breaks adjacency: the rest is copied, in order.
    const gapped = concatBytes([frames[0]!, frames[2]!]);
    expect(gapped.buffer).not.toBe(read.buffer);
    expect(decoder.decode(gapped)).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
  });

  it('copies runs from different buffers', () => {
    const joined = concatBytes([encoder.encode('ab'), encoder.encode('cd'), encoder.encode('e')]);
    expect(decoder.decode(joined)).toBe('abcde');
  });
});
