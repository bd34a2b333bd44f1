// What counting committed calls for /metrics costs per call, against serializing the same call
// once as JSON (work every recorded call already pays, and more of it), in the same run.
// Usage: npx tsx bench/call-metrics.bench.ts [calls=1000000] [rounds=5]
import { CallMetrics } from '../src/recorder/call-metrics.js';
import { gatewayLikeWrite } from './gateway-like-record.js';
import { median } from './timing.js';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const BATCH = 500;

const now = Date.now();
const batch = Array.from({ length: BATCH }, (_, index) => gatewayLikeWrite(index, BATCH, now).call);
const batches = Math.ceil(CALLS / BATCH);

function timePerCall(task: () => void): number {
  const started = performance.now();
  for (let index = 0; index < batches; index++) task();
  return ((performance.now() - started) * 1000) / (batches * BATCH);
}

const metrics = new CallMetrics();
const counted: number[] = [];
const serialized: number[] = [];
let bytes = 0;
for (let round = 0; round < ROUNDS; round++) {
  counted.push(timePerCall(() => metrics.observe(batch)));
  serialized.push(timePerCall(() => {
    for (const call of batch) bytes += JSON.stringify(call).length;
  }));
}
const [count, json] = [median(counted), median(serialized)];
console.log(`${(batches * BATCH).toLocaleString('en')} calls in batches of ${BATCH}, ${ROUNDS} rounds, median µs per call (${(bytes / 1e6).toFixed(0)} MB serialized)`);
console.log('| work per call | µs | ratio to serializing it |');
console.log('|---|---|---|');
console.log(`| counted for /metrics | ${count.toFixed(3)} | ${(count / json).toFixed(3)} |`);
console.log(`| JSON.stringify (baseline) | ${json.toFixed(3)} | 1 |`);
