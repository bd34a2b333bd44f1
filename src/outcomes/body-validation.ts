// Re-validates the part of a request that failed its route schema so the 400 names the
// offending field, unknown keys included (the route-level error only says "body" or
// "querystring" for those). Routes using it set `attachValidation: true` and call it first.
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { badRequest, describeZodIssue } from '../api/errors.js';

export interface RequestSchemas {
  body?: z.ZodType;
  querystring?: z.ZodType;
}

export function assertValidRequest(request: FastifyRequest, schemas: RequestSchemas): void {
  const error = request.validationError;
  if (!error) return;
  const part = error.validationContext ?? 'body';
  const schema = part === 'body' ? schemas.body : part === 'querystring' ? schemas.querystring : undefined;
  const parsed = schema?.safeParse(part === 'body' ? request.body : request.query);
  if (!parsed || parsed.success) throw badRequest(part, error.message);
  const described = describeZodIssue(parsed.error.issues);
  throw badRequest(described.field, described.message);
}
