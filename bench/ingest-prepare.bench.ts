// CPU per record of the ingestion preparation stages (JSON parsing, validation, pricing, and
// the whole prepareCalls with serialization and the idempotency hash), this tree against a
// baseline commit loaded from git into a temporary directory, alternated round by round in
// one process on the 500-record bodies of bench/ingest.bench.ts. Prints the median CPU per
// record of each and the ratio this tree / baseline.
// Usage: npx tsx bench/ingest-prepare.bench.ts [baselineRev=e632635] [rounds=9] [batches=20]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { catalogEntry } from '../src/pricing/catalog.js';

const BASELINE_REV = process.argv[2] ?? 'e632635';
const ROUNDS = Number(process.argv[3] ?? 9);
const BATCHES = Number(process.argv[4] ?? 20);
const BATCH = 500;
const CONTEXT: { projectId: string; apiKeyId: null; now?: number } = { projectId: 'bench', apiKeyId: null };

interface Implementation {
  parseCallsBody(text: string): { items: unknown[] };
  prepareCalls(items: readonly unknown[], context: typeof CONTEXT): { writes: unknown[]; invalid: unknown[] };
  /** Validation as prepareCalls does it (a tree without parseCallRecord: the schema's safeParse). */
  validate(item: unknown): { success: boolean; data?: unknown };
  normalizeCall(input: never, context: typeof CONTEXT): Record<string, unknown>;
  priceCall(call: never): void;
}

async function load(root: string): Promise<Implementation> {
  const module = async (path: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(root, path)).href) as Promise<Record<string, unknown>>;
  const parse = await module('src/ingest/parse-calls-body.ts');
  const prepare = await module('src/ingest/prepare-calls.ts');
  const record = await module('src/domain/call-record.ts');
  const normalize = await module('src/domain/normalize-call.ts');
  const price = await module('src/pricing/price-call.ts');
  return {
    parseCallsBody: parse.parseCallsBody as Implementation['parseCallsBody'],
    prepareCalls: prepare.prepareCalls as Implementation['prepareCalls'],
    validate: (prepare.parseCallRecord as Implementation['validate'] | undefined)
      ?? ((item) => (record.callRecordInputSchema as { safeParse: Implementation['validate'] }).safeParse(item)),
    normalizeCall: normalize.normalizeCall as Implementation['normalizeCall'],
    priceCall: price.priceCall as Implementation['priceCall'],
  };
}

/** The baseline's src/ and package.json from git, resolving packages from this tree. */
function checkoutBaseline(): string {
  const repo = resolve(import.meta.dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-baseline-'));
  execFileSync('sh', ['-c', `git -C "${repo}" archive ${BASELINE_REV} src package.json tsconfig.json | tar -x -C "${dir}"`]);
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

const WORDS = 'the model answered quickly with a detailed plan for the quarterly report and listed risks costs and next steps for the team'.split(' ');
function text(seed: number, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${WORDS[(seed * 7 + i * 13) % WORDS.length]} `;
  return out.slice(0, length);
}

/** The same records as bench/ingest.bench.ts posts. */
function body(batch: number): string {
  const now = Date.now();
  return JSON.stringify(Array.from({ length: BATCH }, (_, i) => ({
    id: `bench-${batch}-${i}`, provider: 'openai', model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini', started_at: now - 1000, latency_ms: 300 + (i % 700),
    prompt_tokens: 200 + i, completion_tokens: 80 + (i % 50), user_id: `user-${i % 50}`, session_id: `s-${batch}-${i % 20}`, agent: 'bench_agent',
    tags: ['bench'], properties: { symbol: 'EURUSD' },
    input: [{ role: 'system', content: text(i, 200) }, { role: 'user', content: text(i + 1, 700) }],
    output: { role: 'assistant', content: text(i + 2, 500) },
  })));
}

/** CPU microseconds (user + system) per record of `task` over every body. */
function cpuPerRecord(records: number, task: () => void): number {
  const before = process.cpuUsage();
  task();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / records;
}

type Stage = 'parse' | 'validate' | 'price' | 'prepare';
const STAGES: Stage[] = ['parse', 'validate', 'price', 'prepare'];

function measure(impl: Implementation, bodies: string[]): Record<Stage, number> {
  const records = bodies.length * BATCH;
  const parsed = bodies.map((text) => impl.parseCallsBody(text).items);
  const calls = parsed.map((items) => items.map((item) => impl.normalizeCall(impl.validate(item).data as never, CONTEXT)));
  let sink = 0;
  const result = {
    parse: cpuPerRecord(records, () => {
      for (const text of bodies) sink += impl.parseCallsBody(text).items.length;
    }),
    validate: cpuPerRecord(records, () => {
      for (const items of parsed) for (const item of items) if (impl.validate(item).success) sink++;
    }),
    price: cpuPerRecord(records, () => {
      for (const batch of calls) for (const call of batch) impl.priceCall(call as never);
    }),
    prepare: cpuPerRecord(records, () => {
      for (const text of bodies) sink += impl.prepareCalls(impl.parseCallsBody(text).items, CONTEXT).writes.length;
    }),
  };
  if (sink === 0) throw new Error('nothing was prepared');
  return result;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = checkoutBaseline();
  try {
    const implementations = { baseline: await load(dir), current: await load(resolve(import.meta.dirname, '..')) };
    const bodies = Array.from({ length: BATCHES }, (_, batch) => body(batch));
    // Both must accept every record and price it the same way before any timing counts.
    for (const impl of Object.values(implementations)) {
      const prepared = impl.prepareCalls(impl.parseCallsBody(bodies[0]!).items, CONTEXT);
      if (prepared.invalid.length > 0 || prepared.writes.length !== BATCH) throw new Error('a benchmark record was refused');
    }
    const [a, b] = Object.values(implementations).map((impl) => JSON.stringify(impl.prepareCalls(impl.parseCallsBody(bodies[0]!).items, { ...CONTEXT, now: 1 })));
    if (a !== b) throw new Error('baseline and current prepare different writes');
    const samples = { baseline: [] as Record<Stage, number>[], current: [] as Record<Stage, number>[] };
    console.log(`ingest preparation, ${BATCHES} bodies of ${BATCH} records per round, ${ROUNDS} rounds, baseline ${BASELINE_REV}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    measure(implementations.baseline, bodies);
    measure(implementations.current, bodies);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['baseline', 'current'] as const) : (['current', 'baseline'] as const);
      for (const name of order) samples[name].push(measure(implementations[name], bodies));
    }
    console.log('stage     baseline µs/record   current µs/record   ratio');
    for (const stage of STAGES) {
      const base = median(samples.baseline.map((sample) => sample[stage]));
      const current = median(samples.current.map((sample) => sample[stage]));
      console.log(`${stage.padEnd(9)} ${base.toFixed(2).padStart(18)} ${current.toFixed(2).padStart(19)} ${(current / base).toFixed(2).padStart(7)}`);
    }
    console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const models = ((await waitForUpdate()) as Provider[]).flatMap((provider) => provider.models.map((model) => catalogEntry(provider, model)));
    console.log(`catalog models priced by direct arithmetic in this tree: ${models.filter((entry) => entry.flat).length} of ${models.length}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
