// Dashboard sessions: a signed, expiring token naming an API key, carried in an httpOnly
// SameSite=Strict cookie so the key itself never sits in the browser.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'loupe_session';
export const SESSION_TTL_MS = 12 * 3_600_000;

interface SessionClaims {
  k: string;
  p: string;
  e: number;
}

export function signSession(secret: Buffer, keyId: string, projectId: string, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ k: keyId, p: projectId, e: now + SESSION_TTL_MS } satisfies SessionClaims)).toString('base64url');
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export function verifySession(secret: Buffer, token: string, now = Date.now()): { keyId: string; projectId: string } | null {
  const [body, mac] = token.split('.');
  if (!body || !mac || token.length > 1024) return null;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
    if (typeof claims.k !== 'string' || typeof claims.p !== 'string' || typeof claims.e !== 'number' || claims.e < now) return null;
    return { keyId: claims.k, projectId: claims.p };
  } catch {
    return null;
  }
}

export function sessionFromCookieHeader(header: string | undefined): string | null {
  if (!header) return null;
  const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(header);
  return match ? decodeURIComponent(match[1]!) : null;
}
