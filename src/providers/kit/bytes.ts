// Byte helpers for the stream readers: UTF-8 coding and joining network reads without
// copying when there is nothing to join.
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Lenient decode: invalid sequences become U+FFFD rather than failing the call. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Joins byte runs; runs that lie end to end in one buffer (events cut from one read) become one view of it, uncopied. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 0) return EMPTY_BYTES;
  const first = parts[0]!;
  if (parts.length === 1) return first;
  let length = 0;
  let adjacent = true;
  for (const part of parts) {
    adjacent &&= part.buffer === first.buffer && part.byteOffset === first.byteOffset + length;
    length += part.length;
  }
  if (adjacent) return new Uint8Array(first.buffer, first.byteOffset, length);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
