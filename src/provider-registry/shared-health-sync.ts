// Keeps this instance's view of provider health in step with the other instances on a shared
// store: every second it adds the request counters gathered here to the stored totals, then
// reads every breaker back. A circuit opened by another instance is therefore refused here
// within one interval (plus the query), without any database work on the call path.
import type { SharedBreakers } from '../store/ports.js';
import type { ProviderHealth } from './provider-health.js';

export const HEALTH_SYNC_MS = 1_000;

export class SharedHealthSync {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly breakers: SharedBreakers, private readonly healths: () => Iterable<ProviderHealth>, private readonly onError: (error: unknown) => void = () => undefined) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sync(), HEALTH_SYNC_MS);
    this.timer.unref();
  }

  /** One round: push counters, pull states. Overlapping rounds are skipped. */
  sync(): Promise<void> {
    this.running ??= this.round().catch(this.onError).finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<void> {
    const healths = new Map([...this.healths()].map((health) => [health.name, health]));
    const deltas = [...healths.values()].map((health) => health.takeDelta()).filter((delta) => delta !== null);
    if (deltas.length > 0) {
      try {
        await this.breakers.addCounters(deltas);
      } catch (error) {
        for (const delta of deltas) healths.get(delta.name)?.restoreDelta(delta);
        throw error;
      }
    }
    const readAt = Date.now();
    for (const stored of await this.breakers.states()) healths.get(stored.name)?.adoptStored(stored.health, stored.openUntil, readAt);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    // What was counted since the last round is not lost on a clean stop.
    await this.round().catch(this.onError);
  }
}
