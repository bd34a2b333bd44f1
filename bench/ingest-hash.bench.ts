// Where the serialization and idempotency hash of an ingested record go (prepare-calls.ts
// serializes input and output once for the store and hashes them with the rest of the record),
// on the records of bench/ingest.bench.ts: CPU per record of each part and of the whole, with
// SHA-1 against MD5 on the same canonical strings. Median of the rounds, parts alternated.
// Usage: npx tsx bench/ingest-hash.bench.ts [rounds=9] [records=5000]
import { hash } from 'node:crypto';
import { loadavg } from 'node:os';

const ROUNDS = Number(process.argv[2] ?? 9);
const RECORDS = Number(process.argv[3] ?? 5_000);

const WORDS = 'the model answered quickly with a detailed plan for the quarterly report and listed risks costs and next steps for the team'.split(' ');
function text(seed: number, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${WORDS[(seed * 7 + i * 13) % WORDS.length]} `;
  return out.slice(0, length);
}

const now = Date.now();
/** Parsed from JSON, as the ingestion worker holds them. */
const items = JSON.parse(JSON.stringify(Array.from({ length: RECORDS }, (_, i) => ({
  id: `bench-1-${i}`, provider: 'openai', model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini', started_at: now - 1000, latency_ms: 300 + (i % 700),
  prompt_tokens: 200 + i, completion_tokens: 80 + (i % 50), user_id: `user-${i % 50}`, session_id: `s-1-${i % 20}`, agent: 'bench_agent',
  tags: ['bench'], properties: { symbol: 'EURUSD' },
  input: [{ role: 'system', content: text(i, 200) }, { role: 'user', content: text(i + 1, 700) }],
  output: { role: 'assistant', content: text(i + 2, 500) },
})))) as Record<string, unknown>[];
const canonical = items.map((item) => {
  const { input, output, ...rest } = item;
  return `${JSON.stringify(rest)}\u0000${JSON.stringify(input)}\u0000${JSON.stringify(output)}`;
});

const PARTS: Record<string, (index: number) => unknown> = {
  'whole (as prepare-calls.ts)': (i) => {
    const { input, output, ...rest } = items[i]!;
    const inputJson = JSON.stringify(input);
    const outputJson = JSON.stringify(output);
    return hash('sha1', `${JSON.stringify(rest)}\u0000${inputJson}\u0000${outputJson}`, 'base64url');
  },
  'JSON.stringify of input and output': (i) => JSON.stringify(items[i]!.input).length + JSON.stringify(items[i]!.output).length,
  'object spread without the content': (i) => {
    const { input: _input, output: _output, ...rest } = items[i]!;
    return rest;
  },
  'JSON.stringify of the rest': (i) => {
    const { input: _input, output: _output, ...rest } = items[i]!;
    return JSON.stringify(rest).length;
  },
  'SHA-1 of the canonical string': (i) => hash('sha1', canonical[i]!, 'base64url'),
  'MD5 of the canonical string': (i) => hash('md5', canonical[i]!, 'base64url'),
};

function cpuPerRecord(part: (index: number) => unknown): number {
  let sink = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < items.length; i++) if (part(i)) sink++;
  const used = process.cpuUsage(before);
  if (sink !== items.length) throw new Error('a part returned nothing');
  return (used.user + used.system) / items.length;
}

const names = Object.keys(PARTS);
for (const name of names) cpuPerRecord(PARTS[name]!);
const samples = new Map<string, number[]>(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) samples.get(name)!.push(cpuPerRecord(PARTS[name]!));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`serialization and idempotency hash, ${RECORDS} records, ${Math.round(canonical.reduce((sum, s) => sum + s.length, 0) / RECORDS)} characters hashed each; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const name of names) console.log(`  ${name.padEnd(36)} ${median(samples.get(name)!).toFixed(2).padStart(6)} µs per record`);
