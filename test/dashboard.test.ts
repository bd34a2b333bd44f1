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
});
