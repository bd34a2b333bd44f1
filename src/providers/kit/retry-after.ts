// Reads how long an upstream asks us to wait: `retry-after-ms` (OpenAI) wins over
// `retry-after`, which is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export function readHeader(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}

export function parseRetryAfterMs(headers: HeaderBag, nowMs: number): number | null {
  const milliseconds = readHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined) {
    const value = Number(milliseconds.trim());
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const header = readHeader(headers, 'retry-after')?.trim();
  if (!header) return null;
  if (/^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
