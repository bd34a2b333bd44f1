// The server serves the built dashboard at / and its pages, with its assets, without
// shadowing API, gateway or docs paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('dashboard', () => {
  it('serves the app at / and its client pages, publicly, with a strict script policy', async () => {
    for (const path of ['/', '/logs', '/sessions', '/providers', '/costs', '/outcomes', '/settings']) {
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
    expect((await server.request('POST', '/api/v1/calls', { key: null, headers: { cookie }, body: { provider: 'p', model: 'm' } })).statusCode).toBe(403);
    const tampered = cookie.slice(0, -3) + 'xyz';
    expect((await server.request('GET', '/api/v1/logs', { key: null, headers: { cookie: tampered } })).statusCode).toBe(401);
    const keys = (await server.request('GET', '/api/v1/keys')).json().data as { id: string; prefix: string }[];
    const id = keys.find((entry) => key.startsWith(entry.prefix))!.id;
    await server.request('DELETE', `/api/v1/keys/${id}`);
    expect((await server.request('GET', '/api/v1/logs', { key: null, headers: { cookie } })).statusCode).toBe(401);
  });
});
