// Keeps the key rate limits of the instances sharing a store in step: every second this
// instance hands over the requests and tokens it counted and reads back the others' counts of
// the last minute, which its limiter adds to its own. Nothing is asked of the database on the
// call path. While the database cannot be reached, the counts wait here and each instance goes
// on with the others' counts as last read, which leave the minute as it passes.
import { randomUUID } from 'node:crypto';
import { BackgroundLoop } from '../store/background-loop.js';
import type { SharedRateUsage } from '../store/ports.js';
import type { KeyRateLimiter } from './rate-limiter.js';

/** The pause between two exchanges (from the end of one to the start of the next). */
export const RATE_SYNC_MS = 1_000;
/** Counts older than this are of no use to any limiter (the window is a minute). */
const KEEP_SECONDS = 120;
/** One round in so many also drops the old counts. */
const PRUNE_EVERY_ROUNDS = 30;

export class SharedRateSync {
  private readonly instance = randomUUID();
  private readonly loop = new BackgroundLoop(() => this.round().catch(this.onError));
  private rounds = 0;

  constructor(private readonly usage: SharedRateUsage, private readonly limiter: KeyRateLimiter, private readonly onError: (error: unknown) => void = () => undefined) {
    limiter.share();
  }

  start(): void {
    this.loop.start(RATE_SYNC_MS);
  }

  private async round(): Promise<void> {
    const counts = this.limiter.takeCounts();
    const second = Math.floor(Date.now() / 1000);
    try {
      this.limiter.adoptOthers(await this.usage.exchange(this.instance, counts, second - 60));
    } catch (error) {
      this.limiter.restoreCounts(counts);
      throw error;
    }
    if (++this.rounds % PRUNE_EVERY_ROUNDS === 0) await this.usage.prune(second - KEEP_SECONDS);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    // What was counted since the last round still counts for the others after this one stops.
    await this.round().catch(this.onError);
  }
}
