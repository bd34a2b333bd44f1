// Every route declares the scope it needs in its config; this hook enforces it and attaches
// the caller's key and project to the request. A route without a declared scope, or one the
// route policy (route-policy.ts) does not list with that scope, fails the boot, so no route
// can be public by accident.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasScope, type ApiKeyRecord, type ApiKeyScope } from '../domain/api-key.js';
import type { Authenticator } from '../auth/authenticator.js';
import { ApiError } from './errors.js';
import { sessionFromCookieHeader } from '../auth/session-token.js';
import { ROUTE_POLICY } from './route-policy.js';

export type RouteScope = ApiKeyScope | 'public';

/** Scopes a dashboard session cookie may stand in for. */
const SESSION_SCOPES: ReadonlySet<RouteScope> = new Set(['read', 'admin']);

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: RouteScope;
    /** The dashboard's session may call this route although its scope is not one a session
     * stands in for (closing an outcome is an ingest write the dashboard offers). */
    dashboardWrite?: boolean;
  }
  interface FastifyRequest {
    apiKey: ApiKeyRecord | null;
  }
}

export function presentedSecret(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match) return match[1]!;
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey;
  return null;
}

/** The authenticated key; routes behind a scope always have one. */
export function callerKey(request: FastifyRequest): ApiKeyRecord {
  if (!request.apiKey) throw new ApiError(401, 'unauthorized', 'an API key is required');
  return request.apiKey;
}

export function installAuth(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('apiKey', null);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    if (!route.config?.scope) throw new Error(`route ${String(route.method)} ${route.url} declares no scope`);
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      const key = `${method === 'HEAD' ? 'GET' : method} ${route.url}`;
      const policy = ROUTE_POLICY[key];
      if (!policy) throw new Error(`route ${key} is not in the route policy (src/api/route-policy.ts)`);
      if (policy.scope !== route.config.scope || (policy.dashboardWrite ?? false) !== (route.config.dashboardWrite ?? false)) {
        throw new Error(`route ${key} declares scope '${route.config.scope}'${route.config.dashboardWrite ? ' (dashboard write)' : ''}, the route policy says '${policy.scope}'${policy.dashboardWrite ? ' (dashboard write)' : ''}`);
      }
    }
  });
  // A callback hook rather than an async one: a key found in the authenticator's cache is
  // checked and attached without a promise, so a gateway request does not wait behind other
  // queued work for the microtask hops of an async hook (20–40 µs of latency under load).
  app.addHook('onRequest', (request, _reply, done) => {
    let caller: ApiKeyRecord | Promise<ApiKeyRecord> | null;
    try {
      caller = requiredCaller(request, authenticator);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (caller === null) done();
    else if (caller instanceof Promise) {
      caller.then((key) => {
        request.apiKey = key;
        done();
      }, (error: unknown) => done(error as Error));
    } else {
      request.apiKey = caller;
      done();
    }
  });
}

/**
 * The key a request must present for its route's scope: null for a public route, the key at
 * once when the authenticator has it cached, a promise when the store must be asked. Throws
 * (or rejects) with the 401 or 403 the caller gets.
 */
function requiredCaller(request: FastifyRequest, authenticator: Authenticator): ApiKeyRecord | Promise<ApiKeyRecord> | null {
  const scope = request.routeOptions.config?.scope ?? (request.url.startsWith('/docs') ? 'public' : undefined);
  if (scope === 'public' || scope === undefined) return null;
  const secret = presentedSecret(request);
  // The dashboard's session cookie stands in for a key (SameSite=Strict: never sent cross-site),
  // but only where the dashboard needs it: reading and administering, and the few writes it
  // offers; never recording calls or the gateway.
  const sessionAllowed = SESSION_SCOPES.has(scope) || request.routeOptions.config?.dashboardWrite === true;
  const session = secret || !sessionAllowed ? null : sessionFromCookieHeader(request.headers.cookie);
  if (!secret && !session) throw new ApiError(401, 'unauthorized', 'an API key is required (Authorization: Bearer lp_... or X-API-Key)');
  const cached = secret ? authenticator.authenticateFromCache(secret) : undefined;
  if (cached !== undefined) return permitted(cached, scope);
  const lookup = secret ? authenticator.authenticate(secret) : authenticator.authenticateSession(session!);
  return lookup.then((key) => permitted(key, scope));
}

function permitted(key: ApiKeyRecord | null, scope: ApiKeyScope): ApiKeyRecord {
  if (!key) throw new ApiError(401, 'unauthorized', 'the API key is unknown, revoked or expired');
  if (!hasScope(key.scopes, scope)) throw new ApiError(403, 'forbidden', `this key lacks the '${scope}' scope`);
  return key;
}
