// Loaded into a measured process with `--import ./dist/bench/process-sampler.js` (built by
// npx tsc): samples its memory every 200 ms and its event-loop delay, and when the process
// exits writes what it held at its resident peak, as JSON, to LOUPE_SAMPLER_OUT. SIGUSR2
// forgets the peak and the event-loop delays so far, for figures of one phase (e.g. an export,
// or the load after start-up).
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface SamplerReport {
  /** At the highest resident set seen, in MB. */
  rssMb: number;
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** Anonymous memory (heaps of V8, DuckDB, the allocator) and file pages (binaries). */
  anonMb: number;
  fileMb: number;
  /** Event-loop delay since start (or the last SIGUSR2), in ms. */
  loopDelayP99Ms: number;
  /** The longest the event loop was held since start (or the last SIGUSR2), in ms. */
  loopDelayMaxMs: number;
}

const MB = 1024 * 1024;
const out = process.env.LOUPE_SAMPLER_OUT;
if (out) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const statusKb = (status: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  let peak: Omit<SamplerReport, 'loopDelayP99Ms' | 'loopDelayMaxMs'> | null = null;
  setInterval(() => {
    const memory = process.memoryUsage();
    if (peak && memory.rss / MB <= peak.rssMb) return;
    const status = readFileSync('/proc/self/status', 'utf8');
    peak = {
      rssMb: memory.rss / MB, heapTotalMb: memory.heapTotal / MB, heapUsedMb: memory.heapUsed / MB, externalMb: memory.external / MB,
      anonMb: statusKb(status, 'RssAnon') / 1024, fileMb: statusKb(status, 'RssFile') / 1024,
    };
  }, 200).unref();
  process.on('SIGUSR2', () => {
    peak = null;
    delay.reset();
  });
  process.once('exit', () => {
    if (!peak) return;
    const report: SamplerReport = { ...peak, loopDelayP99Ms: delay.percentile(99) / 1e6, loopDelayMaxMs: delay.max / 1e6 };
    writeFileSync(out, JSON.stringify(report));
  });
}
