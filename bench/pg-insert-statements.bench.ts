// Where an insert batch's time goes on PostgreSQL: N records with ~0.6 KB of content written
// through CallRepository.insertBatch in 2,000-record batches into a fresh schema (the search
// indexer stopped, so only the insert path runs), each statement timed on the client from send
// to its last result (a COPY until its stream has finished). Prints ms per batch by statement
// and its share of the whole batch, measured in the same run.
// Usage: npx tsx bench/pg-insert-statements.bench.ts [records=40000]
import { execFileSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { loadavg } from 'node:os';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { CallWrite } from '../src/store/ports.js';
import { createPgTestSchema } from '../test/helpers/pg-test-database.js';
import { gatewayLikeWrite } from './gateway-like-record.js';

const RECORDS = Number(process.argv[2] ?? 40_000);
const BATCH = 2000;


const spent = new Map<string, number>();

/** Times every query of every pg client by the first words of its SQL. */
function timeEveryQuery(): void {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function timed(this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string }).text ?? 'COPY calls FROM STDIN');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
    const started = performance.now();
    const add = () => spent.set(key, (spent.get(key) ?? 0) + performance.now() - started);
    const result = query.apply(this, args);
    if (result instanceof Promise) result.then(add, add);
    else if (result && typeof (result as EventEmitter).on === 'function') (result as EventEmitter).on('finish', add);
    return result;
  };
}

async function main(): Promise<void> {
  if (!process.env.LOUPE_TEST_DATABASE_URL && !process.env.DATABASE_URL) {
    process.env.LOUPE_TEST_DATABASE_URL = execFileSync('bash', ['scripts/ensure-postgres.sh'], { encoding: 'utf8' }).trim();
  }
  const schema = await createPgTestSchema();
  const store = await openPostgresStore({ databaseUrl: schema.url, searchIndexIntervalMs: 0 });
  try {
    const now = Date.now();
    await store.calls.insertBatch([gatewayLikeWrite(RECORDS, RECORDS, now)]);
    timeEveryQuery();
    console.log(`load average at start: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    const started = performance.now();
    for (let offset = 0; offset < RECORDS; offset += BATCH) {
      const writes: CallWrite[] = [];
      for (let i = offset; i < Math.min(RECORDS, offset + BATCH); i++) writes.push(gatewayLikeWrite(i, RECORDS, now));
      await store.calls.insertBatch(writes);
    }
    const batchMs = (performance.now() - started) / (RECORDS / BATCH);
    console.log(`\n${RECORDS.toLocaleString('en')} records: ${(RECORDS / (batchMs * (RECORDS / BATCH) / 1000)).toFixed(0)} records/s, ${batchMs.toFixed(1)} ms per ${BATCH}-record batch (load average ${loadavg().map((n) => n.toFixed(2)).join(' ')})`);
    console.log('| statement | ms per batch | share of the batch |\n|---|---|---|');
    let statements = 0;
    for (const [key, ms] of [...spent].sort((a, b) => b[1] - a[1])) {
      const perBatch = ms / (RECORDS / BATCH);
      statements += perBatch;
      console.log(`| \`${key}\` | ${perBatch.toFixed(1)} | ${(perBatch / batchMs).toFixed(2)} |`);
    }
    console.log(`| (in Loupe, between statements) | ${(batchMs - statements).toFixed(1)} | ${((batchMs - statements) / batchMs).toFixed(2)} |`);
  } finally {
    await store.close();
    await schema.drop();
  }
}

await main();
