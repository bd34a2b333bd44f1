// The text of an OpenAI chat message's content: the string itself, or its text parts joined
// (images and other parts left out), for translations whose field takes text only.
import { isRecord } from './error-body.js';

export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isRecord(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}
