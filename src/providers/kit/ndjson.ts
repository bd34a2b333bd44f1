// Newline-delimited JSON reader (Ollama's native streams): splits bytes on LF across reads,
// validates each line; a line that fails JSON or schema is an error part, never a throw.
import { z } from 'zod';
import { concatBytes, decodeUtf8, EMPTY_BYTES } from './bytes.js';

export type NdjsonPart<T> = { type: 'value'; value: T } | { type: 'error'; message: string; line: string };

export interface NdjsonReader<T> {
  push(chunk: Uint8Array): NdjsonPart<T>[];
  /** End of input: a last line without its newline is still read. */
  end(): NdjsonPart<T>[];
}

const LF = 0x0a;
const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

export function createNdjsonReader<T>(schema: z.ZodType<T>, maxLineBytes = DEFAULT_MAX_LINE_BYTES): NdjsonReader<T> {
  let pending: Uint8Array = EMPTY_BYTES;

  function readLines(buffer: Uint8Array, final: boolean): NdjsonPart<T>[] {
    const parts: NdjsonPart<T>[] = [];
    let lineStart = 0;
    // LF is a single byte that never occurs inside a multi-byte UTF-8 sequence, so splitting
    // bytes before decoding is safe.
    for (let index = buffer.indexOf(LF); index !== -1; index = buffer.indexOf(LF, lineStart)) {
      pushLine(parts, buffer.subarray(lineStart, index));
      lineStart = index + 1;
    }
    pending = buffer.slice(lineStart);
    if (final && pending.length > 0) {
      pushLine(parts, pending);
      pending = EMPTY_BYTES;
    } else if (pending.length > maxLineBytes) {
      pending = EMPTY_BYTES;
      parts.push({ type: 'error', message: `NDJSON line exceeds ${maxLineBytes} bytes`, line: '' });
    }
    return parts;
  }

  function pushLine(parts: NdjsonPart<T>[], bytes: Uint8Array): void {
    const text = decodeUtf8(bytes).trim();
    if (text === '') return;
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      parts.push({ type: 'error', message: 'NDJSON line is not valid JSON', line: clip(text) });
      return;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) parts.push({ type: 'value', value: parsed.data });
    else parts.push({ type: 'error', message: `unexpected NDJSON line: ${z.prettifyError(parsed.error)}`, line: clip(text) });
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return [];
      return readLines(pending.length === 0 ? chunk : concatBytes([pending, chunk]), false);
    },
    end() {
      return readLines(pending, true);
    },
  };
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
