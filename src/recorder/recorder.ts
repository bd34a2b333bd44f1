// The group-commit writer between everything that produces calls and the store. Writers
// queue groups of records; one flush at a time commits whatever has accumulated, so many
// small submissions share one transaction. Ingestion awaits its group's commit (an
// acknowledged record is durable); the gateway does not wait at all, and when the store is
// unreachable its records go to the outage spool instead of being lost.
import type { CallRecord } from '../domain/call-record.js';
import type { CallWrite, InsertOutcome, Store } from '../store/ports.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import type { OutageSpool } from './outage-spool.js';

export interface RecorderOptions {
  maxBatch: number;
  flushIntervalMs: number;
  maxQueue: number;
}


export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('the recorder queue is full; retry later');
  }
}

export class RecorderClosedError extends Error {
  constructor() {
    super('the recorder is shutting down');
  }
}

interface Group {
  writes: CallWrite[];
  /** Nobody awaits the commit (the gateway): the records may go to the spool instead. */
  unawaited: boolean;
  resolve(outcomes: InsertOutcome[]): void;
  reject(error: Error): void;
}

export interface RecorderEvents {
  /** Called for each record as it is queued (cost settings re-price here), synchronously. */
  beforeWrite?(write: CallWrite): void;
  /** Called after a commit with the calls that were newly stored. */
  onCommitted?(calls: CallRecord[]): void;
  /** Called when a batch that nobody awaits could not be written. */
  onUnawaitedFailure?(writes: CallWrite[], error: Error): void;
}

export class Recorder {
  private queue: Group[] = [];
  private queuedRecords = 0;
  /** Records queued or being written: the bound covers both, since both hold memory. */
  private heldRecords = 0;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: RecorderOptions,
    private readonly events: RecorderEvents = {},
    /** Where unawaited records go while the store is unreachable; without it they are reported lost. */
    readonly spool: OutageSpool | null = null,
  ) {}

  get pending(): number {
    return this.heldRecords;
  }

  /** Queues records and resolves once their batch is committed. */
  submit(writes: CallWrite[]): Promise<InsertOutcome[]> {
    return this.enqueue(writes, false);
  }

  /**
   * Queues one record without waiting (the gateway's path). The promise settles once it is
   * written (or spooled, or reported lost), for a caller that answers only then; it never rejects.
   */
  record(write: CallWrite): Promise<void> {
    return this.enqueue([write], true).then(
      () => undefined,
      (error: Error) => this.events.onUnawaitedFailure?.([write], error),
    );
  }

  private enqueue(writes: CallWrite[], unawaited: boolean): Promise<InsertOutcome[]> {
    if (this.closed) return Promise.reject(new RecorderClosedError());
    if (this.heldRecords + writes.length > this.options.maxQueue) {
      return Promise.reject(new QueueFullError(1));
    }
    if (this.events.beforeWrite) for (const write of writes) this.events.beforeWrite(write);
    return new Promise((resolve, reject) => {
      this.queue.push({ writes, unawaited, resolve, reject });
      this.queuedRecords += writes.length;
      this.heldRecords += writes.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.queuedRecords >= this.options.maxBatch || this.options.flushIntervalMs === 0) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.options.flushIntervalMs);
    }
  }

  private startFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private takeBatch(): Group[] {
    const batch: Group[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && size + next.writes.length > this.options.maxBatch) break;
      this.queue.shift();
      batch.push(next);
      size += next.writes.length;
    }
    this.queuedRecords -= size;
    return batch;
  }

  private async flushOnce(): Promise<void> {
    const taken = this.takeBatch();
    const heldByBatch = taken.reduce((sum, group) => sum + group.writes.length, 0);
    try {
      // During an outage the gateway's records go straight to the spool; ingestion still
      // tries the store, so it answers 503 until the store is back and not a moment longer.
      const batch = this.spool?.inOutage ? await this.spoolGroups(taken, false) : taken;
      if (batch.length > 0) await this.commit(batch);
    } finally {
      this.heldRecords -= heldByBatch;
    }
  }

  private async commit(batch: Group[]): Promise<void> {
    const writes = batch.flatMap((group) => group.writes);
    let outcomes: InsertOutcome[];
    try {
      outcomes = await this.store.calls.insertBatch(writes);
    } catch (error) {
      if (this.spool && isStoreUnavailable(error)) {
        this.spool.storeUnreachable(error);
        batch = await this.spoolGroups(batch, true);
      }
      for (const group of batch) group.reject(error as Error);
      return;
    }
    let offset = 0;
    for (const group of batch) {
      group.resolve(outcomes.slice(offset, offset + group.writes.length));
      offset += group.writes.length;
    }
    if (this.events.onCommitted) {
      const created = writes.filter((_, index) => outcomes[index] === 'created').map((write) => write.call);
      if (created.length > 0) this.events.onCommitted(created);
    }
  }

  /** Spools the unawaited groups of a batch; returns the others. `attempted`: their write failed. */
  private async spoolGroups(batch: Group[], attempted: boolean): Promise<Group[]> {
    const unawaited = batch.filter((group) => group.unawaited);
    if (unawaited.length === 0) return batch;
    try {
      await this.spool!.keep(unawaited.flatMap((group) => group.writes), attempted);
      for (const group of unawaited) group.resolve([]);
    } catch (error) {
      for (const group of unawaited) group.reject(error as Error);
    }
    return batch.filter((group) => !group.unawaited);
  }

  /** Resolves once everything queued so far is written, without closing the recorder. */
  async settled(): Promise<void> {
    while (this.flushing || this.queue.length > 0) {
      if (this.flushing) await this.flushing;
      else this.startFlush();
    }
  }

  /** Stops accepting records and writes everything already queued (to the spool during an outage). */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) {
      if (this.flushing) await this.flushing;
      else this.startFlush();
    }
  }
}
