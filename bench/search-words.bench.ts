// Word extraction of the search indexer: candidate SQL expressions for "the lowercased ASCII
// letter-and-digit runs of a call's stored input and output", alternated in one run on one
// in-process DuckDB over two kinds of stored calls: bench/synthetic-calls.ts rows (JSON of a
// 30-word vocabulary) and chat-like prose with punctuation, digits, markdown, newlines and
// some non-ASCII text, stored through the real write path. Each candidate's words are first
// checked against the regexp_extract_all baseline row by row; then each is timed (CPU of every
// thread per record) alone and inside the indexer's whole posting query, and the ratio to the
// baseline is printed.
// Usage: npx tsx bench/search-words.bench.ts [callsPerKind=20000] [rounds=5]
import { loadavg } from 'node:os';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { wordListSql } from '../src/store/duckdb/search-index.js';
import type { Store } from '../src/store/ports.js';
import { loadProse } from './chat-prose.js';
import { loadSyntheticCalls } from './synthetic-calls.js';
import { cpuMicros, median } from './timing.js';

const CALLS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
// One DuckDB thread by default: idle workers of a parallel plan add CPU time that varies with the
// machine's load far more than the work measured here.
const THREADS = Number(process.env.LOUPE_BENCH_THREADS ?? 1);
const TEXT = `lower(concat_ws(' ', CAST(input AS VARCHAR), CAST(output AS VARCHAR)))`;

/** Every ASCII character that is not a lowercase letter or digit, for translate(). */
const ASCII_SEPARATORS = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).filter((char) => !/[a-z0-9]/.test(char)).join('');
const separatorsSql = `chr(0) || '${ASCII_SEPARATORS.slice(1).replaceAll("'", "''")}'`;

interface Candidate {
  /** A list of words (possibly with empty strings) from the lowercased text expression. */
  words(text: string): string;
  /** The list may hold empty strings, dropped after unnest. */
  dropsEmpty: boolean;
  /** The list holds each word once, so the posting query needs no DISTINCT. */
  distinct: boolean;
}

const CANDIDATES: Record<string, Candidate> = {
  'regexp_extract_all (baseline)': { words: (text) => `regexp_extract_all(${text}, '[a-z0-9]+')`, dropsEmpty: false, distinct: false },
  'string_split_regex': { words: (text) => `string_split_regex(${text}, '[^a-z0-9]+')`, dropsEmpty: true, distinct: false },
  'regexp_replace + string_split': { words: (text) => `string_split(regexp_replace(${text}, '[^a-z0-9]+', ' ', 'g'), ' ')`, dropsEmpty: true, distinct: false },
  'regexp_replace [^a-z0-9 ]+ + string_split': { words: (text) => `string_split(regexp_replace(${text}, '[^a-z0-9 ]+', ' ', 'g'), ' ')`, dropsEmpty: true, distinct: false },
  'regexp_replace, spaces absorbed + string_split': {
    words: (text) => `string_split(regexp_replace(${text}, '[^a-z0-9]*[^a-z0-9 ][^a-z0-9]*', ' ', 'g'), ' ')`,
    dropsEmpty: true,
    distinct: false,
  },
  'translate + string_split': {
    words: (text) => `string_split(translate(regexp_replace(${text}, '[^\\x00-\\x7f]+', ' ', 'g'), ${separatorsSql}, repeat(' ', ${ASCII_SEPARATORS.length})), ' ')`,
    dropsEmpty: true,
    distinct: false,
  },
  'list_distinct(regexp_extract_all)': { words: (text) => `list_distinct(regexp_extract_all(${text}, '[a-z0-9]+'))`, dropsEmpty: false, distinct: true },
  'adopted (search-index.ts)': { words: (text) => wordListSql(text), dropsEmpty: true, distinct: false },
};

function tokensSql(candidate: Candidate, select: string, project: string): string {
  const inner = `SELECT ${select}, unnest(${candidate.words(TEXT)}) AS token FROM calls WHERE project_id = '${project}'`;
  return candidate.dropsEmpty ? `SELECT * FROM (${inner}) WHERE token <> ''` : inner;
}

/** The indexer's posting query (src/store/duckdb/search-index.ts) with a candidate's words. */
function postingSql(candidate: Candidate, project: string): string {
  const rows = tokensSql(candidate, 'project_id, id, started_at', project);
  return `SELECT count(*) AS n FROM (
    SELECT project_id, token, min(started_at), max(started_at), count(*), CASE WHEN count(*) <= 4000 THEN list(id) ELSE [] END
    FROM (${candidate.distinct ? rows : `SELECT DISTINCT * FROM (${rows})`}) GROUP BY project_id, token)`;
}

function extractionSql(candidate: Candidate, project: string): string {
  return `SELECT count(*) AS n FROM (${tokensSql(candidate, 'id', project)})`;
}

/** Rows whose set of words differs from the baseline's. */
async function mismatches(store: Store, candidate: Candidate, project: string): Promise<number> {
  const baseline = CANDIDATES['regexp_extract_all (baseline)']!;
  const set = (c: Candidate): string => (c.dropsEmpty ? `list_sort(list_distinct(list_filter(${c.words(TEXT)}, w -> w <> '')))` : `list_sort(list_distinct(${c.words(TEXT)}))`);
  const [row] = await store.sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM calls WHERE project_id = '${project}' AND ${set(candidate)} IS DISTINCT FROM ${set(baseline)}`);
  return Number(row!.n);
}

async function main(): Promise<void> {
  const store = await openDuckDbStore({ dataDir: ':memory:', threads: THREADS, searchIndexIntervalMs: 0, rollupFoldIntervalMs: 0 });
  try {
    await loadSyntheticCalls(store, { calls: CALLS, days: 30, projectId: 'synthetic' });
    await loadProse(store, 'prose', CALLS);
    const loadBefore = loadavg();
    for (const project of ['synthetic', 'prose']) {
      const [stats] = await store.sql.query<{ chars: number; words: number }>(
        `SELECT avg(strlen(${TEXT})) AS chars, avg(len(regexp_extract_all(${TEXT}, '[a-z0-9]+'))) AS words FROM calls WHERE project_id = '${project}'`,
      );
      console.log(`${project}: ${CALLS.toLocaleString('en')} calls, ${Math.round(Number(stats!.chars))} bytes of text and ${Math.round(Number(stats!.words))} words per call`);
      const names = Object.keys(CANDIDATES);
      for (const name of names) {
        const wrong = await mismatches(store, CANDIDATES[name]!, project);
        if (wrong > 0) {
          console.error(`  MISMATCH: ${name} differs from the baseline on ${wrong} rows`);
          process.exitCode = 1;
        }
      }
      for (const [kind, build] of [['extraction + unnest', extractionSql], ['whole posting query', postingSql]] as const) {
        const cpu = new Map<string, number[]>(names.map((name) => [name, []]));
        for (let round = 0; round < ROUNDS; round++) {
          // Alternating order each round, so drift in the machine's load spreads over all.
          for (const name of round % 2 === 0 ? names : [...names].reverse()) {
            const started = cpuMicros();
            await store.sql.query(build(CANDIDATES[name]!, project));
            cpu.get(name)!.push((cpuMicros() - started) / CALLS);
          }
        }
        const base = median(cpu.get(names[0]!)!);
        console.log(`  ${kind}, CPU µs per call (median of ${ROUNDS}), ratio to the baseline:`);
        for (const name of names) {
          const value = median(cpu.get(name)!);
          console.log(`    ${name.padEnd(48)} ${value.toFixed(1).padStart(6)} µs  ${(value / base).toFixed(2)}`);
        }
      }
    }
    console.log(`load average before / after the timed part: ${loadBefore.map((n) => n.toFixed(2)).join(' ')} / ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  } finally {
    await store.close();
  }
}

await main();
