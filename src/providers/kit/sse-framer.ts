// Cuts an SSE byte stream into whole events, byte-exact, across arbitrary network reads and
// any of CRLF, LF or CR line ends; an event ends with the blank line that dispatches it.
import { concatBytes, EMPTY_BYTES } from './bytes.js';

const LF = 0x0a;
const CR = 0x0d;

export interface SseFramer {
  /** Complete events (each including its terminating blank line) found so far. */
  push(chunk: Uint8Array): Uint8Array[];
  /** End of input: any event completed by the end itself, then the unterminated tail. */
  end(): { frames: Uint8Array[]; tail: Uint8Array | null };
  readonly pendingBytes: number;
}

export function createSseFramer(): SseFramer {
  let pending: Uint8Array = EMPTY_BYTES;
  // Scanning resumes where it stopped, with the line state it had, so a long event that
  // arrives in many reads is scanned once.
  let scanFrom = 0;
  let atLineStart = true;

  function scan(buffer: Uint8Array, final: boolean): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let frameStart = 0;
    let index = scanFrom;
    // Line ends are found with indexOf (native) rather than byte by byte in JavaScript: the
    // framer runs on every read before its first byte can go to the client. -1: none left;
    // any other position before `index`: not searched yet.
    let nextLf = -2;
    let nextCr = -2;
    while (index < buffer.length) {
      if (nextLf !== -1 && nextLf < index) nextLf = buffer.indexOf(LF, index);
      if (nextCr !== -1 && nextCr < index) nextCr = buffer.indexOf(CR, index);
      const next = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (next === -1) {
        atLineStart = false;
        index = buffer.length;
        break;
      }
      if (next > index) atLineStart = false;
      index = next;
      let lineEnd = index + 1;
      if (buffer[index] === CR) {
        // A CR at the end of a read may be the first half of a CRLF: wait for the next byte.
        if (lineEnd >= buffer.length && !final) break;
        if (buffer[lineEnd] === LF) lineEnd += 1;
      }
      if (atLineStart) {
        frames.push(buffer.subarray(frameStart, lineEnd));
        frameStart = lineEnd;
      }
      atLineStart = true;
      index = lineEnd;
    }
    // Copy the remainder: the caller may reuse the buffer it pushed.
    pending = buffer.slice(frameStart);
    scanFrom = index - frameStart;
    return frames;
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return [];
      return scan(pending.length === 0 ? chunk : concatBytes([pending, chunk]), false);
    },
    end() {
      const frames = pending.length === 0 ? [] : scan(pending, true);
      const tail = pending.length > 0 ? pending : null;
      pending = EMPTY_BYTES;
      scanFrom = 0;
      atLineStart = true;
      return { frames, tail };
    },
    get pendingBytes() {
      return pending.length;
    },
  };
}
