// Worker thread entry: owns the embedded DuckDB store (the one instance of its file in this
// process, readers included) and answers the main thread's port calls, so DuckDB's synchronous
// work (the appender's row building and flush, result conversion) never blocks the event loop
// that serves HTTP and the gateway.
import { parentPort, workerData } from 'node:worker_threads';
import { writeFromWire } from '../call-write-wire.js';
import { openDuckDbStore, type DuckDbStoreOptions } from '../duckdb/duckdb-store.js';
import type { Store } from '../ports.js';
import { isPortMethod, type OpenedMessage, type StoreReply, type StoreRequest } from './protocol.js';
import { toWireError } from './wire-error.js';

type PortMethod = (...args: unknown[]) => Promise<unknown>;

async function dispatch(store: Store, request: Exclude<StoreRequest, { kind: 'close' }>): Promise<unknown> {
  switch (request.kind) {
    case 'insert':
      return store.calls.insertBatch(request.writes.map(writeFromWire));
    case 'ping':
      return store.ping();
    case 'call': {
      if (!isPortMethod(request.repository, request.method)) return Promise.reject(new Error(`${request.repository}.${request.method} is not a store method`));
      const repository = store[request.repository as keyof Store] as unknown as Record<string, PortMethod>;
      return repository[request.method]!.apply(repository, request.args);
    }
  }
}

async function serve(port: NonNullable<typeof parentPort>): Promise<void> {
  let store: Store;
  try {
    store = await openDuckDbStore(workerData as DuckDbStoreOptions);
  } catch (error) {
    port.postMessage({ opened: false, error: toWireError(error) } satisfies OpenedMessage);
    port.close();
    return;
  }
  const underWay = new Set<Promise<unknown>>();
  const reply = (message: StoreReply) => {
    try {
      port.postMessage(message);
    } catch (error) {
      // A value the structured clone cannot copy fails its request, not the worker.
      port.postMessage({ id: message.id, ok: false, error: toWireError(error) } satisfies StoreReply);
    }
  };
  port.on('message', (request: StoreRequest) => {
    if (request.kind === 'close') {
      void (async () => {
        await Promise.allSettled([...underWay]);
        try {
          await store.close();
          reply({ id: request.id, ok: true, value: undefined });
        } catch (error) {
          reply({ id: request.id, ok: false, error: toWireError(error) });
        }
        port.close();
      })();
      return;
    }
    const work = dispatch(store, request).then(
      (value) => reply({ id: request.id, ok: true, value }),
      (error: unknown) => reply({ id: request.id, ok: false, error: toWireError(error) }),
    );
    underWay.add(work);
    void work.finally(() => underWay.delete(work));
  });
  port.postMessage({ opened: true } satisfies OpenedMessage);
}

if (parentPort) await serve(parentPort);
