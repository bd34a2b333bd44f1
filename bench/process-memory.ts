// A process's memory as the kernel reports it in /proc/<pid>/status, for the benchmarks that
// print resident sizes and peaks.
import { readFileSync } from 'node:fs';

/** A /proc status field in MB: VmRSS (resident now), VmHWM (resident peak), RssAnon, RssFile. */
export function statusMb(pid: number | 'self', field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}
