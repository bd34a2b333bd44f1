// GET /api/v1/live: a WebSocket of the caller's project events ({type, data, timestamp}).
// Non-browser clients authenticate with the usual headers or send {"type":"auth","key":"lp_..."}
// first; the dashboard's session cookie also works. Keys never go in URLs (`?key=` is refused).
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.js';
import { hasScope, type ApiKeyRecord } from '../../domain/api-key.js';
import type { LiveEventBus } from '../../live/event-bus.js';
import { presentedSecret } from '../auth-plugin.js';
import { sessionFromCookieHeader } from '../../auth/session-token.js';

/** The parts of a `ws` socket this route uses. */
export interface LiveSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  on(event: 'close', listener: () => void): void;
  once(event: 'message', listener: (data: unknown) => void): void;
}

/** A client whose unsent data passes this is too slow and is dropped. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
const AUTH_TIMEOUT_MS = 5000;

export function attachLiveSocket(socket: LiveSocket, bus: LiveEventBus, key: ApiKeyRecord): void {
  const unsubscribe = bus.subscribe(key.project_id, (event) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      unsubscribe();
      socket.close(1013, 'client too slow: events were dropping');
      return;
    }
    socket.send(JSON.stringify(event));
  });
  socket.on('close', unsubscribe);
  socket.send(JSON.stringify({ type: 'connected', data: { project: key.project_id }, timestamp: new Date().toISOString() }));
}

/** The key named by a first message `{"type":"auth","key":"lp_..."}`, or null. */
function keyInMessage(raw: unknown): string | null {
  try {
    const message = JSON.parse(String(raw)) as { type?: unknown; key?: unknown };
    return message.type === 'auth' && typeof message.key === 'string' ? message.key : null;
  } catch {
    return null;
  }
}

export function registerLiveRoutes(app: FastifyInstance, bus: LiveEventBus, authenticator: Authenticator): void {
  app.get('/api/v1/live', { websocket: true, config: { scope: 'public' }, schema: { tags: ['live'], summary: 'Live events (WebSocket)' } }, async (connection, request) => {
    const socket = connection as unknown as LiveSocket;
    // A key in a URL ends up in logs and histories: refused outright rather than ignored.
    if (new URLSearchParams(request.url.split('?')[1] ?? '').has('key')) {
      socket.close(4400, 'keys never go in URLs: send a header, the session cookie or {"type":"auth","key":"lp_..."}');
      return;
    }
    // Resolves the key however it was presented; a store failure closes this socket only
    // (never an unhandled rejection that would take the process down).
    const accept = async (lookup: () => Promise<ApiKeyRecord | null>, refusal: string): Promise<void> => {
      try {
        const key = await lookup();
        if (key && hasScope(key.scopes, 'read')) attachLiveSocket(socket, bus, key);
        else socket.close(4401, refusal);
      } catch (error) {
        request.log.error({ err: error }, 'live socket authentication failed');
        socket.close(1011, 'could not check the credentials');
      }
    };
    const fromHeaders = presentedSecret(request);
    if (fromHeaders) return accept(() => authenticator.authenticate(fromHeaders), 'an API key with the read scope is required');
    const session = sessionFromCookieHeader(request.headers.cookie);
    if (session) return accept(() => authenticator.authenticateSession(session), 'the session has expired; sign in again');
    const timer = setTimeout(() => socket.close(4401, 'authenticate within 5 s: {"type":"auth","key":"lp_..."}'), AUTH_TIMEOUT_MS);
    socket.on('close', () => clearTimeout(timer));
    socket.once('message', (raw) => {
      clearTimeout(timer);
      const secret = keyInMessage(raw);
      void accept(async () => (secret ? authenticator.authenticate(secret) : null), 'an API key with the read scope is required');
    });
  });
}
