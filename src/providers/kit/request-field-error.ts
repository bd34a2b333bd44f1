// A field of the caller's request that a translation to a provider's own API cannot say: the
// caller's 400, naming the field, before anything goes upstream.
import { upstreamError } from './errors.js';
import { fail, ok, type Result } from './result.js';

export class RequestFieldError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

/** The translation's result, or the caller's 400 when it refused a field. */
export function translating<T>(translate: () => T): Result<T> {
  try {
    return ok(translate());
  } catch (error) {
    if (error instanceof RequestFieldError) return fail(upstreamError('bad_request', { message: error.message, code: 'invalid_request', param: error.param }));
    throw error;
  }
}
