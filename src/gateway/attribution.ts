// Attribution of a gateway call from the x-loupe-* request headers and the body's `user`.
import type { IncomingHttpHeaders } from 'node:http';
import type { CallRecordInput } from '../domain/call-record.js';

const MAX_HEADER_VALUE = 256;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text.slice(0, MAX_HEADER_VALUE) : undefined;
}

export function attributionFromHeaders(headers: IncomingHttpHeaders, bodyUser: unknown): Partial<CallRecordInput> {
  const out: Partial<CallRecordInput> = {};
  const user = header(headers, 'x-loupe-user-id') ?? (typeof bodyUser === 'string' ? bodyUser.slice(0, MAX_HEADER_VALUE) : undefined);
  if (user) out.user_id = user;
  const session = header(headers, 'x-loupe-session-id');
  if (session) out.session_id = session;
  const agent = header(headers, 'x-loupe-agent');
  if (agent) out.agent = agent;
  const trace = header(headers, 'x-loupe-trace-id');
  if (trace) out.trace_id = trace.slice(0, 128);
  const parent = header(headers, 'x-loupe-parent-id');
  if (parent) out.parent_id = parent.slice(0, 128);
  const tags = header(headers, 'x-loupe-tags');
  if (tags) out.tags = tags.split(',').map((tag) => tag.trim()).filter(Boolean).slice(0, 64);
  const signal = header(headers, 'x-loupe-signal');
  if (signal) out.signal = signal.slice(0, 64);
  const confidence = Number(header(headers, 'x-loupe-confidence'));
  if (Number.isFinite(confidence) && confidence >= 0 && confidence <= 1) out.confidence = confidence;
  const properties: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('x-loupe-property-')) continue;
    const key = name.slice('x-loupe-property-'.length);
    const value = header(headers, name);
    if (key && value && !['__proto__', 'constructor', 'prototype'].includes(key) && Object.keys(properties).length < 64) properties[key.slice(0, 128)] = value;
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  return out;
}
