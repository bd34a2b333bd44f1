// Recognizes a store that cannot take a request now: unreachable (connection refused, dropped,
// timed out, server shutting down) or, for the embedded store, out of memory under load. Callers
// answer 503 with Retry-After instead of a 500 (nothing was stored, the same request may be sent
// again), and the recorder spools the gateway's records rather than losing them.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed/i;
// DuckDB gives up a write whose commit needs more memory than its limit leaves at that moment;
// the transaction is rolled back and the same write succeeds once readers release their memory.
const DUCKDB_OUT_OF_MEMORY = /^Out of Memory Error:/;

/** DuckDB refused an allocation: its memory limit left too little for the statement. */
export function isDuckDbOutOfMemory(error: unknown): boolean {
  return error instanceof Error && DUCKDB_OUT_OF_MEMORY.test(error.message);
}

export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isStoreUnavailable);
  return UNAVAILABLE_MESSAGES.test(error.message) || isDuckDbOutOfMemory(error);
}
