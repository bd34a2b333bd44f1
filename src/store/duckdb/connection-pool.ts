// One DuckDB instance owning the data file: a dedicated writer connection (the recorder's
// group commits) and a few reader connections so analytics run in parallel with writes.
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

type Task<T> = () => Promise<T>;

/** Serializes work on one connection: DuckDB runs one statement per connection at a time. */
class ConnectionLane {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(public connection: DuckDBConnection) {}

  run<T>(task: Task<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export interface DuckDbPoolOptions {
  path: string;
  memoryLimit: string;
  /** WAL size that triggers a checkpoint; see DuckDbStoreOptions. */
  checkpointThreshold?: string;
  threads?: number;
  readers?: number;
}

export class DuckDbPool {
  private nextReader = 0;
  /** Tasks queued or running on any lane. */
  private inFlight = 0;
  /** While the cache is being trimmed: the tasks that arrived meanwhile, started in order after. */
  private held: (() => void)[] | null = null;
  private trimming: Promise<boolean> | null = null;
  private constructor(
    private readonly memoryLimit: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: ConnectionLane,
    private readonly readers: ConnectionLane[],
    private readonly background: ConnectionLane,
  ) {}

  static async open(options: DuckDbPoolOptions): Promise<DuckDbPool> {
    const settings: Record<string, string> = { memory_limit: options.memoryLimit };
    if (options.threads) settings.threads = String(options.threads);
    if (options.checkpointThreshold) settings.checkpoint_threshold = options.checkpointThreshold;
    const instance = await DuckDBInstance.create(options.path, settings);
    const writer = new ConnectionLane(await instance.connect());
    const readers: ConnectionLane[] = [];
    for (let i = 0; i < (options.readers ?? 3); i++) readers.push(new ConnectionLane(await instance.connect()));
    const background = new ConnectionLane(await instance.connect());
    return new DuckDbPool(options.memoryLimit, instance, writer, readers, background);
  }

  /** Runs work on the writer connection, serialized with every other write. */
  write<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.enqueue(this.writer, () => task(this.writer.connection));
  }

  /**
   * Replaces the writer connection from inside a write task. An appender whose automatic
   * flush failed (a duplicate key in a batch over 2,048 rows) can leave its connection
   * reporting "transaction aborted" even after ROLLBACK; a fresh connection is clean.
   */
  async renewWriter(): Promise<DuckDBConnection> {
    const stale = this.writer.connection;
    this.writer.connection = await this.instance.connect();
    try {
      stale.closeSync();
    } catch {
      // the stale connection is dropped either way
    }
    return this.writer.connection;
  }

  /**
   * Runs maintenance (the search indexer) on its own connection, so it neither waits for nor
   * delays the recorder's commits; it writes only tables the recorder does not touch.
   */
  maintain<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.enqueue(this.background, () => task(this.background.connection));
  }

  read<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const lane = this.readers[this.nextReader++ % this.readers.length]!;
    return this.enqueue(lane, () => task(lane.connection));
  }

  private enqueue<T>(lane: ConnectionLane, task: Task<T>): Promise<T> {
    this.inFlight++;
    const held = this.held;
    const result = held ? new Promise<T>((resolve, reject) => held.push(() => lane.run(task).then(resolve, reject))) : lane.run(task);
    return result.finally(() => {
      this.inFlight--;
    });
  }

  /**
   * Prepared afresh on every call, never kept: DuckDB 1.5 bakes table statistics into a
   * prepared plan (a filter the data did not match then becomes an empty result, a count of
   * a column without NULLs a count of rows), so a kept statement can answer from the data as
   * it was when prepared (duckdb/duckdb#23704, #24182; connection-pool.test.ts).
   */
  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.read(async (connection) => {
      const reader = await connection.runAndReadAll(sql, params as DuckDBValue[]);
      return reader.getRowObjectsJS().map((row) => normalizeRow(row) as Row);
    });
  }

  /**
   * DuckDB's allocator (its own jemalloc, one arena on this 2-core machine) keeps freed pages
   * resident for about 5 s, so a query stream that builds and drops strings holds seconds of
   * its own garbage: ~150 MB during a CSV export of 1M calls without content (measured).
   * Setting memory_limit, even to its current value, purges every arena (BufferPool::SetLimit
   * ends with Allocator::FlushAll); the limit and the cached table blocks stay as they were.
   */
  async releaseFreedMemory(): Promise<void> {
    await this.read((connection) => connection.run(`SET memory_limit = '${this.memoryLimit}'`));
  }

  /**
   * Evicts the table blocks DuckDB keeps cached after reading them, when nothing else runs on
   * the instance; answers whether it did. DuckDB has no setting for that cache: it grows to
   * `memory_limit` (an export with content of 1M calls left 310 MB of it). Lowering the limit
   * evicts down to it, least recently used first (BufferPool::SetLimit), but the lowered limit
   * binds every connection while it lasts, so work arriving meanwhile is held back until the
   * limit is restored (15-45 ms later, measured with 35-70 MB cached, nearly all of it the
   * eviction and the allocator's purge), and a busy instance is not trimmed at all.
   */
  trimCachedBlocks(headroomBytes = 16 * 1024 * 1024): Promise<boolean> {
    if (this.inFlight > 0 || this.trimming) return Promise.resolve(false);
    const trimming = this.trim(headroomBytes).finally(() => {
      this.trimming = null;
    });
    this.trimming = trimming;
    return trimming;
  }

  private async trim(headroomBytes: number): Promise<boolean> {
    const held: (() => void)[] = [];
    this.held = held;
    // Every lane is idle, so this connection can be used outside its lane.
    const connection = this.readers[0]!.connection;
    try {
      const reader = await connection.runAndReadAll(
        "SELECT sum(memory_usage_bytes) AS used, sum(memory_usage_bytes) FILTER (WHERE tag = 'BASE_TABLE') AS cached FROM duckdb_memory()",
      );
      const row = reader.getRowObjectsJS()[0] ?? {};
      const used = Number(row.used ?? 0);
      const cached = Number(row.cached ?? 0);
      if (cached <= headroomBytes) return false;
      const kib = Math.ceil((used - cached + headroomBytes) / 1024);
      // A limit DuckDB cannot evict down to is refused and changes nothing; a trim is a saving,
      // never a reason to fail the caller's work. Restoring the limit must not fail silently.
      const trimmed = await connection.run(`SET memory_limit = '${kib}KiB'`).then(() => true, () => false);
      await connection.run(`SET memory_limit = '${this.memoryLimit}'`);
      return trimmed;
    } finally {
      this.held = null;
      for (const start of held) start();
    }
  }

  async close(): Promise<void> {
    await this.trimming?.catch(() => undefined);
    await this.writer.run(async () => undefined);
    await this.background.run(async () => undefined);
    for (const lane of this.readers) await lane.run(async () => undefined);
    for (const lane of [this.writer, ...this.readers, this.background]) lane.connection.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB hands back bigint for BIGINT/HUGEINT and Date for timestamps; callers want plain numbers. */
export function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const value = row[key];
    out[key] = typeof value === 'bigint' ? Number(value) : value instanceof Date ? value.getTime() : value;
  }
  return out;
}
