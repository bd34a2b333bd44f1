// GET /api/v1/live: a WebSocket of the caller's project events ({type, data, timestamp}).
// Non-browser clients authenticate with the usual headers; browsers, which cannot set
// headers on a WebSocket, send {"type":"auth","key":"lp_..."} first. Keys never go in URLs.
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

export function registerLiveRoutes(app: FastifyInstance, bus: LiveEventBus, authenticator: Authenticator): void {
  app.get('/api/v1/live', { websocket: true, config: { scope: 'public' }, schema: { tags: ['live'], summary: 'Live events (WebSocket)' } }, async (connection, request) => {
    const socket = connection as unknown as LiveSocket;
    const accept = async (secret: string | null): Promise<boolean> => {
      const key = secret ? await authenticator.authenticate(secret) : null;
      if (!key || !hasScope(key.scopes, 'read')) {
        socket.close(4401, 'an API key with the read scope is required');
        return false;
      }
      attachLiveSocket(socket, bus, key);
      return true;
    };
    const fromHeaders = presentedSecret(request);
    if (fromHeaders) {
      await accept(fromHeaders);
      return;
    }
    const session = sessionFromCookieHeader(request.headers.cookie);
    if (session) {
      const key = await authenticator.authenticateSession(session);
      if (key && hasScope(key.scopes, 'read')) attachLiveSocket(socket, bus, key);
      else socket.close(4401, 'the session has expired; sign in again');
      return;
    }
    const timer = setTimeout(() => socket.close(4401, 'authenticate within 5 s: {"type":"auth","key":"lp_..."}'), AUTH_TIMEOUT_MS);
    socket.once('message', (raw) => {
      clearTimeout(timer);
      let key: string | null = null;
      try {
        const message = JSON.parse(String(raw)) as { type?: unknown; key?: unknown };
        if (message.type === 'auth' && typeof message.key === 'string') key = message.key;
      } catch {
        // not JSON: refused below
      }
      void accept(key);
    });
  });
}
