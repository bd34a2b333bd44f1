// Parses the raw body of POST /api/v1/calls: JSON, one record or an array of at most
// MAX_BATCH_ITEMS, with prototype-polluting keys of each record dropped (as the HTTP
// parser does for every other route).
export const MAX_BATCH_ITEMS = 1000;
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

export class BodyError extends Error {
  constructor(readonly code: 'invalid_json' | 'validation_error', message: string, readonly field?: string) {
    super(message);
  }
}

export interface CallsBody {
  single: boolean;
  items: unknown[];
}

export function parseCallsBody(text: string, maxItems = MAX_BATCH_ITEMS): CallsBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BodyError('invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(body)) {
    if (body.length > maxItems) throw new BodyError('validation_error', `(body): holds ${body.length} records; at most ${maxItems} per request`, '(body)');
    body.forEach(dropForbiddenKeys);
    return { single: false, items: body };
  }
  if (body === null || typeof body !== 'object') throw new BodyError('validation_error', '(body): must be a call record object or an array of them', '(body)');
  dropForbiddenKeys(body);
  return { single: true, items: [body] };
}

function dropForbiddenKeys(item: unknown): void {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return;
  for (const key of FORBIDDEN_KEYS) {
    if (Object.hasOwn(item, key)) delete (item as Record<string, unknown>)[key];
  }
}
