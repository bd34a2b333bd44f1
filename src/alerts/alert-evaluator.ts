// Evaluates every active alert rule on a schedule: its metric over the trailing window, through
// the analytics' own metric definitions (the figures the dashboard shows). A rule that holds
// opens one event; one that no longer holds (or has no calls left to measure) resolves it.
// Each change goes out as a live event and, when the rule has one, a signed webhook.
import { uuidv7 } from 'uuidv7';
import { runTotals } from '../analytics/metrics/run-query.js';
import { ALERT_METRICS, alertMessage, holds, type AlertEvent, type AlertRule } from '../domain/alert.js';
import type { LiveEventBus } from '../live/event-bus.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from '../store/ports.js';
import type { WebhookSender } from './webhook-sender.js';

export interface AlertChange {
  change: 'triggered' | 'resolved';
  event: AlertEvent;
}

export const presentAlertEvent = (event: AlertEvent) => ({
  ...event,
  triggered_at: new Date(event.triggered_at).toISOString(),
  resolved_at: event.resolved_at === null ? null : new Date(event.resolved_at).toISOString(),
});

export class AlertEvaluator {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  /** Webhook deliveries with the status written after them, awaited on stop. */
  private readonly deliveries = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly bus: LiveEventBus,
    private readonly webhooks: WebhookSender,
    private readonly box: SecretBox,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.evaluate().catch(this.onError), intervalMs);
    this.timer.unref();
  }

  /**
   * Every active rule once (of one project, or of all), as of `now`; runs one at a time (a
   * request and the timer queue up).
   */
  evaluate(projectId?: string, now = Date.now()): Promise<AlertChange[]> {
    const run = this.running.then(() => this.evaluateAll(now, projectId), () => this.evaluateAll(now, projectId));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** The rule's metric over its window ending at `now`; null when no call was there to measure. */
  async measure(rule: AlertRule, now: number): Promise<number | null> {
    const metric = ALERT_METRICS[rule.metric];
    const row = await runTotals(this.store.sql, {
      metrics: [metric],
      filters: {
        projectId: rule.project_id, from: now - rule.window_minutes * 60_000, to: now,
        ...(rule.provider ? { provider: [rule.provider] } : {}), ...(rule.model ? { model: [rule.model] } : {}),
      },
    });
    const value = row[metric];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }

  private async evaluateAll(now: number, projectId: string | undefined): Promise<AlertChange[]> {
    const changes: AlertChange[] = [];
    for (const rule of await this.store.alerts.listRules(projectId)) {
      if (!rule.is_active) continue;
      const change = await this.evaluateRule(rule, now);
      if (change) changes.push(change);
    }
    return changes;
  }

  private async evaluateRule(rule: AlertRule, now: number): Promise<AlertChange | null> {
    const value = await this.measure(rule, now);
    if (value !== null && holds(value, rule.operator, rule.threshold)) {
      const event: AlertEvent = {
        id: uuidv7(), project_id: rule.project_id, rule_id: rule.id, rule_name: rule.name, metric: rule.metric, operator: rule.operator,
        threshold: rule.threshold, metric_value: value, message: alertMessage(rule, value), triggered_at: now, resolved_at: null, resolved_value: null,
        webhook_status: rule.webhook_url ? 'pending' : null,
      };
      // Already open (here, or by another instance on a shared store): nothing new to tell.
      if (!(await this.store.alerts.openEvent(event))) return null;
      return this.tell(rule, { change: 'triggered', event });
    }
    const resolved = await this.store.alerts.resolveOpen(rule.project_id, rule.id, now, value);
    return resolved ? this.tell(rule, { change: 'resolved', event: resolved }) : null;
  }

  /** Throws OutboundUrlError when a webhook may not be sent to `url`. */
  checkWebhookUrl(url: string): Promise<void> {
    return this.webhooks.check(url);
  }

  /** Stops a rule's open event when the rule goes (deleted or switched off). */
  async closeRule(rule: AlertRule): Promise<void> {
    const resolved = await this.store.alerts.resolveOpen(rule.project_id, rule.id, Date.now(), null);
    if (resolved) this.tell(rule, { change: 'resolved', event: resolved });
  }

  private tell(rule: AlertRule, change: AlertChange): AlertChange {
    const type = change.change === 'triggered' ? 'alert_triggered' : 'alert_resolved';
    this.bus.publish(rule.project_id, type, presentAlertEvent(change.event));
    if (rule.webhook_url && rule.webhook_secret_sealed) {
      const payload = {
        type: `alert.${change.change}`, event: presentAlertEvent(change.event),
        rule: { id: rule.id, name: rule.name, metric: rule.metric, operator: rule.operator, threshold: rule.threshold, window_minutes: rule.window_minutes, provider: rule.provider, model: rule.model },
      };
      const secret = this.box.open(rule.webhook_secret_sealed);
      const delivery = this.webhooks.send(rule.webhook_url, secret, payload.type, payload)
        .then((delivered) => (delivered === null ? undefined : this.store.alerts.setWebhookStatus(rule.project_id, change.event.id, delivered ? 'delivered' : 'failed')))
        .catch(this.onError);
      this.deliveries.add(delivery);
      void delivery.finally(() => this.deliveries.delete(delivery));
    }
    return change;
  }

  /** Waits for the evaluation under way, cuts webhook retries short, and waits for what they write. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.webhooks.close();
    await Promise.allSettled([...this.deliveries]);
  }
}
