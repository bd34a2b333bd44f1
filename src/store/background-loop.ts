// A store's background job (a search indexer): one run per interval, never two at once,
// until stopped; stop() waits for a run under way. The interval counts from the end of a run,
// so a slow run is followed by a full pause rather than by the next run at once.
export class BackgroundLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  /** `run` handles its own errors; one that escapes is dropped so the loop goes on. */
  constructor(private readonly run: () => Promise<void>) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(intervalMs: number): void {
    const tick = (): void => {
      this.running = this.run()
        .catch(() => undefined)
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.stopped = false;
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
