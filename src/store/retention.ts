// LOUPE_RETENTION_DAYS: calls older than the retention period are removed hourly, by whole
// UTC days on both engines (PostgreSQL drops the day partitions; DuckDB deletes the rows).
// Whole days keep the rollups exact: every hour and day bucket before the cutoff goes with them.
import type { Store } from './ports.js';

const DAY_MS = 86_400_000;
const INTERVAL_MS = 3_600_000;

/** Midnight (UTC) of the oldest day kept: today and the `days` - 1 days before it stay. */
export function retentionCutoff(days: number, now = Date.now()): number {
  return (Math.floor(now / DAY_MS) - (days - 1)) * DAY_MS;
}

export async function applyRetention(store: Store, days: number, now = Date.now()): Promise<number> {
  return store.calls.purgeBefore(retentionCutoff(days, now));
}

/** Runs retention now and every hour; failures are reported and retried at the next run. */
export function scheduleRetention(store: Store, days: number, onError: (error: unknown) => void): () => void {
  const run = () => {
    applyRetention(store, days).catch(onError);
  };
  run();
  const timer = setInterval(run, INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
