// Small timing helpers shared by the benchmarks: repeated runs and nearest-rank percentiles.

/** Runs `task` once to warm up, then `runs` times, returning each duration in ms. */
export async function timeRuns(runs: number, task: () => Promise<unknown>): Promise<number[]> {
  await task();
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    durations.push(performance.now() - started);
  }
  return durations;
}

/** Like timeRuns, but stops starting new runs once `seconds` have passed (always at least one). */
export async function timeBounded(runs: number, seconds: number, task: () => Promise<unknown>): Promise<number[]> {
  const deadline = performance.now() + seconds * 1000;
  await task();
  const durations: number[] = [];
  while (durations.length < runs && (durations.length === 0 || performance.now() < deadline)) {
    const started = performance.now();
    await task();
    durations.push(performance.now() - started);
  }
  return durations;
}

/** Nearest-rank percentile (q in 0..1) of a list of numbers. */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** CPU time of every thread of this process so far, in µs. */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** The upper median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}
