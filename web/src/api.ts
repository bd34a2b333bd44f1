// The dashboard's API client. Sign-in exchanges the key for an httpOnly session cookie, so
// requests carry the cookie and the key never stays in the page; a 401 goes back to sign-in.
/** Remembers that this tab signed in, and as whom (not a secret: the cookie authenticates). */
export const SIGNED_IN = 'loupe.signed-in';

export class ApiFailure extends Error {
  constructor(readonly status: number, message: string, readonly path: string, readonly code: string | null) {
    super(message);
  }

  /** The server has no such route (an older or partial server), as opposed to a missing record. */
  get routeMissing(): boolean {
    return this.status === 404 && (this.code === null || this.message.startsWith('no route'));
  }
}

export function signedIn(): boolean {
  return sessionStorage.getItem(SIGNED_IN) !== null;
}

/** Who signed in: the login answer, kept for display and to hide what the key cannot do. */
export interface SessionInfo { project: string; scopes: string[]; name: string }

export function sessionInfo(): SessionInfo {
  try {
    const info = JSON.parse(sessionStorage.getItem(SIGNED_IN) ?? '') as SessionInfo;
    if (typeof info.project === 'string' && Array.isArray(info.scopes)) return info;
  } catch {
    // Older or missing entry: assume a read key; the server decides anyway.
  }
  return { project: '?', scopes: ['read'], name: '' };
}

export function canAdmin(): boolean {
  return sessionInfo().scopes.includes('admin');
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): reported by status below.
  }
  if (!response.ok) {
    const error = (body as { error?: { message?: string; code?: string } } | null)?.error;
    if (response.status === 401) window.dispatchEvent(new Event('loupe:logout'));
    throw new ApiFailure(response.status, error?.message ?? `HTTP ${response.status}`, path.split('?')[0] ?? path, error?.code ?? null);
  }
  return body as T;
}

export const formatUsd = (value: unknown) => (typeof value === 'number' ? `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}` : '—');
export const formatMs = (value: unknown) => (typeof value === 'number' ? (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`) : '—');
export const formatCount = (value: unknown) => (typeof value === 'number' ? value.toLocaleString('en') : '—');
/** An outcome's value (P&L or reward), in the caller's own unit. */
export const formatValue = (value: unknown) => (typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: 2 }) : '—');
export const formatPercent = (value: unknown) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—');
