// Keeps a project's calls up to date with a LiteLLM proxy's spend logs (seed 002 reads them
// in place; Loupe imports them once and answers from its own store). Every run reads the rows
// after the last one imported, starting a little before it: LiteLLM writes its spend logs in
// batches, so a row can land after newer ones. Rows go through ingestion's own validation and
// recorder; their ids make a row read twice a duplicate, never a second call.
import type { Recorder } from '../../recorder/recorder.js';
import type { Store } from '../../store/ports.js';
import { ingestCalls } from '../ingest-calls.js';
import type { SpendLogCursor, SpendLogReader } from './spend-log-reader.js';
import { LITELLM_TAG, spendLogToCall, type SpendLogRow } from './spend-log-to-call.js';

export interface LiteLlmSyncOptions {
  projectId: string;
  /** How far before the newest row imported each run starts again. */
  overlapMs?: number;
  pageRows?: number;
}

export interface SyncRun {
  read: number;
  created: number;
  duplicates: number;
  invalid: number;
  /** The first refusal of a row, as ingestion worded it. */
  first_invalid: string | null;
}

export interface SyncStatus {
  project_id: string;
  last_run_at: string | null;
  last_error: string | null;
  /** startTime of the newest spend-log row imported. */
  newest_row_at: string | null;
  imported_total: number;
}

export class LiteLlmSync {
  private readonly overlapMs: number;
  private readonly pageRows: number;
  /** Where the next run starts; null until the store says how far earlier runs went. */
  private newest: number | null = null;
  /** Rows read within the overlap, so a run does not hand them to the store again. */
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private status: SyncStatus;

  constructor(private readonly reader: SpendLogReader, private readonly store: Store, private readonly recorder: Recorder, options: LiteLlmSyncOptions, private readonly onError: (error: unknown) => void) {
    this.overlapMs = options.overlapMs ?? 120_000;
    this.pageRows = options.pageRows ?? 2000;
    this.status = { project_id: options.projectId, last_run_at: null, last_error: null, newest_row_at: null, imported_total: 0 };
  }

  start(intervalMs: number): void {
    const tick = () => void this.run().catch(this.onError);
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  current(): SyncStatus {
    return { ...this.status };
  }

  /** One pass over the rows not yet imported; runs one at a time. */
  run(): Promise<SyncRun> {
    const run = this.running.then(() => this.pass(), () => this.pass());
    this.running = run.catch(() => undefined);
    return run;
  }

  private async resumeFrom(): Promise<number> {
    if (this.newest !== null) return this.newest;
    // After a restart: the newest call imported before, found like any tagged call.
    const page = await this.store.calls.list({ filters: { projectId: this.status.project_id, tag: LITELLM_TAG }, sort: 'started_at', order: 'desc', limit: 1, withTotal: false });
    return page.items[0]?.started_at ?? 0;
  }

  private async pass(): Promise<SyncRun> {
    const result: SyncRun = { read: 0, created: 0, duplicates: 0, invalid: 0, first_invalid: null };
    try {
      const newest = await this.resumeFrom();
      let cursor: SpendLogCursor = { time: Math.max(0, newest - this.overlapMs), requestId: '' };
      let latest = newest;
      // The next page is read while this one is ingested (PostgreSQL and DuckDB work side by side).
      let next: Promise<SpendLogRow[]> | null = this.reader.page(cursor, this.pageRows);
      while (next) {
        const rows: SpendLogRow[] = await next;
        const last = rows.at(-1);
        if (last) {
          cursor = { time: last.start_time, requestId: last.request_id };
          latest = Math.max(latest, last.start_time);
        }
        next = rows.length === this.pageRows ? this.reader.page(cursor, this.pageRows) : null;
        // Its failure is awaited below; until then it must not count as unhandled.
        next?.catch(() => undefined);
        result.read += rows.length;
        const fresh = rows.filter((row) => !this.seen.has(row.request_id));
        if (fresh.length > 0) {
          const outcomes = await ingestCalls(fresh.map(spendLogToCall), { projectId: this.status.project_id, apiKeyId: null }, { recorder: this.recorder });
          outcomes.forEach((outcome, index) => {
            if (outcome.status === 'created') result.created++;
            else if (outcome.status === 'duplicate') result.duplicates++;
            else if ('error' in outcome) {
              result.invalid++;
              result.first_invalid ??= `${fresh[index]!.request_id}: ${outcome.error.message}`;
            }
            if (outcome.status !== 'invalid' && outcome.status !== 'conflict') this.seen.set(fresh[index]!.request_id, fresh[index]!.start_time);
          });
        }
        // Only rows within the overlap of the newest can be read again: a long backfill keeps no more.
        for (const [id, time] of this.seen) if (time < latest - this.overlapMs) this.seen.delete(id);
      }
      this.newest = latest;
      this.status = { ...this.status, last_run_at: new Date().toISOString(), last_error: null, newest_row_at: latest > 0 ? new Date(latest).toISOString() : null, imported_total: this.status.imported_total + result.created };
      return result;
    } catch (error) {
      this.status = { ...this.status, last_run_at: new Date().toISOString(), last_error: (error as Error).message };
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
