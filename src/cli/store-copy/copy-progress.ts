// Where an interrupted `loupe store copy` stopped: the last call and outcome committed to the
// target, saved after every chunk (write to a temporary file, fsync, rename), so a re-run
// continues there. The file lives beside the source store and names its target by a hash
// of the URL, so a copy towards another database starts afresh.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface CopyCheckpoint {
  target: string;
  calls: { startedAt: number; id: string; copied: number } | null;
  outcomes: { id: string; copied: number } | null;
  /** The small tables (projects, keys, settings) are copied whole before the rows. */
  settingsCopied: boolean;
}

export class CopyProgressFile {
  readonly path: string;
  private readonly target: string;

  constructor(sourceDirectory: string, targetUrl: string) {
    this.path = join(sourceDirectory, 'store-copy.progress.json');
    this.target = createHash('sha256').update(targetUrl).digest('hex').slice(0, 16);
  }

  /** The checkpoint of an earlier copy to the same target, if one was interrupted. */
  load(): CopyCheckpoint | null {
    if (!existsSync(this.path)) return null;
    const saved = JSON.parse(readFileSync(this.path, 'utf8')) as CopyCheckpoint;
    return saved.target === this.target ? saved : null;
  }

  fresh(): CopyCheckpoint {
    return { target: this.target, calls: null, outcomes: null, settingsCopied: false };
  }

  save(checkpoint: CopyCheckpoint): void {
    const temporary = `${this.path}.tmp`;
    const descriptor = openSync(temporary, 'w');
    try {
      writeSync(descriptor, JSON.stringify(checkpoint));
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
