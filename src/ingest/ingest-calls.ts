// Validates, normalizes and prices submitted call records, then hands them to the recorder
// and reports one result per item. Invalid items never block valid ones in the same batch.
import { hash } from 'node:crypto';
import { callRecordInputSchema, type CallRecord } from '../domain/call-record.js';
import { normalizeCall, type CallContext } from '../domain/normalize-call.js';
import { describeZodIssue } from '../api/errors.js';
import type { Recorder } from '../recorder/recorder.js';
import type { CallWrite } from '../store/ports.js';

export type PriceCall = (call: CallRecord) => void;

export type IngestItemResult =
  | { index: number; id: string; status: 'created' | 'duplicate' }
  | { index: number; id?: string; status: 'conflict' | 'invalid'; error: { code: string; message: string; field?: string } };

export interface IngestDeps {
  recorder: Recorder;
  priceCall: PriceCall;
}

const serialize = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * Serializes the large content once, for both the idempotency hash and the store, and
 * hashes the rest of the item beside it.
 */
function serializeItem(item: Record<string, unknown>): { bodyHash: string; inputJson: string | null; outputJson: string | null } {
  const { input, output, ...rest } = item;
  const inputJson = serialize(input);
  const outputJson = serialize(output);
  const bodyHash = hash('sha1', `${JSON.stringify(rest)}\u0000${inputJson}\u0000${outputJson}`, 'base64url');
  return { bodyHash, inputJson, outputJson };
}

export async function ingestCalls(items: unknown[], context: CallContext, deps: IngestDeps): Promise<IngestItemResult[]> {
  const results: IngestItemResult[] = new Array(items.length);
  const writes: CallWrite[] = [];
  const positions: number[] = [];
  items.forEach((item, index) => {
    const parsed = callRecordInputSchema.safeParse(item);
    if (!parsed.success) {
      const { field, message } = describeZodIssue(parsed.error.issues);
      const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : undefined;
      results[index] = { index, ...(id ? { id } : {}), status: 'invalid', error: { code: 'validation_error', message: `${field}: ${message}`, field } };
      return;
    }
    const call = normalizeCall(parsed.data, context);
    if (call.cost_usd === null) deps.priceCall(call);
    writes.push({ call, clientId: parsed.data.id !== undefined, ...serializeItem(item as Record<string, unknown>) });
    positions.push(index);
  });
  if (writes.length > 0) {
    const outcomes = await deps.recorder.submit(writes);
    outcomes.forEach((outcome, i) => {
      const index = positions[i]!;
      const id = writes[i]!.call.id;
      results[index] =
        outcome === 'conflict'
          ? { index, id, status: 'conflict', error: { code: 'conflict', message: `id ${id} was already recorded with a different body`, field: 'id' } }
          : { index, id, status: outcome };
    });
  }
  return results;
}
