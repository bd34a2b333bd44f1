// The one SSE reader for every provider: frames raw bytes into events (keeping each event's
// exact bytes so pass-through adapters can forward or drop them), parses fields with
// eventsource-parser and validates each data payload; a bad payload is an error part, never a throw.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { z } from 'zod';
import { decodeUtf8, EMPTY_BYTES } from './bytes.js';
import { createSseFramer } from './sse-framer.js';

export type SsePart<T> =
  | { type: 'value'; event: string | undefined; value: T }
  | { type: 'done' }
  | { type: 'error'; message: string; data: string; reason: SseErrorReason };

/** `field`: a line the SSE spec says to ignore (unknown field); the others mean a broken event. */
export type SseErrorReason = 'json' | 'schema' | 'field' | 'size';

export interface SseFrame<T> {
  /** The event's bytes exactly as received, blank line included. */
  bytes: Uint8Array;
  parts: SsePart<T>[];
  comments: string[];
  /** False for a tail the upstream never terminated with a blank line. */
  complete: boolean;
}

export interface SseReader<T> {
  push(chunk: Uint8Array): SseFrame<T>[];
  end(): SseFrame<T>[];
}

export interface SseReaderOptions {
  /** An event larger than this is refused (a broken upstream must not grow memory without bound). */
  maxEventBytes?: number;
}

const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

export function createSseReader<T>(schema: z.ZodType<T>, options: SseReaderOptions = {}): SseReader<T> {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const framer = createSseFramer();
  let parts: SsePart<T>[] = [];
  let comments: string[] = [];
  const parser = createParser({
    onEvent: (event) => {
      const part = toPart(event, schema);
      if (part) parts.push(part);
    },
    onComment: (comment) => comments.push(comment),
    onError: (error) => parts.push({ type: 'error', message: `malformed SSE: ${error.message}`, data: error.line ?? '', reason: 'field' }),
  });

  function parseFrame(bytes: Uint8Array, complete: boolean): SseFrame<T> {
    parts = [];
    comments = [];
    let text = decodeUtf8(bytes);
    // eventsource-parser holds a trailing CR back in case an LF follows; the framer already
    // knows the CR ended the event, so complete the pair.
    if (text.endsWith('\r')) text += '\n';
    // An unterminated tail at end of input is parsed as if it had ended, then judged by caller.
    if (!complete) text += '\n\n';
    parser.feed(text);
    return { bytes, parts, comments, complete };
  }

  return {
    push(chunk) {
      const frames = framer.push(chunk).map((bytes) => parseFrame(bytes, true));
      if (framer.pendingBytes > maxEventBytes) {
        framer.end();
        parser.reset();
        const message = `SSE event exceeds ${maxEventBytes} bytes`;
        frames.push({ bytes: EMPTY_BYTES, parts: [{ type: 'error', message, data: '', reason: 'size' }], comments: [], complete: false });
      }
      return frames;
    },
    end() {
      const { frames, tail } = framer.end();
      const parsed = frames.map((bytes) => parseFrame(bytes, true));
      if (tail !== null && tail.length > 0) parsed.push(parseFrame(tail, false));
      parser.reset();
      return parsed;
    },
  };
}

function toPart<T>(event: EventSourceMessage, schema: z.ZodType<T>): SsePart<T> | null {
  const data = event.data;
  if (data.trim() === '') return null;
  if (data.trim() === '[DONE]') return { type: 'done' };
  let json: unknown;
  try {
    json = JSON.parse(data) as unknown;
  } catch {
    return { type: 'error', message: 'SSE data is not valid JSON', data: clip(data), reason: 'json' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { type: 'error', message: `unexpected SSE payload: ${z.prettifyError(parsed.error)}`, data: clip(data), reason: 'schema' };
  return { type: 'value', event: event.event, value: parsed.data };
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
