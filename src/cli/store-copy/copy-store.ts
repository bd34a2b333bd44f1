// `loupe store copy`: everything in an embedded store into a PostgreSQL store, resumable, with
// the counts compared at the end. A copy starts only into an empty target (or continues its
// own interrupted run), so equal counts mean the target holds exactly the source.
import type { Store } from '../../store/ports.js';
import { CopyProgressFile, type CopyCheckpoint } from './copy-progress.js';
import { copyCalls, copyOutcomes } from './copy-rows.js';
import { copySettings } from './copy-settings.js';
import { ProgressBar } from './progress-bar.js';
import { compareStores, countRows, type TableComparison } from './verify-copy.js';

export interface CopyOptions {
  sourceDirectory: string;
  targetUrl: string;
  chunkSize: number;
  /** Where progress goes (stderr). */
  progress: NodeJS.WriteStream;
}

export interface CopyReport {
  resumed: boolean;
  tables: TableComparison[];
}

export class CopyRefusedError extends Error {}
export class CopyMismatchError extends Error {
  constructor(readonly mismatches: TableComparison[]) {
    super(`the copy does not match its source: ${mismatches.map((row) => `${row.table} ${row.source} in the source, ${row.target} in the target`).join('; ')}`);
  }
}

export async function copyStore(source: Store, target: Store, options: CopyOptions): Promise<CopyReport> {
  const progressFile = new CopyProgressFile(options.sourceDirectory, options.targetUrl);
  const saved = progressFile.load();
  const checkpoint: CopyCheckpoint = saved ?? progressFile.fresh();
  if (!saved) await refuseNonEmptyTarget(target);
  progressFile.save(checkpoint);

  if (!checkpoint.settingsCopied) {
    await copySettings(source, target);
    checkpoint.settingsCopied = true;
    progressFile.save(checkpoint);
  }
  const totals = await countRows(source);
  const save = (current: CopyCheckpoint) => progressFile.save(current);

  const callsBar = new ProgressBar(options.progress, 'calls', totals.get('calls') ?? 0, checkpoint.calls?.copied ?? 0);
  callsBar.update(checkpoint.calls?.copied ?? 0);
  await copyCalls(source, target, checkpoint, { chunkSize: options.chunkSize, onChunk: (current) => { save(current); callsBar.update(current.calls!.copied); } });

  const outcomesBar = new ProgressBar(options.progress, 'outcomes', totals.get('outcomes') ?? 0, checkpoint.outcomes?.copied ?? 0);
  outcomesBar.update(checkpoint.outcomes?.copied ?? 0);
  await copyOutcomes(source, target, checkpoint, { chunkSize: options.chunkSize, onChunk: (current) => { save(current); outcomesBar.update(current.outcomes!.copied); } });

  const { rows, mismatches } = await compareStores(source, target);
  if (mismatches.length > 0) {
    const error = new CopyMismatchError(mismatches);
    if (saved) error.message += `. This run continued an interrupted copy; if the target was changed or emptied since, empty it, delete ${progressFile.path} and copy again`;
    throw error;
  }
  progressFile.remove();
  return { resumed: saved !== null, tables: rows };
}

async function refuseNonEmptyTarget(target: Store): Promise<void> {
  const counts = await countRows(target);
  const held = [...counts].filter(([table, count]) => count > 0 && !table.includes(':'));
  if (held.length > 0) {
    throw new CopyRefusedError(`the target already holds data (${held.map(([table, count]) => `${count} ${table}`).join(', ')}); store copy fills an empty store or resumes its own interrupted copy`);
  }
}
