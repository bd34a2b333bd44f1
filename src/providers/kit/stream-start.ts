// Recognises a 2xx streaming answer that is not a stream at all (a proxy's HTML page, or a
// JSON error object sent with 200) from its first bytes, so it fails with a clear message
// instead of as an anonymous truncated stream.
import { concatBytes } from './bytes.js';
import { describeErrorBody } from './error-body.js';
import { upstreamError, type UpstreamError } from './errors.js';

export type StreamStart = 'unknown' | 'stream' | 'html' | 'json';

/** Looks at the first non-whitespace byte: `<` is HTML; `{` is a JSON body where SSE was expected. */
export function classifyStreamStart(chunk: Uint8Array, expectJsonLines: boolean): StreamStart {
  for (const byte of chunk) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    if (byte === 0x3c) return 'html';
    if (byte === 0x7b) return expectJsonLines ? 'stream' : 'json';
    return 'stream';
  }
  return 'unknown';
}

export function notAStreamError(body: Uint8Array, start: StreamStart): UpstreamError {
  const described = describeErrorBody(body, 200);
  const what = start === 'html' ? 'an HTML page' : 'a JSON body';
  const message = start === 'html' ? `${described.message} instead of an event stream` : `upstream answered 200 with ${what} instead of an event stream: ${described.message}`;
  return upstreamError('invalid_response', { message, code: described.code ?? 'invalid_stream', upstreamStatus: 200 });
}

const MAX_HELD_BYTES = 64 * 1024;

/**
 * Holds a stream's first bytes until they show what the body is. Stream bytes are released
 * unchanged (whitespace before the first event included); a body that is not a stream is
 * kept (up to 64 KiB) so that the error can quote its title or message at the end.
 */
export class StreamStartGuard {
  private start: StreamStart = 'unknown';
  private held: Uint8Array[] = [];
  private heldBytes = 0;

  constructor(private readonly expectJsonLines: boolean) {}

  /** The bytes to process now, or null while nothing (or no stream) is known yet. */
  admit(chunk: Uint8Array): Uint8Array | null {
    if (this.start === 'stream') return chunk;
    if (this.start === 'unknown') this.start = classifyStreamStart(chunk, this.expectJsonLines);
    if (this.heldBytes < MAX_HELD_BYTES) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
    }
    if (this.start !== 'stream') return null;
    const released = concatBytes(this.held);
    this.held = [];
    return released;
  }

  /** At end of input: the error for a body that was not a stream, else null. */
  finish(): UpstreamError | null {
    if (this.start !== 'html' && this.start !== 'json') return null;
    return notAStreamError(concatBytes(this.held), this.start);
  }
}
