// Errors across the worker boundary. A structured clone keeps only a plain Error's message, so
// the classes and codes that callers test are carried explicitly: a locked file
// (StoreLockedError), a bad logs cursor (InvalidCursorError, a 400), and the code and message
// store-errors.ts reads to tell an unavailable store from a failed request.
import { InvalidCursorError } from '../call-row.js';
import { StoreLockedError } from '../duckdb/duckdb-store.js';
import type { WireError } from './protocol.js';

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { kind: 'error', name: 'Error', message: String(error) };
  const wire: WireError = {
    kind: error instanceof StoreLockedError ? 'locked' : error instanceof InvalidCursorError ? 'invalid-cursor' : error instanceof AggregateError ? 'aggregate' : 'error',
    name: error.name,
    message: error.message,
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') wire.code = code;
  if (error.stack) wire.stack = error.stack;
  if (error instanceof AggregateError) wire.errors = error.errors.map(toWireError);
  return wire;
}

export function fromWireError(wire: WireError): Error {
  const error =
    wire.kind === 'locked' ? new StoreLockedError(wire.message)
    : wire.kind === 'invalid-cursor' ? new InvalidCursorError(wire.message)
    : wire.kind === 'aggregate' ? new AggregateError((wire.errors ?? []).map(fromWireError), wire.message)
    : new Error(wire.message);
  if (wire.kind === 'error' && wire.name !== 'Error') error.name = wire.name;
  if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  // The caller's stack says who asked; the worker's says where it failed.
  if (wire.stack) error.stack = `${error.stack ?? ''}\n    at (store worker)\n${wire.stack.split('\n').slice(1).join('\n')}`;
  return error;
}
