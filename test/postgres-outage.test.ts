// PostgreSQL becoming unreachable under a running server (a TCP relay in front of it is cut):
// ingestion answers 503 with Retry-After, never an acknowledgement of what was not stored, and
// /health reports the store down; when the relay is back, the same request is stored once.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from './helpers/pg-test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly target: { host: string; port: number }, readonly port: number) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = null;
  }
}

let schema: PgTestSchema;
let relay: Relay;
let server: TestServer;

beforeAll(async () => {
  schema = await createPgTestSchema();
  const url = new URL(schema.url);
  const probe = createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
  await new Promise((resolve) => probe.close(resolve));
  relay = new Relay({ host: url.hostname, port: Number(url.port || 5432) }, port);
  await relay.open();
  url.host = `127.0.0.1:${port}`;
  server = await startTestServer({ database_url: url.toString() }, 'postgres');
});
afterAll(async () => {
  await server?.close().catch(() => undefined);
  await relay?.cut();
  await schema?.drop();
});

describe('PostgreSQL unreachable', () => {
  it('ingestion answers 503 with Retry-After, then stores the retried batch exactly once', async () => {
    const body = [{ id: 'outage-1', provider: 'openai', model: 'gpt-4o' }, { id: 'outage-2', provider: 'openai', model: 'gpt-4o' }];
    expect((await server.request('POST', '/api/v1/calls', { body: [{ id: 'before', provider: 'openai', model: 'gpt-4o' }] })).statusCode).toBe(200);
    await relay.cut();
    const refused = await server.request('POST', '/api/v1/calls', { body });
    expect(refused.statusCode, refused.body).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json().error.code).toBe('store_unavailable');
    expect((await server.request('GET', '/health', { key: null })).statusCode).toBe(503);
    await relay.open();
    const stored = await server.request('POST', '/api/v1/calls', { body });
    expect(stored.statusCode, stored.body).toBe(200);
    expect(stored.json().created).toBe(2);
    const again = await server.request('POST', '/api/v1/calls', { body });
    expect(again.json().duplicates).toBe(2);
    expect(await server.store.calls.count('default')).toBe(3);
  });
});
