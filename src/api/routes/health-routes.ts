// Liveness with store reachability; public so load balancers can probe it.
import type { FastifyInstance } from 'fastify';
import type { Recorder } from '../../recorder/recorder.js';
import type { Store } from '../../store/ports.js';

export function registerHealthRoutes(app: FastifyInstance, store: Store, recorder: Recorder, version: string): void {
  app.get('/health', {
    config: { scope: 'public' },
    schema: { tags: ['ops'], summary: 'Liveness and store reachability' },
    handler: async (_request, reply) => {
      let storeStatus = 'ok';
      try {
        await store.ping();
      } catch {
        storeStatus = 'unreachable';
      }
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
