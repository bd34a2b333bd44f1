// Token counting with OpenAI's real encodings, loaded on first use: each encoding holds tens
// of MB, which a gateway whose providers report usage never needs. Text that looks like a
// special token (`<|endoftext|>`) is counted as text, never refused.
import { createRequire } from 'node:module';

interface Encoding {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

const load = createRequire(import.meta.url);
const encodings = new Map<string, Encoding>();
const AS_TEXT = { disallowedSpecial: new Set<string>() };

function counter(module: string): (text: string) => number {
  return (text) => {
    let encoding = encodings.get(module);
    if (!encoding) {
      encoding = load(module) as Encoding;
      encodings.set(module, encoding);
    }
    return encoding.countTokens(text, AS_TEXT);
  };
}

/** GPT-4o and later (o200k_base); also the approximation for other families. */
export const countO200k = counter('gpt-tokenizer');
/** GPT-4, GPT-3.5 and the older embeddings (cl100k_base). */
export const countCl100k = counter('gpt-tokenizer/encoding/cl100k_base');
