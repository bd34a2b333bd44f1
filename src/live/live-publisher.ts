// Turns store activity into live events: each committed call as `log_created`, and a
// `stats_updated` summary per project at most once a second, however busy ingestion is.
import type { CallRecord } from '../domain/call-record.js';
import type { LiveEventBus } from './event-bus.js';

const STATS_INTERVAL_MS = 1000;

interface PendingStats {
  calls: number;
  errors: number;
  cost: number;
  tokens: number;
}

export class LivePublisher {
  private readonly pending = new Map<string, PendingStats>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly bus: LiveEventBus) {}

  committed(calls: readonly CallRecord[]): void {
    if (!this.bus.hasAudience) return;
    for (const call of calls) {
      this.bus.publish(call.project_id, 'log_created', summary(call));
      const stats = this.pending.get(call.project_id) ?? { calls: 0, errors: 0, cost: 0, tokens: 0 };
      stats.calls += 1;
      stats.errors += call.status === 'success' ? 0 : 1;
      stats.cost += call.cost_usd ?? 0;
      stats.tokens += call.total_tokens;
      this.pending.set(call.project_id, stats);
    }
    this.timer ??= setTimeout(() => this.flushStats(), STATS_INTERVAL_MS).unref();
  }

  deleted(projectId: string, ids: readonly string[]): void {
    if (ids.length > 0) this.bus.publish(projectId, 'log_deleted', { ids });
  }

  private flushStats(): void {
    this.timer = null;
    for (const [projectId, stats] of this.pending) this.bus.publish(projectId, 'stats_updated', { window_ms: STATS_INTERVAL_MS, new_calls: stats.calls, new_errors: stats.errors, cost_usd: stats.cost, total_tokens: stats.tokens });
    this.pending.clear();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function summary(call: CallRecord) {
  return {
    id: call.id, provider: call.provider, model: call.model, status: call.status, started_at: new Date(call.started_at).toISOString(),
    latency_ms: call.latency_ms, ttft_ms: call.ttft_ms, prompt_tokens: call.prompt_tokens, completion_tokens: call.completion_tokens,
    total_tokens: call.total_tokens, cost_usd: call.cost_usd, price_source: call.price_source, is_streaming: call.is_streaming,
    user_id: call.user_id, session_id: call.session_id, agent: call.agent, error_message: call.error_message,
  };
}
