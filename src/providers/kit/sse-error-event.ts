// The terminal SSE event a client receives when a stream fails after its headers were sent:
// OpenAI's error shape in a `data:` event, which the official SDKs raise as an APIError.
// Adapters never write it themselves (they report the terminal); the gateway writes it once.
import { encodeUtf8 } from './bytes.js';
import type { UpstreamError } from './errors.js';

export function encodeSseErrorEvent(error: UpstreamError): Uint8Array {
  const payload = { error: { message: error.message, type: error.type, code: error.code, param: error.param } };
  return encodeUtf8(`data: ${JSON.stringify(payload)}\n\n`);
}
