// Turns a zod validation failure into the field path and sentence every 4xx error names.
import type { z } from 'zod';

/** The first issue of a zod error, as a field path and a sentence. */
export function describeZodIssue(issues: readonly z.core.$ZodIssue[], prefix = ''): { field: string; message: string } {
  const issue = issues[0];
  if (!issue) return { field: prefix || '(body)', message: 'is invalid' };
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const path = [...issue.path.map(String), key].filter(Boolean).join('.');
    return { field: joinField(prefix, path), message: 'is not a known field' };
  }
  const path = issue.path.map(String).join('.');
  return { field: joinField(prefix, path) || '(body)', message: issue.message };
}

function joinField(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
