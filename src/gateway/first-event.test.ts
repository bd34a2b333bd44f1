import { describe, expect, it } from 'vitest';
import { firstEventEnd } from './first-event.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('firstEventEnd', () => {
  it('cuts after the first event when more bytes follow it', () => {
    const first = 'data: {"a":1}\n\n';
    expect(firstEventEnd(bytes(`${first}data: {"a":2}\n\ndata: [DONE]\n\n`))).toBe(first.length);
    expect(firstEventEnd(bytes(`event: x\ndata: 1\n\ndata: 2`))).toBe('event: x\ndata: 1\n\n'.length);
  });

  it('does not cut a read that is one event, part of one, or NDJSON lines', () => {
    expect(firstEventEnd(bytes('data: {"a":1}\n\n'))).toBe(0);
    expect(firstEventEnd(bytes('data: {"a":1}\n'))).toBe(0);
    expect(firstEventEnd(bytes('{"done":false}\n{"done":true}\n'))).toBe(0);
    expect(firstEventEnd(bytes(''))).toBe(0);
  });
});
