// The stream failures every transform reports the same way: a malformed event, and an end of
// input before the provider's end marker (a cut connection or a crashed upstream).
import { upstreamError, type UpstreamError } from './errors.js';

export function streamTruncatedError(what: string): UpstreamError {
  return upstreamError('invalid_response', { message: `upstream stream ended before ${what}`, code: 'stream_truncated' });
}

export function malformedEventError(message: string): UpstreamError {
  return upstreamError('invalid_response', { message: `upstream sent a malformed stream event: ${message}`, code: 'invalid_stream' });
}
