// Prompt and response text for demo calls: varied sentences from small vocabularies, about
// the sizes real chat calls have, built without allocating more than the text itself.
import type { Random } from './prng.js';

const SUBJECTS = ['the quarterly revenue', 'the customer', 'our latency budget', 'the order book', 'the support queue', 'the refund policy', 'the deployment', 'the volatility index', 'the earnings call', 'the shipping delay', 'the invoice', 'the risk report'];
const VERBS = ['suggests', 'shows', 'contradicts', 'confirms', 'depends on', 'outweighs', 'explains', 'raises questions about', 'is driven by', 'barely affects'];
const OBJECTS = ['a short-term rebound', 'higher costs next month', 'the moving average', 'a pricing change', 'the new model rollout', 'seasonal demand', 'the regulatory filing', 'an unusual spike in errors', 'the analyst consensus', 'a supply constraint', 'the previous guidance', 'a sentiment shift'];
const CLOSERS = ['Keep the answer under 200 words.', 'Cite the figures you rely on.', 'List the risks first.', 'Answer in bullet points.', 'Be explicit about uncertainty.'];

export function sentences(random: Random, approxChars: number): string {
  let text = '';
  while (text.length < approxChars) {
    text += `${random.pick(SUBJECTS)} ${random.pick(VERBS)} ${random.pick(OBJECTS)}. `;
  }
  return text.trimEnd();
}

export function userPrompt(random: Random, topic: string, approxChars: number): string {
  return `About ${topic}: ${sentences(random, approxChars)} ${random.pick(CLOSERS)}`;
}
