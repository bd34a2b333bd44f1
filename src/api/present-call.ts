// Shapes stored calls for API answers: timestamps as ISO-8601 strings, everything else as stored.
import type { CallRecord } from '../domain/call-record.js';
import type { CallSummary } from '../store/ports.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function presentCall<T extends CallSummary | CallRecord>(call: T): Omit<T, 'started_at' | 'ended_at'> & { started_at: string; ended_at: string | null } {
  return { ...call, started_at: iso(call.started_at)!, ended_at: iso(call.ended_at) };
}
