// The CPU-bound half of ingestion, with no I/O: validate each item, normalize and price it,
// and serialize its content once for both the idempotency hash and the store. Runs inline for
// small bodies and in worker threads for large batches.
import { hash } from 'node:crypto';
import { accountingIssues, callRecordInputSchema, type AccountingFields, type CallRecordInput } from '../domain/call-record.js';
import { describeZodIssue } from '../domain/describe-issue.js';
import { normalizeCall, type CallContext } from '../domain/normalize-call.js';
import { priceCall } from '../pricing/price-call.js';
import { redactCall } from '../security/redact-call.js';
import type { CallWrite } from '../store/ports.js';
import { searchWords } from '../store/search-words.js';
import { compileObjectSchema } from './compiled-schema.js';

export interface ItemError {
  code: string;
  message: string;
  field?: string;
}
export interface InvalidItem {
  index: number;
  id?: string;
  status: 'invalid';
  error: ItemError;
}
export type IngestItemResult =
  | { index: number; id: string; status: 'created' | 'duplicate' }
  | { index: number; id: string; status: 'conflict'; error: ItemError }
  | InvalidItem;

export interface PrepareOptions {
  /**
   * Take each call's search words here, off the event loop for large batches (the DuckDB store
   * keeps them for its search index, which reads the text of calls stored without them); off
   * for stores that index otherwise, which would only pay for them.
   */
  searchWords?: boolean;
}

export interface PreparedCalls {
  /** Set for items refused by validation; the others are decided by the store. */
  invalid: InvalidItem[];
  writes: CallWrite[];
  /** Index in the submitted items of each write. */
  positions: number[];
  itemCount: number;
}

/** Records the compiled checks accept skip zod; every other record is decided by zod itself. */
const fastParse = compileObjectSchema(callRecordInputSchema, (record) => accountingIssues(record as AccountingFields));

/** zod's safeParse of one record, with the compiled fast path first. */
export function parseCallRecord(item: unknown): ReturnType<typeof callRecordInputSchema.safeParse> | { success: true; data: CallRecordInput } {
  const fast = fastParse?.(item);
  return fast ? { success: true, data: fast as CallRecordInput } : callRecordInputSchema.safeParse(item);
}

const serialize = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/** Content is serialized once, for both the idempotency hash and the store. */
function serializeItem(item: Record<string, unknown>): { bodyHash: string; inputJson: string | null; outputJson: string | null } {
  const { input, output, ...rest } = item;
  const inputJson = serialize(input);
  const outputJson = serialize(output);
  const bodyHash = hash('sha1', `${JSON.stringify(rest)}\u0000${inputJson}\u0000${outputJson}`, 'base64url');
  return { bodyHash, inputJson, outputJson };
}

export function prepareCalls(items: readonly unknown[], context: CallContext, options: PrepareOptions = {}): PreparedCalls {
  const prepared: PreparedCalls = { invalid: [], writes: [], positions: [], itemCount: items.length };
  items.forEach((item, index) => {
    const parsed = parseCallRecord(item);
    if (!parsed.success) {
      const { field, message } = describeZodIssue(parsed.error.issues);
      const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : undefined;
      prepared.invalid.push({ index, ...(id ? { id } : {}), status: 'invalid', error: { code: 'validation_error', message: `${field}: ${message}`, field } });
      return;
    }
    const call = normalizeCall(parsed.data, context);
    // A cost the client reported is kept; otherwise the record is priced here, off the event
    // loop for large batches.
    if (call.cost_usd === null) priceCall(call);
    const serialized = serializeItem(item as Record<string, unknown>);
    // The hash is of the body as sent (a retry matches it); what is stored has no secrets.
    const content = redactCall(call, serialized);
    const write: CallWrite = { call, clientId: parsed.data.id !== undefined, bodyHash: serialized.bodyHash, ...content };
    if (options.searchWords) write.searchWords = searchWords(content.inputJson, content.outputJson);
    prepared.writes.push(write);
    prepared.positions.push(index);
  });
  return prepared;
}
