// The headers every Anthropic request carries: the API version Loupe speaks, and the key.
export const ANTHROPIC_VERSION = '2023-06-01';

export function anthropicHeaders(apiKey: string | undefined): Record<string, string> {
  return { 'anthropic-version': ANTHROPIC_VERSION, ...(apiKey ? { 'x-api-key': apiKey } : {}) };
}
