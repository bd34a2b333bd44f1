// The API's error catalogue and the one handler that shapes every failure as
// { error: { code, message, field? } }. Caller mistakes are 4xx; nothing leaks a stack trace.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { describeZodIssue } from '../domain/describe-issue.js';
import { QueueFullError, RecorderClosedError } from '../recorder/recorder.js';
import { isStoreUnavailable } from '../store/store-errors.js';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const badRequest = (field: string, message: string) => new ApiError(400, 'validation_error', `${field}: ${message}`, field);

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field ? { code, message, field } : { code, message } };
}

export { describeZodIssue };

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      void reply.code(error.statusCode).headers(error.headers).send(errorBody(error.code, error.message, error.field));
      return;
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const where = error.validationContext ?? 'body';
      const path = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') ?? '';
      const params = (first?.params ?? {}) as { issue?: z.core.$ZodIssue; keys?: unknown };
      // Unknown keys arrive without an issue object; the key list names the field.
      const unknownKey = first?.keyword === 'unrecognized_keys' && Array.isArray(params.keys) ? String(params.keys[0]) : null;
      const described = params.issue
        ? describeZodIssue([params.issue])
        : unknownKey !== null
          ? { field: [path, unknownKey].filter(Boolean).join('.'), message: 'is not a known field' }
          : { field: path, message: first?.message ?? 'is invalid' };
      const field = described.field && described.field !== '(body)' ? described.field : where;
      void reply.code(400).send(errorBody('validation_error', `${where === 'body' ? '' : `${where} `}${field}: ${described.message}`.trim(), field));
      return;
    }
    if (error instanceof QueueFullError || error instanceof RecorderClosedError) {
      // Nothing was acknowledged: the client may retry the same ids safely.
      const retryAfter = error instanceof QueueFullError ? error.retryAfterSeconds : 5;
      void reply.code(503).header('retry-after', String(retryAfter)).send(errorBody('overloaded', `${error.message}; retry after ${retryAfter} s`));
      return;
    }
    if (isStoreUnavailable(error)) {
      // Nothing was stored; the same request (the same ids) may be sent again.
      void reply.code(503).header('retry-after', '5').send(errorBody('store_unavailable', 'the store cannot be reached; retry after 5 s'));
      return;
    }
    const status = error.statusCode ?? 500;
    if (status === 413) {
      void reply.code(413).send(errorBody('payload_too_large', `request body exceeds the limit of ${app.initialConfig.bodyLimit} bytes`));
      return;
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      void reply.code(415).send(errorBody('unsupported_media_type', error.message));
      return;
    }
    if (status >= 400 && status < 500) {
      const code = error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || /JSON/i.test(error.message) ? 'invalid_json' : 'bad_request';
      void reply.code(status).send(errorBody(code, error.message));
      return;
    }
    request.log.error({ err: error }, 'unhandled error');
    void reply.code(500).send(errorBody('internal_error', 'internal error; the server log has the details'));
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
