// Vitest global setup: makes the machine's PostgreSQL reachable once per run (see
// scripts/ensure-postgres.sh) and hands its URL to every test process. A failure is kept
// and reported by each PostgreSQL test rather than skipping them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.LOUPE_TEST_DATABASE_URL) return;
  const script = fileURLToPath(new URL('../../scripts/ensure-postgres.sh', import.meta.url));
  try {
    const url = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 }).trim();
    process.env.LOUPE_TEST_DATABASE_URL = url;
  } catch (error) {
    process.env.LOUPE_TEST_PG_ERROR = `scripts/ensure-postgres.sh failed: ${(error as Error).message}`;
  }
}
