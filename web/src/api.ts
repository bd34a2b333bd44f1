// The dashboard's API client. Sign-in exchanges the key for an httpOnly session cookie, so
// requests carry the cookie and the key never stays in the page; a 401 goes back to sign-in.
/** Remembers that this tab signed in (not a secret: the cookie is what authenticates). */
export const SIGNED_IN = 'loupe.signed-in';

export class ApiFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function signedIn(): boolean {
  return sessionStorage.getItem(SIGNED_IN) === 'yes';
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
    if (response.status === 401) window.dispatchEvent(new Event('loupe:logout'));
    throw new ApiFailure(response.status, message);
  }
  return body as T;
}

/** The time range every page shares, kept in the URL (?range=24h). */
export const RANGES = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 } as const;
export type RangeName = keyof typeof RANGES;

export function currentRange(): RangeName {
  const value = new URLSearchParams(location.search).get('range');
  return value && value in RANGES ? (value as RangeName) : '24h';
}

export const formatUsd = (value: unknown) => (typeof value === 'number' ? `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}` : '—');
export const formatMs = (value: unknown) => (typeof value === 'number' ? (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`) : '—');
export const formatCount = (value: unknown) => (typeof value === 'number' ? value.toLocaleString('en') : '—');
export const formatPercent = (value: unknown) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—');
