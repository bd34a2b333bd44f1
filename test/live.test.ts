// Live events over a real WebSocket: authentication by first message, project scoping,
// log_created for committed calls, coalesced stats, and slow clients dropped (on real sockets).
import { randomBytes } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_BUFFERED_BYTES } from '../src/api/routes/live-routes.js';
import { callRecordInputSchema } from '../src/domain/call-record.js';
import { normalizeCall } from '../src/domain/normalize-call.js';
import { LiveEventBus, type LiveEvent } from '../src/live/event-bus.js';
import { LivePublisher } from '../src/live/live-publisher.js';
import { ADMIN_KEY, startTestServer, type TestServer, listenOnLoopback } from './helpers/test-server.js';

let server: TestServer;
let url: string;

beforeAll(async () => {
  server = await startTestServer();
  url = `${(await listenOnLoopback(server)).replace(/^http/, 'ws')}/api/v1/live`;
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

  it('refuses a key in the URL even when it is valid', async () => {
    const socket = new WebSocket(`${url}?key=${ADMIN_KEY}`);
    const closed = await new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)));
    expect(closed).toBe(4400);
  });

  it('accepts the dashboard session cookie and the X-API-Key header', async () => {
    const login = await server.request('POST', '/api/v1/session/login', { key: null, body: { key: ADMIN_KEY } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    for (const headers of [{ cookie }, { 'x-api-key': ADMIN_KEY }]) {
      const raw = await rawClient(headers);
      expect(raw.received()).toContain('"type":"connected"');
      raw.socket.destroy();
    }
  });

  it('drops a client that stops reading once its unsent data passes the bound, and keeps serving the others', async () => {
    const fast = await connect(ADMIN_KEY);
    await fast.next('connected');
    const slow = await rawClient({ 'x-api-key': ADMIN_KEY });
    // The slow client stops reading: the kernel buffers fill, then the server's send buffer.
    slow.socket.pause();
    expect(server.liveBus.subscriberCount).toBe(2);
    const blob = 'x'.repeat(64 * 1024);
    let published = 0;
    while (server.liveBus.subscriberCount === 2 && published < 2000) {
      server.liveBus.publish('default', 'log_updated', { n: published, blob });
      published++;
      // Yield so the fast client (same process) reads what it was sent.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.liveBus.subscriberCount).toBe(1);
    // Dropped after passing the bound, not at once: more than a bound's worth was accepted first.
    expect(published * blob.length).toBeGreaterThan(MAX_BUFFERED_BYTES);
    server.liveBus.publish('default', 'log_updated', { n: 'after' });
    const last = await new Promise<Client['events'][number]>((resolve) => {
      const check = () => {
        const found = fast.events.find((event) => event.data.n === 'after');
        if (found) resolve(found);
        else setImmediate(check);
      };
      check();
    });
    expect(last.type).toBe('log_updated');
    expect(fast.events.filter((event) => event.type === 'log_updated')).toHaveLength(published + 1);
    slow.socket.destroy();
    fast.close();
  });
});

/** A WebSocket client on a bare TCP socket, so the test controls whether it reads at all. */
async function rawClient(headers: Record<string, string>): Promise<{ socket: Socket; received(): string }> {
  const { port } = new URL(url.replace('ws:', 'http:'));
  const socket = connectTcp(Number(port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
  const lines = ['GET /api/v1/live HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (received.includes('"type":"connected"')) resolve();
      else if (received && !received.startsWith('HTTP/1.1 101')) reject(new Error(received));
    };
    socket.on('data', check);
    socket.on('close', () => reject(new Error(`closed: ${received}`)));
  });
  return { socket, received: () => received };
}

describe('LivePublisher', () => {
  it('coalesces stats_updated to one event per second per project, with exact sums', () => {
    vi.useFakeTimers();
    try {
      const bus = new LiveEventBus();
      const publisher = new LivePublisher(bus);
      const seen: LiveEvent[] = [];
      bus.subscribe('p1', (event) => seen.push(event));
      const call = (project: string, cost: number | null, status: 'success' | 'error', tokens: number) =>
        normalizeCall(callRecordInputSchema.parse({ provider: 'openai', model: 'gpt-4o', cost_usd: cost, status, prompt_tokens: tokens }), { projectId: project, apiKeyId: null });
      publisher.committed([call('p1', 0.25, 'success', 10), call('p2', 9, 'success', 1)]);
      vi.advanceTimersByTime(500);
      publisher.committed([call('p1', 0.5, 'error', 20), call('p1', null, 'success', 30)]);
      vi.advanceTimersByTime(499);
      expect(seen.map((event) => event.type)).toEqual(['log_created', 'log_created', 'log_created']);
      vi.advanceTimersByTime(1);
      const stats = seen.filter((event) => event.type === 'stats_updated');
      expect(stats.map((event) => event.data)).toEqual([{ window_ms: 1000, new_calls: 3, new_errors: 1, cost_usd: 0.75, total_tokens: 60 }]);
      publisher.committed([call('p1', 1, 'success', 5)]);
      vi.advanceTimersByTime(1000);
      expect(seen.filter((event) => event.type === 'stats_updated').map((event) => (event.data as { new_calls: number }).new_calls)).toEqual([3, 1]);
      publisher.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
