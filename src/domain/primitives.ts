// Small validated building blocks shared by the domain schemas: timestamps with sane
// bounds, string maps and free JSON with prototype-polluting keys removed.
import { z } from 'zod';
import { parseIsoTime } from './iso-time.js';

const EARLIEST_MS = Date.UTC(2000, 0, 1);
const FUTURE_SLACK_MS = 24 * 3600 * 1000;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * ISO-8601 string or epoch milliseconds → epoch milliseconds, refused when unparseable or when
 * `accepted` says no (then with `outside` as the message). Bounds are read at each parse.
 */
export function instantSchema(accepted: (ms: number, now: number) => boolean, outside: string) {
  return z.union([z.string().max(64), z.number()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseIsoTime(value) ?? Number.NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid ISO-8601 timestamp or epoch milliseconds' });
      return z.NEVER;
    }
    if (!accepted(ms, Date.now())) {
      ctx.addIssue({ code: 'custom', message: outside });
      return z.NEVER;
    }
    return Math.round(ms);
  });
}

/** When something happened: refused when absurd. */
export const timestampSchema = instantSchema((ms, now) => ms >= EARLIEST_MS && ms <= now + FUTURE_SLACK_MS, 'is outside the accepted range (year 2000 to now + 1 day)');

/** Copies a JSON value, dropping keys that could pollute prototypes downstream. */
export function stripForbiddenKeys(value: unknown, depth = 0): unknown {
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => stripForbiddenKeys(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    out[key] = stripForbiddenKeys((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}

/** Free JSON (params, metadata) with forbidden keys removed at every level. */
export const safeJson = z.unknown().transform((value) => stripForbiddenKeys(value));

/**
 * Content (prompts, outputs) is stored as given. The HTTP parser already drops `__proto__`
 * keys, and content is never merged into objects, so a deep copy here would only cost time.
 */
export const contentJson = z.unknown();

/** A flat string → string map (properties, metadata) with bounded size. */
export const safeStringMap = z
  .record(z.string().max(128), z.union([z.string().max(2048), z.number(), z.boolean()]))
  .transform((map) => {
    const out: Record<string, string> = {};
    for (const key of Object.keys(map)) {
      if (FORBIDDEN_KEYS.has(key)) continue;
      out[key] = String(map[key]);
    }
    return out;
  })
  .refine((map) => Object.keys(map).length <= 64, { message: 'has more than 64 keys' });
