// Daily partitions of `calls`: created ahead for the coming week (at start and hourly), and
// on demand for whatever days a batch brings (imports of old calls, clocks ahead).
import type pg from 'pg';

const DAY_MS = 86_400_000;
const DAYS_AHEAD = 7;
const AHEAD_INTERVAL_MS = 3_600_000;

export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export class CallPartitions {
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pool: pg.Pool) {}

  /** Makes sure a partition exists for each day of `timestamps` (epoch ms). */
  async ensureFor(timestamps: Iterable<number>): Promise<void> {
    const missing = new Set<string>();
    for (const ms of timestamps) {
      const day = utcDay(ms);
      if (!this.known.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    const days = [...missing];
    // Outside the caller's transaction: a new partition is visible to every instance at once.
    await this.pool.query('SELECT ensure_calls_partition(day) FROM unnest($1::date[]) AS day', [days]);
    for (const day of days) this.known.add(day);
  }

  async createAhead(now = Date.now()): Promise<void> {
    const days: number[] = [];
    for (let i = -1; i <= DAYS_AHEAD; i++) days.push(now + i * DAY_MS);
    await this.ensureFor(days);
  }

  startAhead(): void {
    this.timer = setInterval(() => {
      this.createAhead().catch(() => undefined);
    }, AHEAD_INTERVAL_MS);
    this.timer.unref();
  }

  /** Forgets the days whose partitions were dropped (retention). */
  forget(day: string): void {
    this.known.delete(day);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
