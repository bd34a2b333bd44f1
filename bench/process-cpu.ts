// CPU time of another process from /proc: less sensitive than a rate or a latency to what else
// runs on this shared machine.
import { existsSync, readFileSync } from 'node:fs';

function statSeconds(path: string): number {
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds (user + system) used so far by the process's main thread (its event loop) and by
 * all of its threads; null where there is no /proc.
 */
export function processCpuSeconds(pid: number | undefined): { main: number; all: number } | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return null;
  return { main: statSeconds(`/proc/${pid}/task/${pid}/stat`), all: statSeconds(`/proc/${pid}/stat`) };
}
