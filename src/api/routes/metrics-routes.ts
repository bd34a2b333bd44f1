// Prometheus text for scrapers: the recorder's backlog, the outage spool, and what this instance
// recorded by provider and model (calls by status, tokens, cost, cache hits, latency and time to
// first token). Public like /health unless `metrics_require_key` asks for a read key; no project
// or user is named, but model names and spend are, so a server reachable beyond its network
// should ask for the key.
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.js';
import { hasScope } from '../../domain/api-key.js';
import type { CallMetrics } from '../../recorder/call-metrics.js';
import type { Recorder } from '../../recorder/recorder.js';
import { presentedSecret } from '../auth-plugin.js';
import { ApiError } from '../errors.js';

const SPOOL_STATES = ['ok', 'outage', 'replaying'] as const;

export interface MetricsSources {
  recorder: Recorder;
  calls: CallMetrics;
  /** Set when a read key is required. */
  authenticator: Authenticator | null;
}

export function registerMetricsRoutes(app: FastifyInstance, sources: MetricsSources): void {
  const { recorder, authenticator } = sources;
  app.get('/metrics', {
    // Public in the route policy: the key, when required, is checked here (a setting, not a scope).
    config: { scope: 'public' },
    schema: { tags: ['ops'], summary: 'Prometheus metrics: recorder backlog, outage spool, and the recorded calls by provider and model' },
    handler: async (request, reply) => {
      if (authenticator) {
        const secret = presentedSecret(request);
        const key = secret ? await authenticator.authenticate(secret) : null;
        if (!key) throw new ApiError(401, 'unauthorized', 'this server asks for an API key with the read scope on /metrics');
        if (!hasScope(key.scopes, 'read')) throw new ApiError(403, 'forbidden', "this key lacks the 'read' scope");
      }
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
      lines.push(sources.calls.exposition());
      return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
    },
  });
}
