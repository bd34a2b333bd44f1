// Gateway errors in OpenAI's shape ({error: {message, type, code}}), which OpenAI clients
// parse; the native API keeps Loupe's own error shape.
import type { UpstreamError } from '../providers/kit/errors.js';

export class GatewayError extends Error {
  constructor(readonly status: number, readonly type: string, readonly code: string, message: string, readonly param: string | null = null) {
    super(message);
  }
  body(): string {
    return JSON.stringify({ error: { message: this.message, type: this.type, code: this.code, param: this.param } });
  }
}

export const invalidRequest = (message: string, param: string | null = null) => new GatewayError(400, 'invalid_request_error', 'invalid_request', message, param);

/** An adapter's upstream error as the client sees it. */
export function fromUpstreamError(error: UpstreamError, status = error.status): GatewayError {
  return new GatewayError(status, error.type, error.code, error.message, error.param);
}
