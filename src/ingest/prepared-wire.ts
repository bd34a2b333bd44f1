// A prepared batch as it crosses from an ingestion worker to the main thread, its writes in
// the compact form of ../store/call-write-wire.ts.
import { writeFromWire, writeToWire, type WireWrite } from '../store/call-write-wire.js';
import type { PreparedCalls } from './prepare-calls.js';

export interface WirePrepared extends Omit<PreparedCalls, 'writes'> {
  writes: WireWrite[];
}

export function toWire(prepared: PreparedCalls): WirePrepared {
  return { ...prepared, writes: prepared.writes.map(writeToWire) };
}

export function fromWire(wire: WirePrepared): PreparedCalls {
  return { ...wire, writes: wire.writes.map(writeFromWire) };
}
