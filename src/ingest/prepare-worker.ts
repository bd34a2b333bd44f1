// Worker thread entry: parses and prepares large ingestion bodies off the event loop, so
// the main thread only prices, appends and answers.
import { parentPort } from 'node:worker_threads';
import type { CallContext } from '../domain/normalize-call.js';
import { BodyError, parseCallsBody } from './parse-calls-body.js';
import { prepareCalls, type PreparedCalls } from './prepare-calls.js';
import type { PrepareReply, PrepareRequest } from './prepare-pool.js';

const decoder = new TextDecoder();

/**
 * The stores write input and output from their JSON text (inputJson/outputJson), and nothing
 * on the main thread reads the parsed objects, so they are dropped before the reply is copied
 * across threads: the copy of a record's message objects cost as much as the rest of it.
 */
function withoutParsedContent(prepared: PreparedCalls): PreparedCalls {
  for (const write of prepared.writes) {
    if (write.inputJson !== undefined) write.call.input = null;
    if (write.outputJson !== undefined) write.call.output = null;
  }
  return prepared;
}

function handle(request: PrepareRequest): PrepareReply {
  try {
    const { single, items } = parseCallsBody(decoder.decode(request.body), request.maxItems);
    return { id: request.id, ok: true, single, prepared: withoutParsedContent(prepareCalls(items, request.context as CallContext)) };
  } catch (error) {
    if (error instanceof BodyError) return { id: request.id, ok: false, code: error.code, message: error.message, field: error.field };
    return { id: request.id, ok: false, code: 'internal', message: (error as Error).message };
  }
}

parentPort?.on('message', (request: PrepareRequest) => parentPort!.postMessage(handle(request)));
