// AWS's binary event stream (application/vnd.amazon.eventstream), as Bedrock's ConverseStream
// sends it: each message a 4-byte big-endian total length, headers and a payload, checked by
// CRC32. The codec (AWS's own) decodes and checks one whole message; this reader cuts the
// bytes into whole messages however the network split them.
import { createRequire } from 'node:module';
import { concatBytes } from '../kit/bytes.js';

type Codec = InstanceType<typeof import('@smithy/eventstream-codec').EventStreamCodec>;
let codec: Codec | undefined;

/**
 * AWS's codec, loaded with the first Bedrock stream: loading it costs a process about 11 MB of
 * memory (measured), which an instance that never streams from Bedrock should not carry.
 */
function awsCodec(): Codec {
  if (!codec) {
    const { EventStreamCodec } = createRequire(import.meta.url)('@smithy/eventstream-codec') as typeof import('@smithy/eventstream-codec');
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    codec = new EventStreamCodec((bytes) => decoder.decode(bytes), (text) => encoder.encode(text));
  }
  return codec;
}

/** Prelude (12 bytes) and message CRC (4): the least a message can be. */
const MIN_MESSAGE = 16;
/** AWS's own limit on one event stream message. */
const MAX_MESSAGE = 16 * 1024 * 1024;

export interface EventMessage {
  /** String headers only (`:event-type`, `:message-type`, `:exception-type`, ...). */
  headers: Record<string, string>;
  body: Uint8Array;
}

export type EventRead = { type: 'message'; message: EventMessage } | { type: 'error'; message: string };

export class EventStreamReader {
  private pending: Uint8Array = new Uint8Array(0);

  /** The whole messages the bytes complete; a message that fails its checks ends the reading. */
  push(bytes: Uint8Array): EventRead[] {
    this.pending = this.pending.length === 0 ? bytes : concatBytes([this.pending, bytes]);
    const out: EventRead[] = [];
    while (this.pending.length >= 4) {
      const length = new DataView(this.pending.buffer, this.pending.byteOffset, 4).getUint32(0, false);
      if (length < MIN_MESSAGE || length > MAX_MESSAGE) {
        out.push({ type: 'error', message: `an event stream message of ${length} bytes` });
        this.pending = new Uint8Array(0);
        break;
      }
      if (this.pending.length < length) break;
      const whole = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      try {
        const decoded = awsCodec().decode(whole);
        const headers: Record<string, string> = {};
        for (const [name, header] of Object.entries(decoded.headers)) if (header.type === 'string') headers[name] = header.value;
        out.push({ type: 'message', message: { headers, body: decoded.body } });
      } catch (error) {
        out.push({ type: 'error', message: error instanceof Error ? error.message : 'an event stream message that does not decode' });
        this.pending = new Uint8Array(0);
        break;
      }
    }
    return out;
  }

  /** Whether bytes of an unfinished message are left. */
  get midMessage(): boolean {
    return this.pending.length > 0;
  }
}
