// The outage spool on disk: gateway call records that could not reach the store, one JSON
// line each, appended and fsynced per batch. The active file is renamed to a numbered segment
// before it is replayed, so appends never touch a file being replayed, and a segment is
// deleted only once all of it is stored: a crash at any point leaves records to replay again
// (ids make that harmless), never a gap. Total size is bounded; what does not fit is dropped
// and counted, and the caller is told.
import { closeSync, fsyncSync, openSync, readdirSync, readSync, statSync, truncateSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallWrite } from '../store/ports.js';

const ACTIVE = 'spool.jsonl';
const SEGMENT = /^segment-(\d{16})\.jsonl$/;
const NEWLINE = 0x0a;
const READ_CHUNK = 1 << 20;

export interface SpooledRecord {
  call: CallWrite['call'];
  bodyHash: string;
  /**
   * Spooled after a write of it failed, rather than straight away during an outage: its
   * commit may have reached the store with only the answer lost.
   */
  attempted?: true;
}

export interface AppendResult {
  written: number;
  /** Records refused because the spool reached its size bound. */
  dropped: number;
}

export interface SpoolDepth {
  records: number;
  bytes: number;
}

function segmentName(sequence: number): string {
  return `segment-${String(sequence).padStart(16, '0')}.jsonl`;
}

function countLines(path: string): number {
  const descriptor = openSync(path, 'r');
  try {
    let lines = 0;
    const buffer = Buffer.alloc(READ_CHUNK);
    for (let position = 0; ; ) {
      const bytesRead = readSync(descriptor, buffer, 0, buffer.length, position);
      if (bytesRead === 0) return lines;
      for (let i = 0; i < bytesRead; i++) if (buffer[i] === NEWLINE) lines++;
      position += bytesRead;
    }
  } finally {
    closeSync(descriptor);
  }
}

export class SpoolFile {
  private handle: FileHandle | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private depth: SpoolDepth = { records: 0, bytes: 0 };
  private nextSegment = 1;
  private prepared = false;
  /** Size of the active file after the last complete append. */
  private activeBytes = 0;

  constructor(readonly directory: string, readonly maxBytes: number) {}

  /** Records and bytes waiting in the spool (all segments and the active file). */
  get size(): SpoolDepth {
    return { ...this.depth };
  }

  /**
   * Scans what a previous run left: counts complete lines and cuts a torn last line (a crash
   * mid-append) from the active file, so the next append starts on a line of its own.
   * Returns the bytes cut.
   */
  recover(): number {
    if (this.prepared) return 0;
    this.prepared = true;
    let entries: string[];
    try {
      entries = readdirSync(this.directory);
    } catch {
      return 0;
    }
    let repaired = 0;
    for (const name of entries) {
      const match = SEGMENT.exec(name);
      if (match) this.nextSegment = Math.max(this.nextSegment, Number(match[1]) + 1);
      if (!match && name !== ACTIVE) continue;
      const path = join(this.directory, name);
      if (name === ACTIVE) repaired += cutTornTail(path);
      this.depth.records += countLines(path);
      this.depth.bytes += statSync(path).size;
    }
    return repaired;
  }

  /** Appends records as one write and one fsync; records beyond the size bound are dropped. */
  append(records: readonly SpooledRecord[]): Promise<AppendResult> {
    return this.exclusive(async () => {
      if (!this.prepared) this.recover();
      const lines: Buffer[] = [];
      let bytes = 0;
      for (const record of records) {
        const line = Buffer.from(`${JSON.stringify({ bodyHash: record.bodyHash, call: record.call, ...(record.attempted ? { attempted: true } : {}) })}\n`);
        if (this.depth.bytes + bytes + line.length > this.maxBytes) break;
        lines.push(line);
        bytes += line.length;
      }
      if (lines.length > 0) {
        const handle = await this.activeHandle();
        try {
          await handle.write(Buffer.concat(lines, bytes));
          await handle.datasync();
        } catch (error) {
          // A short write (a full disk) must not leave half a line for the next append to glue onto.
          await handle.truncate(this.activeBytes).catch(() => undefined);
          throw error;
        }
        this.activeBytes += bytes;
        this.depth.records += lines.length;
        this.depth.bytes += bytes;
      }
      return { written: lines.length, dropped: records.length - lines.length };
    });
  }

  /** Closes the active file into a new segment; returns every segment, oldest first. */
  seal(): Promise<string[]> {
    return this.exclusive(async () => {
      if (!this.prepared) this.recover();
      if (this.handle) {
        await this.handle.close();
        this.handle = null;
      }
      const active = join(this.directory, ACTIVE);
      const size = await stat(active).then((info) => info.size, () => 0);
      if (size > 0) {
        await rename(active, join(this.directory, segmentName(this.nextSegment++)));
        syncDirectory(this.directory);
      }
      const names = await readdir(this.directory).catch(() => [] as string[]);
      return names.filter((name) => SEGMENT.test(name)).sort().map((name) => join(this.directory, name));
    });
  }

  /** Deletes a segment once every record in it is stored. */
  remove(segment: string, records: number, bytes: number): Promise<void> {
    return this.exclusive(async () => {
      await unlink(segment);
      syncDirectory(this.directory);
      this.depth.records = Math.max(0, this.depth.records - records);
      this.depth.bytes = Math.max(0, this.depth.bytes - bytes);
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      await this.handle?.close();
      this.handle = null;
    });
  }

  private async activeHandle(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    await mkdir(this.directory, { recursive: true });
    this.handle = await open(join(this.directory, ACTIVE), 'a');
    this.activeBytes = (await this.handle.stat()).size;
    syncDirectory(this.directory);
    return this.handle;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

/**
 * Reads a segment in batches of complete lines. A last line without its newline was torn by
 * a crash mid-append and is skipped, as is a line that does not parse (counted in `skipped`).
 */
export async function* readSegment(path: string, batchSize: number, skipped: { lines: number }): AsyncGenerator<{ records: SpooledRecord[]; bytes: number }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(READ_CHUNK);
    let carry = Buffer.alloc(0);
    let batch: SpooledRecord[] = [];
    let batchBytes = 0;
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      let start = 0;
      for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
        const record = parseLine(data.toString('utf8', start, end));
        batchBytes += end + 1 - start;
        start = end + 1;
        if (record) batch.push(record);
        else skipped.lines++;
        if (batch.length >= batchSize) {
          yield { records: batch, bytes: batchBytes };
          batch = [];
          batchBytes = 0;
        }
      }
      // Copied: `buffer` is reused by the next read.
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length > 0) {
      skipped.lines++;
      batchBytes += carry.length;
    }
    if (batch.length > 0 || batchBytes > 0) yield { records: batch, bytes: batchBytes };
  } finally {
    await handle.close();
  }
}

function parseLine(line: string): SpooledRecord | null {
  try {
    const parsed = JSON.parse(line) as Partial<SpooledRecord>;
    if (typeof parsed.bodyHash !== 'string' || !parsed.call || typeof parsed.call.id !== 'string') return null;
    return { bodyHash: parsed.bodyHash, call: parsed.call, ...(parsed.attempted === true ? { attempted: true as const } : {}) };
  } catch {
    return null;
  }
}

/** Cuts everything after the last newline; returns the bytes cut. */
function cutTornTail(path: string): number {
  const size = statSync(path).size;
  if (size === 0) return 0;
  const descriptor = openSync(path, 'r');
  let keep = 0;
  try {
    const buffer = Buffer.alloc(Math.min(size, READ_CHUNK));
    for (let end = size; end > 0 && keep === 0; ) {
      const start = Math.max(0, end - buffer.length);
      const read = readSync(descriptor, buffer, 0, end - start, start);
      const last = buffer.subarray(0, read).lastIndexOf(NEWLINE);
      if (last !== -1) keep = start + last + 1;
      end = start;
    }
  } finally {
    closeSync(descriptor);
  }
  if (keep === size) return 0;
  truncateSync(path, keep);
  return size - keep;
}

function syncDirectory(directory: string): void {
  // A rename or a new file is durable only once its directory entry is.
  const descriptor = openSync(directory, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
