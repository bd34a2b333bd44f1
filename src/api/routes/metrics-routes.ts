// Prometheus text for scrapers: the recorder's backlog and the outage spool. Public like
// /health (counts only, nothing about any project).
import type { FastifyInstance } from 'fastify';
import type { Recorder } from '../../recorder/recorder.js';

const SPOOL_STATES = ['ok', 'outage', 'replaying'] as const;

export function registerMetricsRoutes(app: FastifyInstance, recorder: Recorder): void {
  app.get('/metrics', {
    config: { scope: 'public' },
    schema: { tags: ['ops'], summary: 'Prometheus metrics: recorder backlog and outage spool' },
    handler: async (_request, reply) => {
      const lines = [
        '# HELP loupe_recorder_pending_records Call records queued or being written to the store.',
        '# TYPE loupe_recorder_pending_records gauge',
        `loupe_recorder_pending_records ${recorder.pending}`,
      ];
      const spool = recorder.spool?.stats();
      if (spool) {
        lines.push(
          '# HELP loupe_spool_records Gateway call records in the outage spool, not yet in the store.',
          '# TYPE loupe_spool_records gauge',
          `loupe_spool_records ${spool.records}`,
          '# HELP loupe_spool_bytes Size of the outage spool files.',
          '# TYPE loupe_spool_bytes gauge',
          `loupe_spool_bytes ${spool.bytes}`,
          '# HELP loupe_spool_max_bytes The outage spool size bound (LOUPE_SPOOL_MAX_BYTES).',
          '# TYPE loupe_spool_max_bytes gauge',
          `loupe_spool_max_bytes ${spool.max_bytes}`,
          '# HELP loupe_spool_dropped_records_total Gateway call records not recorded because the spool was full.',
          '# TYPE loupe_spool_dropped_records_total counter',
          `loupe_spool_dropped_records_total ${spool.dropped}`,
          '# HELP loupe_spool_state 1 for the spool state now: ok, outage (store unreachable) or replaying.',
          '# TYPE loupe_spool_state gauge',
          ...SPOOL_STATES.map((state) => `loupe_spool_state{state="${state}"} ${spool.state === state ? 1 : 0}`),
        );
      }
      return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
    },
  });
}
