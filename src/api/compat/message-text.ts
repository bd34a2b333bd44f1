// The text of chat messages, as the seeds show a prompt or a response: a string as it is, content
// parts by their text, several messages one per line.

export function messageText(message: unknown): string | null {
  if (typeof message === 'string') return message;
  const content = (message as { content?: unknown } | null)?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'string' ? part : String((part as { text?: unknown }).text ?? ''))).join('');
  return null;
}

/** A call's input (messages, or a prompt) as one text. */
export function promptText(input: unknown): string | null {
  return Array.isArray(input) ? input.map(messageText).filter((part): part is string => part !== null).join('\n') : messageText(input);
}
