// Liveness with store reachability; public so load balancers can probe it.
import type { FastifyInstance } from 'fastify';
import type { Recorder } from '../../recorder/recorder.js';
import type { Store } from '../../store/ports.js';

async function storeReachable(store: Store): Promise<boolean> {
  try {
    await store.ping();
    return true;
  } catch {
    return false;
  }
}

export function registerHealthRoutes(app: FastifyInstance, store: Store, recorder: Recorder, version: string): void {
  // For a load balancer in front of gateway traffic: an instance whose store is down still
  // serves the gateway while its spool has room, so /health's 503 would pull it for nothing.
  app.get('/health/gateway', {
    config: { scope: 'public' },
    schema: { tags: ['ops'], summary: 'Whether this instance serves gateway calls and records them (in the store, or in its spool during an outage)' },
    handler: async (_request, reply) => {
      const spool = recorder.spool?.stats() ?? null;
      const recording = (await storeReachable(store)) ? 'store' : spool && spool.bytes < spool.max_bytes ? 'spool' : 'none';
      return reply.code(recording === 'none' ? 503 : 200).send({ status: recording === 'store' ? 'ok' : recording === 'spool' ? 'degraded' : 'unavailable', version, recording, spool });
    },
  });

  app.get('/health', {
    config: { scope: 'public' },
    schema: { tags: ['ops'], summary: 'Liveness and store reachability' },
    handler: async (_request, reply) => {
      const storeStatus = (await storeReachable(store)) ? 'ok' : 'unreachable';
      return reply.code(storeStatus === 'ok' ? 200 : 503).send({
        status: storeStatus === 'ok' ? 'ok' : 'degraded',
        version,
        store: { kind: store.kind, status: storeStatus },
        recorder: { pending: recorder.pending },
        spool: recorder.spool?.stats() ?? null,
      });
    },
  });
}
