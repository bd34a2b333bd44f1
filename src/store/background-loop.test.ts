// The store's background jobs (search indexers, rollup folders) share the writer or a
// maintenance connection with other work: a slow run must never be overlapped or followed by a
// backlog of runs, and stop() must leave nothing running.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackgroundLoop } from './background-loop.js';

describe('BackgroundLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** A job whose every run takes `runMs`, recording when each run started and ended. */
  function slowJob(runMs: number) {
    const runs: { start: number; end: number | null }[] = [];
    let active = 0;
    let maxActive = 0;
    const run = async () => {
      const entry = { start: Date.now(), end: null as number | null };
      runs.push(entry);
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, runMs));
      active--;
      entry.end = Date.now();
    };
    return { runs, run, maxActive: () => maxActive };
  }

  it('starts each run a full interval after the previous one ended, even when a run outlasts the interval', async () => {
    const job = slowJob(250);
    const loop = new BackgroundLoop(job.run);
    loop.start(100);
    await vi.advanceTimersByTimeAsync(1_200);
    const stopped = loop.stop();
    await vi.advanceTimersByTimeAsync(250);
    await stopped;
    // Runs at 100-350, 450-700, 800-1050, then one from 1150 that stop() waited for.
    expect(job.runs.map((run) => run.start)).toEqual([100, 450, 800, 1150]);
    for (let i = 1; i < job.runs.length; i++) expect(job.runs[i]!.start - job.runs[i - 1]!.end!).toBe(100);
    expect(job.runs.at(-1)!.end).toBe(1_400);
    expect(job.maxActive()).toBe(1);
  });

  it('waits in stop() for the run under way and runs nothing after', async () => {
    const job = slowJob(250);
    const loop = new BackgroundLoop(job.run);
    loop.start(100);
    await vi.advanceTimersByTimeAsync(200);
    const stopped = loop.stop();
    await vi.advanceTimersByTimeAsync(150);
    await stopped;
    expect(job.runs).toEqual([{ start: 100, end: 350 }]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(job.runs).toHaveLength(1);
  });

  it('goes on after a run that throws', async () => {
    let calls = 0;
    const loop = new BackgroundLoop(async () => {
      calls++;
      if (calls === 1) throw new Error('store away');
    });
    loop.start(100);
    await vi.advanceTimersByTimeAsync(350);
    await loop.stop();
    expect(calls).toBe(3);
  });
});
