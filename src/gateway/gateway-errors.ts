// Gateway errors in OpenAI's shape ({error: {message, type, code}}), which OpenAI clients
// parse; the native API keeps Loupe's own error shape.
export class GatewayError extends Error {
  constructor(readonly status: number, readonly type: string, readonly code: string, message: string, readonly param: string | null = null) {
    super(message);
  }
  body(): string {
    return JSON.stringify({ error: { message: this.message, type: this.type, code: this.code, param: this.param } });
  }
}

export const invalidRequest = (message: string, param: string | null = null) => new GatewayError(400, 'invalid_request_error', 'invalid_request', message, param);

/** The terminal event sent when a stream breaks after its headers went out. */
export function sseErrorEvent(message: string, code = 'upstream_stream_error'): string {
  return `data: ${JSON.stringify({ error: { message, type: 'upstream_error', code } })}\n\n`;
}
