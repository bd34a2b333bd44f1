// A compat route answers by asking the native route in-process, as its caller (the same key or
// session), and reshaping the answer: the native route stays the one place that validates,
// scopes to the project and computes.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';

const FORWARDED = ['authorization', 'x-api-key', 'cookie'] as const;

export interface NativeAnswer {
  status: number;
  /** The answer parsed as JSON, or its text when it is not JSON. */
  body: unknown;
  /** The answer as sent (a CSV export is passed on as it is). */
  raw?: string;
}

export async function callNative(app: FastifyInstance, request: FastifyRequest, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<NativeAnswer> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  let parsed: unknown = null;
  try {
    parsed = response.body ? JSON.parse(response.body) : null;
  } catch {
    parsed = response.body;
  }
  return { status: response.statusCode, body: parsed, raw: response.body };
}

export type NativeRequest = [method: 'GET' | 'POST', url: string, body?: unknown];

/** Asks the native routes at once: the bodies of their answers, or the first answer that failed. */
export async function callAllNative(app: FastifyInstance, request: FastifyRequest, calls: readonly NativeRequest[]): Promise<{ bodies: Record<string, unknown>[]; failed: null } | { bodies: null; failed: NativeAnswer }> {
  const answers = await Promise.all(calls.map(([method, url, body]) => callNative(app, request, method, url, body)));
  const failed = answers.find((answer) => answer.status >= 300);
  return failed ? { bodies: null, failed } : { bodies: answers.map((answer) => answer.body as Record<string, unknown>), failed: null };
}

/** The native error's message, for a seed's `{success: false, error}`. */
export function nativeError(answer: NativeAnswer): string {
  const error = (answer.body as { error?: { message?: unknown } | string } | null)?.error;
  if (typeof error === 'string') return error;
  return typeof error?.message === 'string' ? error.message : `HTTP ${answer.status}`;
}

/**
 * Errors of a compat scope in the seeds' shape, `{success: false, error}` with the same status;
 * `code` adds a seed's error code (and empty details) where the seed has them.
 */
export function seedErrors(scope: FastifyInstance, code?: (status: number) => string): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error instanceof ApiError ? error.statusCode : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : hasZodFastifySchemaValidationErrors(error) ? 400 : 500;
    // A server fault says no more than that (and is logged); a caller's mistake says what it was.
    if (status >= 500) request.log.error({ err: error }, 'compat route failed');
    if (error instanceof ApiError) void reply.headers(error.headers);
    return reply.code(status).send({ success: false, error: status >= 500 ? 'internal error' : error.message, ...(code ? { code: code(status), details: {} } : {}) });
  });
}
