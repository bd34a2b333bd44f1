// A real node:http server that stands in for an LLM provider: it records every request and
// replays a recorded fixture chunk by chunk (optionally slowly, or dropping the connection),
// or answers a given status, body and headers. Tests point a provider's base URL at it.
//
//   const upstream = await startFakeUpstream();          // baseUrl = http://127.0.0.1:<port>/v1
//   upstream.respondWith(replay('openai/chat-stream.chunks.txt'));          // every next request
//   upstream.enqueue(statusAnswer(429, fixture('openai/error-429.json'), { 'retry-after': '2' }));
//   ... call Loupe ...;  upstream.requests[0].json()  // what Loupe sent upstream
//   await upstream.close();
//
// Answers: `json` (status + body + headers; also HTML or empty bodies, or a `gate` promise
// that holds the answer), `sse` (chunks written one per write; `delayMs` between writes,
// `dropAfter` destroys the socket after that many chunks; any content type, so NDJSON too).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { EventStreamCodec } from '@smithy/eventstream-codec';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface RecordedRequest {
  method: string;
  /** Path and query as received (`/v1/chat/completions`). */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json(): unknown;
}

export type FakeAnswer =
  | {
      kind: 'json';
      status?: number;
      body: string;
      headers?: Record<string, string>;
      delayMs?: number;
      /** Answer only once this settles. */
      gate?: Promise<unknown>;
    }
  | {
      kind: 'sse';
      chunks: ReadonlyArray<string | Uint8Array>;
      delayMs?: number;
      /** Destroy the socket after this many chunks. */
      dropAfter?: number;
      contentType?: string;
      status?: number;
      headers?: Record<string, string>;
    };

export interface FakeUpstream {
  /** Base URL with `/v1`, as an OpenAI-compatible provider's. */
  baseUrl: string;
  /** Base URL without a path (Ollama native). */
  origin: string;
  requests: RecordedRequest[];
  /** The answer for the next requests (until changed); queued answers go first. */
  respondWith(answer: FakeAnswer): void;
  /** Answers for the next requests, one each, in order (e.g. a 429 then a success). */
  enqueue(...answers: FakeAnswer[]): void;
  /** Resolves when the last streamed answer ended, with whether the client closed it early. */
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

/**
 * The exact wire chunks of any stream fixture (see test/fixtures/README.md): `.chunks.txt`
 * one SSE event a line (a line ending in `\` is sent cut, without its terminator); `.sse`
 * verbatim, one event a chunk, an unterminated tail kept as is; `.ndjson` one line a chunk.
 */
export function wireChunks(path: string): string[] {
  const text = fixture(path);
  if (path.endsWith('.chunks.txt')) {
    return text.split('\n').filter((line) => line.length > 0).map((line) => (line.endsWith('\\') ? line.slice(0, -1) : `${line}\n\n`));
  }
  const pattern = path.endsWith('.ndjson') ? /[^\n]*\n|[^\n]+$/g : /[\s\S]*?\n\n|[\s\S]+$/g;
  return (text.match(pattern) ?? []).filter((chunk) => chunk.trim().length > 0);
}

const eventStreamCodec = new EventStreamCodec((bytes) => new TextDecoder().decode(bytes), (text) => new TextEncoder().encode(text));

/**
 * The messages of an `.events.jsonl` fixture (AWS's binary event stream, as Bedrock's
 * ConverseStream sends it: one message a line, `{headers, body}`), each encoded by AWS's own codec.
 */
export function eventStreamChunks(path: string): Uint8Array[] {
  return fixture(path).split('\n').filter((line) => line.trim().length > 0).map((line) => {
    const { headers, body } = JSON.parse(line) as { headers: Record<string, string>; body: unknown };
    const typed = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { type: 'string' as const, value }]));
    return eventStreamCodec.encode({ headers: typed, body: new TextEncoder().encode(JSON.stringify(body)) });
  });
}

/** The whole wire of any stream fixture as bytes. */
export function wireBytes(path: string): Uint8Array {
  return path.endsWith('.events.jsonl') ? Buffer.concat(eventStreamChunks(path)) : new TextEncoder().encode(wireText(path));
}

/** The whole wire of a stream fixture as one string (what the upstream sends in total). */
export function wireText(path: string): string {
  return wireChunks(path).join('');
}

/** Replays a stream fixture; NDJSON fixtures get Ollama's content type, event stream fixtures AWS's. */
export function replay(path: string, options: { delayMs?: number; dropAfter?: number } = {}): FakeAnswer {
  if (path.endsWith('.events.jsonl')) return { kind: 'sse', chunks: eventStreamChunks(path), contentType: 'application/vnd.amazon.eventstream', ...options };
  const contentType = path.endsWith('.ndjson') ? 'application/x-ndjson' : 'text/event-stream';
  return { kind: 'sse', chunks: wireChunks(path), contentType, ...options };
}

/** A whole answer: status, body (a fixture's text, HTML, anything) and headers. */
export function statusAnswer(status: number, body: string, headers: Record<string, string> = {}): FakeAnswer {
  const contentType = body.trimStart().startsWith('<') ? 'text/html' : 'application/json';
  return { kind: 'json', status, body, headers: { 'content-type': contentType, ...headers } };
}

function recordRequest(method: string, path: string, headers: IncomingHttpHeaders, body: string): RecordedRequest {
  return { method, path, headers, body, json: () => JSON.parse(body) as unknown };
}

function answerWhole(response: ServerResponse, answer: Extract<FakeAnswer, { kind: 'json' }>): void {
  const write = () =>
    setTimeout(() => {
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body);
    }, answer.delayMs ?? 0);
  if (answer.gate) void answer.gate.then(write);
  else write();
}

function answerStream(response: ServerResponse, answer: Extract<FakeAnswer, { kind: 'sse' }>): Promise<boolean> {
  response.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'text/event-stream', ...answer.headers });
  response.flushHeaders();
  return new Promise((resolve) => {
    let index = 0;
    let closedEarly = false;
    response.on('close', () => {
      closedEarly = !response.writableFinished;
      resolve(closedEarly);
    });
    const next = () => {
      if (closedEarly || response.destroyed) return;
      if (answer.dropAfter !== undefined && index >= answer.dropAfter) {
        response.socket?.destroy();
        return;
      }
      const chunk = answer.chunks[index];
      if (chunk === undefined) {
        response.end();
        return;
      }
      index += 1;
      response.write(chunk);
      setTimeout(next, answer.delayMs ?? 0);
    };
    next();
  });
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const queue: FakeAnswer[] = [];
  let answer: FakeAnswer = { kind: 'json', body: '{}' };
  let streamEnded: Promise<boolean> = Promise.resolve(false);
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      requests.push(recordRequest(request.method ?? '', request.url ?? '', request.headers, Buffer.concat(parts).toString('utf8')));
      const current = queue.shift() ?? answer;
      if (current.kind === 'json') answerWhole(response, current);
      else streamEnded = answerStream(response, current);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    respondWith: (next) => {
      answer = next;
    },
    enqueue: (...answers) => {
      queue.push(...answers);
    },
    lastStreamClosedEarly: () => streamEnded,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a stream transform made of a whole wire, read in the given pieces. */
export interface TransformRun {
  forwarded: string;
  steps: import('../../src/providers/kit/adapter.js').StreamStep[];
  observations: import('../../src/providers/kit/adapter.js').StreamObservations;
}

/** Feeds wire pieces through a stream transform as network reads would, then ends it. */
export function runTransform(transform: import('../../src/providers/kit/adapter.js').StreamTransform, pieces: readonly Uint8Array[]): TransformRun {
  const steps = pieces.map((piece) => transform.push(piece));
  steps.push(transform.end());
  const forwarded = Buffer.concat(steps.map((one) => one.forward)).toString('utf8');
  return { forwarded, steps, observations: transform.observations };
}

/** An OpenAI provider of the gateway served by a fake upstream, without retries. */
export function openAiProviderAt(upstream: FakeUpstream, models: string[] = ['gpt-4o']) {
  return { name: 'openai', type: 'openai', base_url: upstream.baseUrl, api_key: 'sk-openai', models, max_retries: 0 };
}
