// Worker thread entry: parses and prepares large ingestion bodies off the event loop, so
// the main thread only prices, appends and answers.
import { parentPort } from 'node:worker_threads';
import type { CallContext } from '../domain/normalize-call.js';
import { BodyError, parseCallsBody } from './parse-calls-body.js';
import { prepareCalls } from './prepare-calls.js';
import type { PrepareReply, PrepareRequest } from './prepare-pool.js';
import { toWire } from './prepared-wire.js';

const decoder = new TextDecoder();

function handle(request: PrepareRequest): PrepareReply {
  try {
    const { single, items } = parseCallsBody(decoder.decode(request.body), request.maxItems);
    return { id: request.id, ok: true, single, prepared: toWire(prepareCalls(items, request.context as CallContext, request.options)) };
  } catch (error) {
    if (error instanceof BodyError) return { id: request.id, ok: false, code: error.code, message: error.message, field: error.field };
    return { id: request.id, ok: false, code: 'internal', message: (error as Error).message };
  }
}

parentPort?.on('message', (request: PrepareRequest) => parentPort!.postMessage(handle(request)));
