// Keeps gateway records while the store is unreachable and writes them once it is back. The
// recorder hands over records nobody awaits when a write fails for want of a store; from then
// until a probe reaches the store again, such records go straight to the spool file. Replay
// inserts the spooled records in file order through the ordinary insert path, which treats a
// known id with the same body as a duplicate: replaying a chunk twice (after a crash, or a
// second outage mid-replay) stores nothing twice.
import type { CallRecord } from '../domain/call-record.js';
import type { CallWrite, Store } from '../store/ports.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import { readSegment, SpoolFile } from './spool-file.js';

export interface SpoolLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface OutageSpoolOptions {
  directory: string;
  maxBytes: number;
  /** Records per insert while replaying. */
  replayBatch: number;
  /** How often the store is probed during an outage. */
  probeIntervalMs: number;
  /**
   * Called with the calls a replay stored (live events go out when a call is written): those it
   * wrote, and those spooled after a failed write that it found already stored. Such a write's
   * commit may have reached the store as the connection dropped, and nobody announced it then.
   */
  onStored?: (calls: CallRecord[]) => void;
  log: SpoolLog;
}

export type SpoolState = 'ok' | 'outage' | 'replaying';

export interface SpoolStats {
  state: SpoolState;
  /** Records waiting in the spool, not yet stored. */
  records: number;
  bytes: number;
  max_bytes: number;
  /** Records refused since start because the spool was full. */
  dropped: number;
}

const DROP_LOG_INTERVAL_MS = 10_000;
const RETRY_AFTER_FAILURE_MS = 30_000;

export class OutageSpool {
  private readonly file: SpoolFile;
  private outage = false;
  private probe: NodeJS.Timeout | null = null;
  private probing = false;
  private replaying: Promise<void> | null = null;
  private replayAgain = false;
  private retry: NodeJS.Timeout | null = null;
  private replayedOfCurrentSegment = 0;
  /** Ids of the segment being replayed already reported, so a replay retried after a failure does not report them again. */
  private readonly reportedOfCurrentSegment = new Set<string>();
  private dropped = 0;
  private droppedUnlogged = 0;
  private lastDropLog = 0;
  private dropTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly store: Store, private readonly options: OutageSpoolOptions) {
    this.file = new SpoolFile(options.directory, options.maxBytes);
  }

  get path(): string {
    return this.options.directory;
  }

  /** True from a failed write until a probe reaches the store again. */
  get inOutage(): boolean {
    return this.outage;
  }

  stats(): SpoolStats {
    const depth = this.file.size;
    return {
      state: this.outage ? 'outage' : this.replaying ? 'replaying' : 'ok',
      records: Math.max(0, depth.records - this.replayedOfCurrentSegment),
      bytes: depth.bytes,
      max_bytes: this.options.maxBytes,
      dropped: this.dropped,
    };
  }

  /** Picks up what a previous run left (repairing a torn last line) and replays it. */
  start(): void {
    const cut = this.file.recover();
    if (cut > 0) this.options.log.warn(`spool: cut a torn last line (${cut} bytes) left by a crash mid-write in ${this.path}`);
    const { records } = this.file.size;
    if (records > 0) {
      this.options.log.info(`spool: ${records} call records from a previous run are waiting in ${this.path}; replaying`);
      void this.replay();
    }
  }

  /**
   * Appends gateway records the store could not take (one write and fsync). `attempted`: a
   * write of them failed, so they may be stored already (see onStored).
   */
  async keep(writes: readonly CallWrite[], attempted = false): Promise<void> {
    const result = await this.file.append(writes.map((write) => ({ call: write.call, bodyHash: write.bodyHash, ...(attempted ? { attempted: true as const } : {}) })));
    if (result.dropped > 0) this.reportDropped(result.dropped);
  }

  /** A write failed because the store is unreachable: spool from now on and probe until it is back. */
  storeUnreachable(error: unknown): void {
    if (this.outage || this.closed) return;
    this.outage = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.log.warn(`store unavailable (${reason}): gateway calls are kept in the spool at ${this.path} (up to ${this.options.maxBytes} bytes) until it is back`);
    this.probe = setInterval(() => this.probeStore(), this.options.probeIntervalMs);
    this.probe.unref();
  }

  /** Writes every spooled record to the store; one replay at a time. */
  replay(): Promise<void> {
    if (this.outage || this.closed) return Promise.resolve();
    if (this.replaying) {
      // The running replay may be past the records this call is about: go again after it.
      this.replayAgain = true;
      return this.replaying;
    }
    this.replaying = this.replayAll().finally(() => {
      this.replaying = null;
      this.replayedOfCurrentSegment = 0;
      if (this.replayAgain) {
        this.replayAgain = false;
        void this.replay();
      }
    });
    return this.replaying;
  }

  /** Stops probing and waits for a running replay to reach a chunk boundary. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.probe) clearInterval(this.probe);
    if (this.retry) clearTimeout(this.retry);
    this.logDropped();
    await this.replaying;
    await this.file.close();
  }

  private probeStore(): void {
    if (this.probing || this.closed) return;
    this.probing = true;
    this.store.ping().then(
      () => {
        this.probing = false;
        if (!this.outage) return;
        this.outage = false;
        if (this.probe) clearInterval(this.probe);
        this.probe = null;
        this.options.log.info(`store reachable again: replaying ${this.file.size.records} spooled call records`);
        void this.replay();
      },
      () => {
        this.probing = false;
      },
    );
  }

  private async replayAll(): Promise<void> {
    try {
      // Sealing moves the active file aside; records spooled meanwhile land in a new one,
      // which the next round seals, until a round finds nothing new.
      for (let segments = await this.file.seal(); segments.length > 0 && !this.closed; segments = await this.file.seal()) {
        for (const segment of segments) {
          if (this.closed || this.outage) return;
          await this.replaySegment(segment);
        }
      }
    } catch (error) {
      if (isStoreUnavailable(error)) {
        this.storeUnreachable(error);
        return;
      }
      this.options.log.error(`spool: replay failed, retrying in ${RETRY_AFTER_FAILURE_MS / 1000} s: ${(error as Error).message}`);
      this.retry = setTimeout(() => {
        this.retry = null;
        void this.replay();
      }, RETRY_AFTER_FAILURE_MS);
      this.retry.unref();
    }
  }

  private async replaySegment(segment: string): Promise<void> {
    const skipped = { lines: 0 };
    let records = 0;
    let bytes = 0;
    let created = 0;
    let conflicts = 0;
    this.replayedOfCurrentSegment = 0;
    for await (const chunk of readSegment(segment, this.options.replayBatch, skipped)) {
      if (chunk.records.length > 0) {
        const writes: CallWrite[] = chunk.records.map((record) => ({ call: record.call, bodyHash: record.bodyHash, clientId: true }));
        const outcomes = await this.store.calls.insertBatch(writes);
        created += outcomes.filter((outcome) => outcome === 'created').length;
        conflicts += outcomes.filter((outcome) => outcome === 'conflict').length;
        const stored = writes
          .filter((write, index) => {
            const outcome = outcomes[index];
            if (outcome === 'created') return true;
            return outcome === 'duplicate' && chunk.records[index]!.attempted === true && !this.reportedOfCurrentSegment.has(write.call.id);
          })
          .map((write) => write.call);
        for (const call of stored) this.reportedOfCurrentSegment.add(call.id);
        if (stored.length > 0) this.options.onStored?.(stored);
      }
      records += chunk.records.length;
      bytes += chunk.bytes;
      this.replayedOfCurrentSegment = records;
      if (this.closed) return;
    }
    await this.file.remove(segment, records + skipped.lines, bytes);
    this.replayedOfCurrentSegment = 0;
    this.reportedOfCurrentSegment.clear();
    const notes = [
      records - created - conflicts > 0 ? `${records - created - conflicts} already stored` : '',
      conflicts > 0 ? `${conflicts} refused (the id is stored with another body)` : '',
      skipped.lines > 0 ? `${skipped.lines} unreadable lines skipped` : '',
    ].filter(Boolean);
    const message = `spool: stored ${created} of ${records} spooled call records${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
    if (conflicts > 0 || skipped.lines > 0) this.options.log.warn(message);
    else this.options.log.info(message);
  }

  private reportDropped(count: number): void {
    this.dropped += count;
    this.droppedUnlogged += count;
    // Logged at most every 10 s so a long outage cannot flood the log (the total is on
    // /metrics); drops within the interval are logged together when it ends.
    const wait = this.lastDropLog + DROP_LOG_INTERVAL_MS - Date.now();
    if (wait <= 0) this.logDropped();
    else if (!this.dropTimer) {
      this.dropTimer = setTimeout(() => this.logDropped(), wait);
      this.dropTimer.unref();
    }
  }

  private logDropped(): void {
    if (this.dropTimer) clearTimeout(this.dropTimer);
    this.dropTimer = null;
    if (this.droppedUnlogged === 0) return;
    this.lastDropLog = Date.now();
    this.options.log.error(`spool full (${this.options.maxBytes} bytes at ${this.path}): ${this.droppedUnlogged} gateway call records were not recorded (${this.dropped} since start)`);
    this.droppedUnlogged = 0;
  }
}
