// Taking a call's search words in JavaScript (src/store/search-words.ts, run while a batch is
// prepared) against the plain way, a regex match of the lowercased text into a Set, which
// slices out every occurrence of every word. Both run over the serialized input and output of
// chat-like prose (bench/chat-prose.ts) and of the ingestion benchmark's 24-word text, after
// a check that they give the same words for every call; CPU per call (median of the rounds)
// including garbage collection, which a few hundred short strings per call make the larger part.
// Usage: npx tsx bench/search-words-js.bench.ts [calls=20000] [rounds=7]
import { loadavg } from 'node:os';
import { searchWords } from '../src/store/search-words.js';
import { proseCalls } from './chat-prose.js';
import { cpuMicros, median } from './timing.js';

const CALLS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 7);

function regexWords(inputJson: string | null, outputJson: string | null): string {
  const words = new Set<string>();
  for (const json of [inputJson, outputJson]) {
    if (json === null) continue;
    for (const word of json.replace(/\u0130/g, 'i').toLowerCase().match(/[a-z0-9]+/g) ?? []) words.add(word);
  }
  return [...words].join(' ');
}

/** The ingestion benchmark's text: a 24-word vocabulary, about 1.4 KB a call. */
function vocabularyCalls(calls: number): { input: unknown; output: unknown }[] {
  const vocabulary = 'the model answered quickly with a detailed plan for the quarterly report and listed risks costs and next steps for the team'.split(' ');
  const text = (seed: number, length: number): string => {
    let out = '';
    for (let i = 0; out.length < length; i++) out += `${vocabulary[(seed * 7 + i * 13) % vocabulary.length]} `;
    return out.slice(0, length);
  };
  return Array.from({ length: calls }, (_, i) => ({
    input: [{ role: 'system', content: text(i, 200) }, { role: 'user', content: text(i + 1, 700) }],
    output: { role: 'assistant', content: text(i + 2, 500) },
  }));
}

const sorted = (words: string): string => words.split(' ').sort().join(' ');

function main(): void {
  const kinds: [string, { input: unknown; output: unknown }[]][] = [
    ['chat-like prose', proseCalls(CALLS) as { input: unknown; output: unknown }[]],
    ['24-word vocabulary (ingestion benchmark)', vocabularyCalls(CALLS)],
  ];
  const loadBefore = loadavg();
  for (const [kind, calls] of kinds) {
    const texts = calls.map((call) => [JSON.stringify(call.input), JSON.stringify(call.output)] as const);
    const mismatched = texts.filter(([input, output]) => sorted(searchWords(input, output)) !== sorted(regexWords(input, output))).length;
    if (mismatched > 0) {
      console.error(`MISMATCH: ${mismatched} calls of ${kind} get other words`);
      process.exitCode = 1;
    }
    const cpu = { searchWords: [] as number[], regex: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, take] of [['searchWords', searchWords], ['regex', regexWords]] as const) {
        const started = cpuMicros();
        for (const [input, output] of texts) take(input, output);
        cpu[name].push((cpuMicros() - started) / texts.length);
      }
    }
    const chars = texts.reduce((sum, [input, output]) => sum + input.length + output.length, 0) / texts.length;
    const [ours, regex] = [median(cpu.searchWords), median(cpu.regex)];
    console.log(`${kind}: ${CALLS.toLocaleString('en')} calls, ${Math.round(chars)} characters of JSON each; CPU µs per call (median of ${ROUNDS})`);
    console.log(`  regex match into a Set (baseline): ${regex.toFixed(2)}`);
    console.log(`  searchWords:                       ${ours.toFixed(2)}  (ratio ${(ours / regex).toFixed(2)})`);
  }
  console.log(`load average before / after: ${loadBefore.map((n) => n.toFixed(2)).join(' ')} / ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
}

main();
