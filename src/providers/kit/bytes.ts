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

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 0) return EMPTY_BYTES;
  if (parts.length === 1) return parts[0] ?? EMPTY_BYTES;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
