// Chat-like prose for the search benchmarks: sentences over a small vocabulary with numbers,
// markdown, newlines and some non-ASCII text, from a seeded generator, stored through the real
// write path.
import { prepareCalls } from '../src/ingest/prepare-calls.js';
import type { Store } from '../src/store/ports.js';

const VOCABULARY = (
  'the a of to and in is it that for on with as this be are by or at from an you your we our can will not but if use when which each more than most also only other into over after before about ' +
  'model answer request response prompt token latency cost budget quarter revenue forecast market risk customer report summary analysis data table query index cluster deploy service error retry ' +
  'timeout provider gateway stream cache result value price order invoice payment refund account schedule ticket support contract policy review draft plan step list item section example'
).split(' ');
const NON_ASCII = ['café', 'naïve', 'Straße', 'déjà', '’s', '—', '“quoted”', 'über', '😀', 'Ωmega', 'ﬁle', 'KELVIN'];
const PUNCTUATION = [',', '.', ':', ';', '?', '!', ')'];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** About `chars` characters of chat-like text: sentences, numbers, markdown, newlines. */
function prose(rand: () => number, chars: number): string {
  let out = '';
  let sentenceStart = true;
  while (out.length < chars) {
    const roll = rand();
    let word: string;
    if (roll < 0.02) word = NON_ASCII[Math.floor(rand() * NON_ASCII.length)]!;
    else if (roll < 0.07) word = String(Math.floor(rand() * 100_000) / (rand() < 0.5 ? 100 : 1));
    else if (roll < 0.09) word = `**${VOCABULARY[Math.floor(rand() * VOCABULARY.length)]}**`;
    else if (roll < 0.1) word = `(${VOCABULARY[Math.floor(rand() * VOCABULARY.length)]}_${Math.floor(rand() * 99)}`;
    else word = VOCABULARY[Math.floor(rand() * VOCABULARY.length)]!;
    if (sentenceStart) word = word.charAt(0).toUpperCase() + word.slice(1);
    sentenceStart = false;
    out += word;
    const end = rand();
    if (end < 0.06) {
      out += rand() < 0.3 ? '.\n\n- ' : '. ';
      sentenceStart = true;
    } else if (end < 0.1) out += `${PUNCTUATION[Math.floor(rand() * PUNCTUATION.length)]} `;
    else out += ' ';
  }
  return out;
}

/** `calls` chat-like calls, one a second up to `now`, from a fixed seed. */
export function proseCalls(calls: number, now = Date.now()): Record<string, unknown>[] {
  const rand = random(7);
  return Array.from({ length: calls }, (_, i) => ({
    id: `prose-${i}`, provider: 'openai', model: 'gpt-4o', started_at: now - (calls - i) * 1_000, latency_ms: 500, prompt_tokens: 300, completion_tokens: 120,
    input: [{ role: 'system', content: prose(rand, 200) }, { role: 'user', content: prose(rand, 700) }],
    output: { role: 'assistant', content: prose(rand, 500) },
  }));
}

/** Stores `calls` prose calls through the ingestion path; `searchWords` keeps their words, as API ingestion into DuckDB does. */
export async function loadProse(store: Store, project: string, calls: number, options: { searchWords?: boolean } = {}): Promise<void> {
  const items = proseCalls(calls);
  for (let start = 0; start < calls; start += 2_000) {
    await store.calls.insertBatch(prepareCalls(items.slice(start, start + 2_000), { projectId: project, apiKeyId: null }, options).writes);
  }
}
