// The messages between a DuckDB store worker and the main thread. Requests name a port method
// (repository and method, checked against METHODS on arrival) with its arguments as plain
// data; call writes travel in their compact wire form.
import type { WireWrite } from '../call-write-wire.js';
import type { Store } from '../ports.js';

type AsyncMethod = (...args: never[]) => Promise<unknown>;
export type MethodName<T> = { [K in keyof T]-?: T[K] extends AsyncMethod ? K : never }[keyof T] & string;

/** Every part of the Store port that holds methods; a single-process store has no broadcast. */
export type RepositoryName = Exclude<{ [K in keyof Store]-?: Store[K] extends string | AsyncMethod ? never : K }[keyof Store], 'broadcast'>;

/**
 * The methods the worker answers, per repository. Its type lists every method of the port, so
 * a method added to a repository does not compile until it is listed here.
 */
export type MethodTable = { [R in RepositoryName]: Record<MethodName<Store[R]>, true> };

export const METHODS: MethodTable = {
  calls: { reprice: true, insertBatch: true, get: true, list: true, deleteByIds: true, count: true, purgeBefore: true },
  projects: { ensure: true, get: true, list: true },
  apiKeys: { insert: true, findByHash: true, get: true, list: true, revoke: true, countActive: true },
  sql: { query: true },
  priceOverrides: { all: true, upsert: true, delete: true },
  budgets: { list: true, get: true, insert: true, update: true, delete: true },
  providers: { list: true, upsert: true, delete: true, listHealth: true, saveHealth: true },
  outcomes: { insertMany: true, get: true, existingIds: true, update: true, list: true },
  researchConfig: { get: true, put: true },
};

export function isPortMethod(repository: string, method: string): boolean {
  const methods: Record<string, Record<string, true>> = METHODS;
  return Object.hasOwn(methods, repository) && Object.hasOwn(methods[repository]!, method);
}

export type StoreRequest =
  | { id: number; kind: 'call'; repository: string; method: string; args: unknown[] }
  /** calls.insertBatch, the recorder's group commit. */
  | { id: number; kind: 'insert'; writes: WireWrite[] }
  | { id: number; kind: 'ping' }
  /** Finishes the requests under way, closes the store and ends the worker. */
  | { id: number; kind: 'close' };

/** An error as it crosses: what callers test (its class, code and message) survives. */
export interface WireError {
  kind: 'locked' | 'invalid-cursor' | 'aggregate' | 'error';
  name: string;
  message: string;
  code?: string;
  stack?: string;
  errors?: WireError[];
}

export type StoreReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError };

/** The worker's first message: the store is open (migrated, indexer started), or why not. */
export type OpenedMessage = { opened: true } | { opened: false; error: WireError };
