// The embedded DuckDB store, run on its own worker thread behind the Store port: every port
// call is a message to the worker (./store-worker.ts) and its answer a message back. The main
// thread keeps only the copying of requests and results.
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { spawnWorker } from '../../workers/spawn-worker.js';
import { writeToWire } from '../call-write-wire.js';
import type { DuckDbStoreOptions } from '../duckdb/duckdb-store.js';
import type { CallRepository, InsertOutcome, SqlReader, Store } from '../ports.js';
import { METHODS, type OpenedMessage, type RepositoryName, type StoreReply, type StoreRequest } from './protocol.js';
import { fromWireError } from './wire-error.js';

/**
 * The store worker is gone (crashed, terminated, or closed): nothing more can be stored until
 * it is back. Its code is SQLSTATE 08006 (connection failure), the class store-errors.ts
 * reads as an unavailable store, so the API answers 503 and the recorder spools gateway calls.
 */
export class StoreWorkerStoppedError extends Error {
  readonly code = '08006';
}

export interface WorkerStoreOptions extends DuckDbStoreOptions {
  /** Heap limits of the worker's V8 isolate. */
  resourceLimits?: ResourceLimits;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A request before it is numbered (distributes over the union, keeping each kind's fields). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = Unnumbered<StoreRequest>;

export class WorkerDuckDbStore implements Store {
  readonly kind = 'duckdb';
  readonly calls: CallRepository;
  readonly projects: Store['projects'];
  readonly apiKeys: Store['apiKeys'];
  readonly sql: SqlReader;
  readonly priceOverrides: Store['priceOverrides'];
  readonly budgets: Store['budgets'];
  readonly providers: Store['providers'];
  readonly outcomes: Store['outcomes'];
  readonly researchConfig: Store['researchConfig'];

  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Set once requests can no longer be answered: every later request fails with it. */
  private stopped: StoreWorkerStoppedError | null = null;
  private crash: Error | null = null;
  private closing: Promise<void> | null = null;
  private readonly exited: Promise<number>;

  private constructor(private readonly worker: Worker) {
    this.calls = { ...this.remote('calls'), insertBatch: (writes) => this.request({ kind: 'insert', writes: writes.map(writeToWire) }) as Promise<InsertOutcome[]> };
    this.projects = this.remote('projects');
    this.apiKeys = this.remote('apiKeys');
    this.sql = { ...this.remote('sql'), dialect: 'duckdb' };
    this.priceOverrides = this.remote('priceOverrides');
    this.budgets = this.remote('budgets');
    this.providers = this.remote('providers');
    this.outcomes = this.remote('outcomes');
    this.researchConfig = this.remote('researchConfig');
    worker.on('message', (reply: StoreReply) => this.settle(reply));
    // An uncaught exception ends the worker; 'exit' follows and fails what was under way.
    worker.on('error', (error) => (this.crash = error));
    this.exited = new Promise((resolve) => worker.once('exit', (code) => {
      this.stopped ??= new StoreWorkerStoppedError(`the store worker stopped (exit code ${code}${this.crash ? `: ${this.crash.message}` : ''})`, this.crash ? { cause: this.crash } : {});
      this.failAll(this.stopped);
      resolve(code);
    }));
  }

  /** Starts the worker and resolves once it has opened (and migrated) the store. */
  static async open(options: WorkerStoreOptions): Promise<WorkerDuckDbStore> {
    const { resourceLimits, ...storeOptions } = options;
    const worker = spawnWorker(import.meta.url, 'store-worker', { workerData: storeOptions, ...(resourceLimits ? { resourceLimits } : {}) });
    const opened = await new Promise<OpenedMessage | Error>((resolve) => {
      const onExit = (code: number) => resolve(new StoreWorkerStoppedError(`the store worker stopped while opening the store (exit code ${code})`));
      const settle = (outcome: OpenedMessage | Error) => {
        worker.off('message', settle).off('error', settle).off('exit', onExit);
        resolve(outcome);
      };
      worker.on('message', settle).on('error', settle).on('exit', onExit);
    });
    if (opened instanceof Error || !opened.opened) {
      await worker.terminate();
      throw opened instanceof Error ? opened : fromWireError(opened.error);
    }
    // Idle, the worker does not keep the process alive (a CLI ends once its own work is done).
    worker.unref();
    return new WorkerDuckDbStore(worker);
  }

  async ping(): Promise<void> {
    await this.request({ kind: 'ping' });
  }

  /** Answers what was asked before, closes the store in the worker and ends the worker. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // A worker already gone has nothing left to close.
      const closed = this.stopped ? Promise.resolve() : this.request({ kind: 'close' });
      this.stopped ??= new StoreWorkerStoppedError('the store is closed');
      try {
        await closed.catch((error: unknown) => {
          if (!(error instanceof StoreWorkerStoppedError)) throw error;
        });
      } finally {
        // Closing keeps the process alive until the worker has ended.
        this.worker.ref();
        const timeout = new Promise<'late'>((resolve) => setTimeout(resolve, 10_000, 'late').unref());
        if ((await Promise.race([this.exited, timeout])) === 'late') await this.worker.terminate();
      }
    })();
    return this.closing;
  }

  /** Ends the worker at once, as a crash would: requests under way fail as unavailable. */
  async terminateWorker(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }

  private remote<R extends RepositoryName>(repository: R): Store[R] {
    const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of Object.keys(METHODS[repository])) {
      methods[method] = (...args) => this.request({ kind: 'call', repository, method, args });
    }
    return methods as unknown as Store[R];
  }

  private request(request: Request): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ ...request, id } as StoreRequest);
      } catch (error) {
        reject(error as Error);
        return;
      }
      this.pending.set(id, { resolve, reject });
      // A request under way keeps the process alive until it is answered.
      if (this.pending.size === 1) this.worker.ref();
    });
  }

  private settle(reply: StoreReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(fromWireError(reply.error));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
