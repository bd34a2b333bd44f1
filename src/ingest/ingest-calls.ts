// Ingestion: prepared calls (validated, normalized, priced) are handed to the recorder and
// answered with one result per item. Invalid items never block valid ones in the same batch.
import type { CallRecord } from '../domain/call-record.js';
import type { CallContext } from '../domain/normalize-call.js';
import type { Recorder } from '../recorder/recorder.js';
import { prepareCalls, type IngestItemResult, type PreparedCalls } from './prepare-calls.js';

export type { IngestItemResult } from './prepare-calls.js';
export type PriceCall = (call: CallRecord) => void;

export interface IngestDeps {
  recorder: Recorder;
}

/** Stores prepared calls; resolves once their group commit is durable. */
export async function commitPrepared(prepared: PreparedCalls, deps: IngestDeps): Promise<IngestItemResult[]> {
  const results: IngestItemResult[] = new Array(prepared.itemCount);
  for (const result of prepared.invalid) results[result.index] = result;
  const { writes, positions } = prepared;
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

export function ingestCalls(items: unknown[], context: CallContext, deps: IngestDeps): Promise<IngestItemResult[]> {
  return commitPrepared(prepareCalls(items, context), deps);
}
