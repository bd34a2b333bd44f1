// A real HTTP server that stands in for an LLM provider: it records each request and
// replays a recorded fixture (JSON body, or SSE chunks one per line), or answers a given
// status, body and headers. Tests point a configured provider's base_url at it.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeAnswer =
  | { kind: 'json'; status?: number; body: string; headers?: Record<string, string>; delayMs?: number; /** Answer only once this settles. */ gate?: Promise<unknown> }
  | { kind: 'sse'; chunks: string[]; delayMs?: number; /** Destroy the socket after this many chunks. */ dropAfter?: number; contentType?: string };

export interface FakeUpstream {
  baseUrl: string;
  requests: RecordedRequest[];
  /** The answer for the next requests (until changed). */
  respondWith(answer: FakeAnswer): void;
  /** Resolves when a streamed answer ended, with whether the client closed it early. */
  lastStreamClosedEarly(): Promise<boolean>;
  close(): Promise<void>;
}

export function fixture(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, 'utf8');
}

/** SSE events of a verbatim `.sse` fixture (events separated by blank lines), one chunk each. */
export function sseWireFixture(path: string): string[] {
  return fixture(path).split('\n\n').filter((event) => event.trim().length > 0).map((event) => `${event}\n\n`);
}

/** NDJSON lines of a fixture, one chunk each (newline kept). */
export function ndjsonFixture(path: string): string[] {
  return fixture(path).split('\n').filter((line) => line.length > 0).map((line) => `${line}\n`);
}

/** SSE chunks of a `.chunks.txt` fixture: one raw event per line, sent with its blank line. */
export function sseFixture(path: string): string[] {
  return fixture(path).split('\n').filter((line) => line.length > 0).map((line) => `${line}\n\n`);
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  let answer: FakeAnswer = { kind: 'json', body: '{}' };
  let streamEnded: Promise<boolean> = Promise.resolve(false);
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(parts).toString('utf8') });
      const current = answer;
      if (current.kind === 'json') {
        const answer = () => setTimeout(() => {
          response.writeHead(current.status ?? 200, { 'content-type': 'application/json', ...current.headers });
          response.end(current.body);
        }, current.delayMs ?? 0);
        if (current.gate) void current.gate.then(answer);
        else answer();
        return;
      }
      response.writeHead(200, { 'content-type': current.contentType ?? 'text/event-stream' });
      streamEnded = new Promise((resolve) => {
        let index = 0;
        let closedEarly = false;
        response.on('close', () => {
          closedEarly = !response.writableFinished;
          resolve(closedEarly);
        });
        const next = () => {
          if (closedEarly || response.destroyed) return;
          if (current.dropAfter !== undefined && index >= current.dropAfter) {
            response.socket?.destroy();
            return;
          }
          if (index >= current.chunks.length) {
            response.end();
            return;
          }
          response.write(current.chunks[index++]);
          setTimeout(next, current.delayMs ?? 0);
        };
        next();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    respondWith: (next) => {
      answer = next;
    },
    lastStreamClosedEarly: () => streamEnded,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
