// Copy progress on stderr: a bar redrawn in place on a terminal, plain lines (at most one a
// second per table, and the last) when stderr is a file or a pipe.
export class ProgressBar {
  private lastLine = 0;
  private readonly started = performance.now();

  /** `initial`: rows an earlier, interrupted run already copied (the rate counts this run's). */
  constructor(private readonly stream: NodeJS.WriteStream, private readonly label: string, private readonly total: number, private readonly initial = 0) {}

  update(done: number): void {
    const now = performance.now();
    const finished = done >= this.total;
    if (this.stream.isTTY) {
      this.stream.write(`\r${this.render(done, now)}${finished ? '\n' : ''}`);
      return;
    }
    if (!finished && now - this.lastLine < 1000) return;
    this.lastLine = now;
    this.stream.write(`${this.render(done, now)}\n`);
  }

  private render(done: number, now: number): string {
    const fraction = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(fraction * width);
    const rate = (done - this.initial) / Math.max(0.001, (now - this.started) / 1000);
    const bar = this.stream.isTTY ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return `  ${this.label.padEnd(9)} ${bar}${(fraction * 100).toFixed(0).padStart(3)}%  ${done.toLocaleString('en')} / ${this.total.toLocaleString('en')}  ${Math.round(rate).toLocaleString('en')}/s   `;
  }
}
