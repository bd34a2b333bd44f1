// Starts the real Loupe server in-process on an in-memory store (or, with
// LOUPE_TEST_STORE=postgres or `engine: 'postgres'`, on a PostgreSQL schema of its own), with
// an admin key, for integration tests that talk HTTP to it through app.inject().
import type { LightMyRequestResponse } from 'fastify';
import { uuidv7 } from 'uuidv7';
import { hashKeySecret, keyPrefix } from '../../src/auth/api-key-secret.js';
import { configSchema } from '../../src/config/schema.js';
import type { ApiKeyScope } from '../../src/domain/api-key.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createPgTestSchema } from './pg-test-database.js';

export const ADMIN_KEY = 'lp_test_admin_key_0123456789abcdef';

export interface TestServer extends RunningServer {
  request(method: string, url: string, options?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Creates a key directly in the store, in any project. */
  createKey(projectId: string, scopes: ApiKeyScope[]): Promise<string>;
}

export type TestEngine = 'duckdb' | 'postgres';

/** Makes the server listen on a free loopback port (once); its base URL, http://127.0.0.1:<port>. */
export async function listenOnLoopback(server: TestServer): Promise<string> {
  if (!server.app.server.listening) await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

export function defaultTestEngine(): TestEngine {
  return process.env.LOUPE_TEST_STORE === 'postgres' ? 'postgres' : 'duckdb';
}

export async function startTestServer(overrides: Record<string, unknown> = {}, engine: TestEngine = defaultTestEngine()): Promise<TestServer> {
  const schema = engine === 'postgres' && overrides.database_url === undefined ? await createPgTestSchema() : null;
  const config = configSchema.parse({ data_dir: ':memory:', admin_key: ADMIN_KEY, log_level: 'silent', port: 0, ...(schema ? { database_url: schema.url } : {}), ...overrides });
  const started = await startServer(config, { listen: false }).catch(async (error: unknown) => {
    await schema?.drop();
    throw error;
  });
  const server: RunningServer = schema ? { ...started, close: async () => { await started.close(); await schema.drop(); } } : started;
  let keyCounter = 0;
  return {
    ...server,
    request: (method, url, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? ADMIN_KEY : options.key;
      if (key) headers.authorization = `Bearer ${key}`;
      const body = options.body;
      if (body !== undefined && typeof body !== 'string') headers['content-type'] ??= 'application/json';
      return server.app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    },
    createKey: async (projectId, scopes) => {
      await server.store.projects.ensure(projectId, projectId);
      const secret = `lp_test_${projectId}_${scopes.join('_')}_${++keyCounter}_padding_padding`;
      await server.store.apiKeys.insert({
        id: uuidv7(), project_id: projectId, name: `test ${keyCounter}`, prefix: keyPrefix(secret),
        hash: hashKeySecret(secret), scopes, created_at: Date.now(), revoked_at: null,
      });
      return secret;
    },
  };
}
