// The route × scope policy, route by route against the running server: without a key every
// protected route answers 401, with a key holding every scope but the one it needs 403; the
// dashboard's session cookie passes exactly where the policy lets it; public routes need
// nothing; and the API's own OpenAPI document lists no route the policy does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../src/domain/api-key.js';
import { ROUTE_POLICY } from '../src/api/route-policy.js';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let cookie: string;
const allBut = new Map<ApiKeyScope, string>();
const SCOPES: ApiKeyScope[] = ['read', 'ingest', 'gateway', 'admin'];

beforeAll(async () => {
  server = await startTestServer();
  for (const scope of SCOPES) {
    // Admin holds every scope, so "all but" a scope never includes admin.
    allBut.set(scope, await server.createKey('default', SCOPES.filter((other) => other !== scope && other !== 'admin')));
  }
  cookie = String((await server.request('POST', '/api/v1/session/login', { key: null, body: { key: ADMIN_KEY } })).headers['set-cookie']).split(';')[0]!;
});
afterAll(async () => server.close());

const entries = Object.entries(ROUTE_POLICY).map(([key, policy]) => {
  const [method, url] = key.split(' ') as [string, string];
  return { key, method, url: url.replace(/:[a-z_]+/g, 'policy-probe').replace('/*', '/policy-probe'), policy };
});
const send = (method: string, url: string, options: { key?: string | null; headers?: Record<string, string> }) =>
  server.request(method, url, { ...options, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });

describe('route policy', () => {
  it('refuses every protected route without a key (401) and with a key lacking its scope (403)', async () => {
    const wrong: string[] = [];
    for (const { key, method, url, policy } of entries) {
      if (policy.scope === 'public') continue;
      const anonymous = await send(method, url, { key: null });
      const lacking = await send(method, url, { key: allBut.get(policy.scope)! });
      if (anonymous.statusCode !== 401 || lacking.statusCode !== 403) wrong.push(`${key}: ${anonymous.statusCode} without a key, ${lacking.statusCode} without '${policy.scope}'`);
    }
    expect(wrong).toEqual([]);
    expect(entries.filter((entry) => entry.policy.scope !== 'public').length).toBeGreaterThan(80);
  });

  it("lets the dashboard's session stand in for a key only on reading, administering and the writes marked for it", async () => {
    const wrong: string[] = [];
    for (const { key, method, url, policy } of entries) {
      if (policy.scope === 'public') continue;
      const allowed = policy.scope === 'read' || policy.scope === 'admin' || policy.dashboardWrite === true;
      const status = (await send(method, url, { key: null, headers: { cookie } })).statusCode;
      if (allowed !== (status !== 401 && status !== 403)) wrong.push(`${key}: ${status} with the admin session`);
    }
    expect(wrong).toEqual([]);
  });

  it('serves its public routes without any credentials', async () => {
    const wrong: string[] = [];
    for (const { key, method, url, policy } of entries) {
      if (policy.scope !== 'public') continue;
      const status = (await send(method, url, { key: null })).statusCode;
      if (status === 401 || status === 403 || status >= 500) wrong.push(`${key}: ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lists every route of the OpenAPI document', async () => {
    const spec = (await server.request('GET', '/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`));
    expect(documented.length).toBeGreaterThan(80);
    expect(documented.filter((route) => !route.startsWith('HEAD ') && !(route in ROUTE_POLICY))).toEqual([]);
  });
});
