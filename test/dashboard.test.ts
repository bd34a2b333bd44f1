// The server serves the built dashboard at / and its pages, with its assets, without
// shadowing API, gateway or docs paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('dashboard', () => {
  it('serves the app at / and its client pages, publicly, with a strict script policy', async () => {
    for (const path of ['/', '/logs', '/sessions', '/providers', '/compare', '/costs', '/outcomes', '/settings']) {
      const response = await server.request('GET', path, { key: null });
      expect(response.statusCode, path).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).toContain('<div id="root"></div>');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('serves the scripts the page names, and leaves API paths alone', async () => {
    const page = (await server.request('GET', '/', { key: null })).body;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const asset = await server.request('GET', script!, { key: null });
    expect([asset.statusCode, asset.headers['content-type']]).toEqual([200, expect.stringContaining('javascript')]);
    const api = await server.request('GET', '/api/v1/nothing-here');
    expect([api.statusCode, api.json().error.code]).toEqual([404, 'not_found']);
    expect((await server.request('GET', '/api/v1/logs', { key: null })).statusCode).toBe(401);
  });

  it('exchanges a key for an httpOnly SameSite=Strict session cookie that authenticates until the key is revoked', async () => {
    const key = await server.createKey('default', ['read']);
    const bad = await server.request('POST', '/api/v1/session/login', { key: null, body: { key: 'lp_nope_nope_nope_nope_nope_nope' } });
    expect([bad.statusCode, bad.json().error.field]).toEqual([401, 'key']);
    const login = await server.request('POST', '/api/v1/session/login', { key: null, body: { key } });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^loupe_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    const cookie = setCookie.split(';')[0]!;
    expect((await server.request('GET', '/api/v1/logs', { key: null, headers: { cookie } })).statusCode).toBe(200);
    expect((await server.request('POST', '/api/v1/calls', { key: null, headers: { cookie }, body: { provider: 'p', model: 'm' } })).statusCode).toBe(401);
    const tampered = cookie.slice(0, -3) + 'xyz';
    expect((await server.request('GET', '/api/v1/logs', { key: null, headers: { cookie: tampered } })).statusCode).toBe(401);
    const keys = (await server.request('GET', '/api/v1/keys')).json().data as { id: string; prefix: string }[];
    const id = keys.find((entry) => key.startsWith(entry.prefix))!.id;
    await server.request('DELETE', `/api/v1/keys/${id}`);
    expect((await server.request('GET', '/api/v1/logs', { key: null, headers: { cookie } })).statusCode).toBe(401);
  });

  it('lets an admin session read, administer and close outcomes, but never record calls or use the gateway', async () => {
    const login = await server.request('POST', '/api/v1/session/login', { key: null, body: { key: ADMIN_KEY } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await server.request('GET', '/api/v1/keys', { key: null, headers: { cookie } })).statusCode).toBe(200);
    const ingest = await server.request('POST', '/api/v1/calls', { key: null, headers: { cookie }, body: { provider: 'p', model: 'm' } });
    expect([ingest.statusCode, ingest.json().error.code]).toEqual([401, 'unauthorized']);
    const gateway = await server.request('POST', '/v1/chat/completions', { key: null, headers: { cookie }, body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } });
    expect(gateway.statusCode).toBe(401);
    // The one ingest write the dashboard offers: closing an outcome; recording one stays refused.
    expect((await server.request('POST', '/api/v1/calls', { body: { id: 'cookie-call', provider: 'p', model: 'm' } })).statusCode).toBe(201);
    expect((await server.request('POST', '/api/v1/outcomes', { body: { id: 'cookie-outcome', target: 'cookie-call' } })).statusCode).toBe(201);
    expect((await server.request('POST', '/api/v1/outcomes', { key: null, headers: { cookie }, body: { target: 'cookie-call' } })).statusCode).toBe(401);
    const closed = await server.request('PATCH', '/api/v1/outcomes/cookie-outcome', { key: null, headers: { cookie }, body: { status: 'win', value: 3 } });
    expect([closed.statusCode, closed.json().status]).toEqual([200, 'win']);
    const readOnly = String((await server.request('POST', '/api/v1/session/login', { key: null, body: { key: await server.createKey('default', ['read']) } })).headers['set-cookie']).split(';')[0]!;
    const refused = await server.request('PATCH', '/api/v1/outcomes/cookie-outcome', { key: null, headers: { cookie: readOnly }, body: { status: 'loss' } });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'forbidden']);
    const logout = await server.request('POST', '/api/v1/session/logout', { key: null, headers: { cookie } });
    expect(String(logout.headers['set-cookie'])).toMatch(/^loupe_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
  });

  it('signs in only keys that can read, and tells the page whether its cookie still works', async () => {
    const ingestOnly = await server.createKey('default', ['ingest']);
    const refused = await server.request('POST', '/api/v1/session/login', { key: null, body: { key: ingestOnly } });
    expect([refused.statusCode, refused.json().error.field]).toEqual([403, 'key']);
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect((await server.request('GET', '/api/v1/session', { key: null })).json()).toEqual({ signed_in: false });
    expect((await server.request('GET', '/api/v1/session', { key: null, headers: { cookie: 'loupe_session=forged.token' } })).json()).toEqual({ signed_in: false });
    const reader = await server.createKey('team-a', ['read']);
    const login = await server.request('POST', '/api/v1/session/login', { key: null, body: { key: reader } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const session = await server.request('GET', '/api/v1/session', { key: null, headers: { cookie } });
    expect(session.json()).toMatchObject({ signed_in: true, project: 'team-a', scopes: ['read'] });
  });
});
