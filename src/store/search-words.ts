// The words the DuckDB search index keys a call by, taken in JavaScript while the call is
// being prepared (in the ingestion worker for large batches) so the indexer only counts them.
// They must equal what the index's SQL takes from the stored text (wordListSql in
// duckdb/search-index.ts): the runs of [a-z0-9] in DuckDB's lower() of the JSON text of input
// and output. test/search-words.test.ts compares the two over every code point.

/**
 * DuckDB's lower() maps each code point by its simple case mapping; JavaScript's toLowerCase
 * uses the full one, where U+0130 (İ) becomes "i" plus a combining dot that would end the
 * word. It is the only code point outside ASCII whose two mappings differ on [a-z0-9].
 */
const DOTTED_CAPITAL_I = /\u0130/g;

/**
 * The distinct words of one call, as an open-addressing set over the text: a word is hashed
 * while it is scanned and sliced out only the first time it is seen. A text of 1.4 KB holds
 * about 250 words but far fewer distinct ones; slicing out every occurrence (a regex match into
 * a Set) took twice the CPU, garbage collection included (bench/search-words-js.bench.ts).
 */
class WordSet {
  private hashes = new Int32Array(256);
  private words: (string | null)[] = new Array<string | null>(256).fill(null);
  private readonly used: number[] = [];
  joined = '';

  /** Adds the word text[start, end), hashed as `hash`. */
  add(text: string, start: number, end: number, hash: number): void {
    const mask = this.words.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.words[slot];
      if (held === null || held === undefined) {
        const word = text.slice(start, end);
        this.words[slot] = word;
        this.hashes[slot] = hash;
        this.used.push(slot);
        this.joined = this.joined === '' ? word : `${this.joined} ${word}`;
        if (this.used.length * 2 > this.words.length) this.grow();
        return;
      }
      if (this.hashes[slot] === hash && held.length === end - start && text.startsWith(held, start)) return;
    }
  }

  /** Empties the set for the next call, keeping its size. */
  reset(): void {
    for (const slot of this.used) this.words[slot] = null;
    this.used.length = 0;
    this.joined = '';
  }

  private grow(): void {
    const words = this.used.map((slot) => this.words[slot]!);
    const hashes = this.used.map((slot) => this.hashes[slot]!);
    const size = this.words.length * 2;
    this.words = new Array<string | null>(size).fill(null);
    this.hashes = new Int32Array(size);
    this.used.length = 0;
    words.forEach((word, i) => {
      let slot = hashes[i]! & (size - 1);
      while (this.words[slot] !== null) slot = (slot + 1) & (size - 1);
      this.words[slot] = word;
      this.hashes[slot] = hashes[i]!;
      this.used.push(slot);
    });
  }
}

const set = new WordSet();

function addWords(json: string): void {
  const text = (json.includes('\u0130') ? json.replace(DOTTED_CAPITAL_I, 'i') : json).toLowerCase();
  let start = -1;
  let hash = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 32;
    if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) {
      if (start < 0) {
        start = i;
        hash = 0x811c9dc5;
      }
      hash = Math.imul(hash ^ code, 0x01000193);
    } else if (start >= 0) {
      set.add(text, start, i, hash);
      start = -1;
    }
  }
}

/** The distinct words of a call's serialized input and output, joined by single spaces. */
export function searchWords(inputJson: string | null, outputJson: string | null): string {
  try {
    if (inputJson !== null) addWords(inputJson);
    if (outputJson !== null) addWords(outputJson);
    return set.joined;
  } finally {
    set.reset();
  }
}
