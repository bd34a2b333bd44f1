// The time range every page shares, kept in the URL (?range=24h, or
// ?range=custom&from=…&to=…) so a link or a reload shows the same period.
export const RANGES = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 } as const;
export type PresetName = keyof typeof RANGES;

export interface TimeRange {
  name: PresetName | 'custom';
  /** Query parameters for the API's common filters (`hours=` or `from=&to=`). */
  query: string;
  hours: number;
  from?: string;
  to?: string;
}

export function presetRange(name: PresetName): TimeRange {
  return { name, query: `hours=${RANGES[name]}`, hours: RANGES[name] };
}

export function customRange(fromMs: number, toMs: number): TimeRange | null {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) return null;
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  return { name: 'custom', query: `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, hours: (toMs - fromMs) / 3_600_000, from, to };
}

export function currentRange(search: string = location.search): TimeRange {
  const params = new URLSearchParams(search);
  const name = params.get('range');
  if (name === 'custom') {
    const custom = customRange(Date.parse(params.get('from') ?? ''), Date.parse(params.get('to') ?? ''));
    if (custom) return custom;
  }
  return presetRange(name !== null && name in RANGES ? (name as PresetName) : '24h');
}

/** The search string that carries a range to another page. */
export function rangeSearch(range: TimeRange): string {
  if (range.name !== 'custom') return `?range=${range.name}`;
  return `?range=custom&from=${encodeURIComponent(range.from ?? '')}&to=${encodeURIComponent(range.to ?? '')}`;
}

/** Whole days covering the range, for routes that count in days (savings). */
export function rangeDays(range: TimeRange): number {
  return Math.max(1, Math.ceil(range.hours / 24));
}
