// Gateway errors in the shape the client's SDK parses (client-format.ts: OpenAI's
// {error: {message, type, code}} unless the client speaks Anthropic's); the native API keeps
// Loupe's own error shape.
import type { UpstreamError } from '../providers/kit/errors.js';
import { errorBody, type ClientFormat } from './client-format.js';

export class GatewayError extends Error {
  constructor(readonly status: number, readonly type: string, readonly code: string, message: string, readonly param: string | null = null) {
    super(message);
  }
  body(format: ClientFormat = 'openai'): string {
    return errorBody(format, this);
  }
}

export const invalidRequest = (message: string, param: string | null = null) => new GatewayError(400, 'invalid_request_error', 'invalid_request', message, param);

/** An adapter's upstream error as the client sees it. */
export function fromUpstreamError(error: UpstreamError, status = error.status): GatewayError {
  return new GatewayError(status, error.type, error.code, error.message, error.param);
}
