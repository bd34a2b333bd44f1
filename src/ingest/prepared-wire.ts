// A prepared batch as it crosses from an ingestion worker to the main thread. The structured
// clone writes every property name of every object, so each record travels as an array of
// its values in CALL_COLUMNS order, and its parsed input and output stay behind: the stores
// write their JSON text, which travels anyway. Half the copying cost of the objects (measured:
// 9.4 against 5.1 µs per record, copy and rebuild included).
import { CALL_COLUMNS, type CallRecord } from '../domain/call-record.js';
import type { CallWrite } from '../store/ports.js';
import type { PreparedCalls } from './prepare-calls.js';

type WireWrite = [values: unknown[], bodyHash: string, clientId: boolean | undefined, inputJson: string | null | undefined, outputJson: string | null | undefined];

export interface WirePrepared extends Omit<PreparedCalls, 'writes'> {
  writes: WireWrite[];
}

function contentValue(column: (typeof CALL_COLUMNS)[number], write: CallWrite): unknown {
  if (column === 'input' && write.inputJson !== undefined) return null;
  if (column === 'output' && write.outputJson !== undefined) return null;
  return write.call[column];
}

export function toWire(prepared: PreparedCalls): WirePrepared {
  return {
    ...prepared,
    writes: prepared.writes.map((write) => [
      CALL_COLUMNS.map((column) => contentValue(column, write)),
      write.bodyHash,
      write.clientId,
      write.inputJson,
      write.outputJson,
    ]),
  };
}

export function fromWire(wire: WirePrepared): PreparedCalls {
  return {
    ...wire,
    writes: wire.writes.map(([values, bodyHash, clientId, inputJson, outputJson]) => {
      const call: Record<string, unknown> = {};
      for (let i = 0; i < CALL_COLUMNS.length; i++) call[CALL_COLUMNS[i]!] = values[i];
      const write: CallWrite = { call: call as unknown as CallRecord, bodyHash };
      if (clientId !== undefined) write.clientId = clientId;
      if (inputJson !== undefined) write.inputJson = inputJson;
      if (outputJson !== undefined) write.outputJson = outputJson;
      return write;
    }),
  };
}
