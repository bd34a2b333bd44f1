// Live events over a real WebSocket: authentication by first message, project scoping,
// log_created for committed calls, coalesced stats, and slow clients dropped.
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachLiveSocket, MAX_BUFFERED_BYTES, type LiveSocket } from '../src/api/routes/live-routes.js';
import { LiveEventBus } from '../src/live/event-bus.js';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let url: string;

beforeAll(async () => {
  server = await startTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1/live`;
});
afterAll(async () => {
  await server.close();
});

interface Client {
  events: { type: string; data: Record<string, unknown> }[];
  closed: Promise<{ code: number }>;
  next(type: string): Promise<{ type: string; data: Record<string, unknown> }>;
  close(): void;
}

async function connect(key: string): Promise<Client> {
  const socket = new WebSocket(url);
  const events: Client['events'] = [];
  const waiters: { type: string; resolve: (event: Client['events'][number]) => void }[] = [];
  socket.addEventListener('message', (message) => {
    const event = JSON.parse(String(message.data)) as Client['events'][number];
    events.push(event);
    for (const waiter of waiters.filter((w) => w.type === event.type)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  const closed = new Promise<{ code: number }>((resolve) => socket.addEventListener('close', (event) => resolve({ code: event.code })));
  await new Promise((resolve) => socket.addEventListener('open', resolve));
  socket.send(JSON.stringify({ type: 'auth', key }));
  const client: Client = {
    events, closed,
    next: (type) => {
      const seen = events.find((event) => event.type === type);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ type, resolve }));
    },
    close: () => socket.close(),
  };
  return client;
}

describe('GET /api/v1/live', () => {
  it('delivers log_created and stats_updated to the caller project only', async () => {
    const mine = await connect(ADMIN_KEY);
    const otherKey = await server.createKey('elsewhere', ['read']);
    const theirs = await connect(otherKey);
    await mine.next('connected');
    await theirs.next('connected');
    const response = await server.request('POST', '/api/v1/calls', { body: { id: 'live-1', provider: 'openai', model: 'gpt-4o', prompt_tokens: 5 } });
    expect(response.statusCode).toBe(201);
    const created = await mine.next('log_created');
    expect(created.data).toMatchObject({ id: 'live-1', model: 'gpt-4o', prompt_tokens: 5 });
    const stats = await mine.next('stats_updated');
    expect(stats.data.new_calls).toBe(1);
    await server.request('DELETE', '/api/v1/logs/live-1');
    expect((await mine.next('log_deleted')).data.ids).toEqual(['live-1']);
    expect(theirs.events.map((event) => event.type)).toEqual(['connected']);
    mine.close();
    theirs.close();
  });

  it('closes a connection that presents no valid key', async () => {
    const client = await connect('lp_not_a_real_key_000000000000000000');
    expect((await client.closed).code).toBe(4401);
  });

  it('drops a client whose unsent data exceeds the bound instead of buffering without limit', () => {
    const bus = new LiveEventBus();
    const sent: string[] = [];
    let closedWith: number | null = null;
    let buffered = 0;
    const socket: LiveSocket = {
      readyState: 1, OPEN: 1, get bufferedAmount() { return buffered; },
      send: (data) => sent.push(data), close: (code) => { closedWith = code; }, on: () => undefined, once: () => undefined,
    };
    attachLiveSocket(socket, bus, { id: 'k', project_id: 'p', name: 'k', prefix: 'lp', hash: 'h', scopes: ['read'], created_at: 0, revoked_at: null });
    bus.publish('p', 'log_created', { id: 1 });
    buffered = MAX_BUFFERED_BYTES + 1;
    bus.publish('p', 'log_created', { id: 2 });
    bus.publish('p', 'log_created', { id: 3 });
    expect(closedWith).toBe(1013);
    expect(sent).toHaveLength(2);
    expect(bus.subscriberCount).toBe(0);
  });
});
