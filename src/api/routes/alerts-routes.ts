// Alerts (seed 001): rules over the analytics metrics, the events they open and resolve, and an
// evaluation on request. A rule with a webhook gets a signing secret, shown once at creation.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import { presentAlertEvent, type AlertEvaluator } from '../../alerts/alert-evaluator.js';
import { alertRuleInputSchema, alertRulePatchSchema, ALERT_METRICS, ALERT_OPERATORS, type AlertRule } from '../../domain/alert.js';
import { OutboundUrlError } from '../../security/outbound-url.js';
import type { SecretBox } from '../../security/secret-box.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { badRequest, notFound } from '../errors.js';

const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const ruleAnswer = z.object({
  id: z.string(), name: z.string(), metric: z.enum(Object.keys(ALERT_METRICS) as [string, ...string[]]), operator: z.enum(ALERT_OPERATORS), threshold: z.number(),
  window_minutes: z.number(), provider: z.string().nullable(), model: z.string().nullable(), is_active: z.boolean(), webhook_url: z.string().nullable(),
  has_webhook_secret: z.boolean(), created_at: z.string(), updated_at: z.string(),
});
/** Once, when a secret is made: the receiver needs it to check signatures. */
const ruleWithSecret = ruleAnswer.extend({ webhook_secret: z.string().optional() });
const eventAnswer = z.object({
  id: z.string(), rule_id: z.string(), rule_name: z.string(), metric: z.string(), operator: z.string(), threshold: z.number(), metric_value: z.number(),
  message: z.string(), triggered_at: z.string(), resolved_at: z.string().nullable(), resolved_value: z.number().nullable(), webhook_status: z.string().nullable(),
});

function presentRule(rule: AlertRule) {
  const { webhook_secret_sealed: sealed, project_id: _project, ...shown } = rule;
  return { ...shown, has_webhook_secret: sealed !== null, created_at: new Date(rule.created_at).toISOString(), updated_at: new Date(rule.updated_at).toISOString() };
}

function presentEvent(event: Parameters<typeof presentAlertEvent>[0]) {
  const { project_id: _project, ...shown } = presentAlertEvent(event);
  return shown;
}

const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

export function registerAlertsRoutes(app: FastifyInstance, store: Store, evaluator: AlertEvaluator, box: SecretBox): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  async function checkWebhook(url: string | null | undefined): Promise<void> {
    if (!url) return;
    try {
      await evaluator.checkWebhookUrl(url);
    } catch (error) {
      if (error instanceof OutboundUrlError) throw badRequest('webhook_url', error.message);
      throw error;
    }
  }

  typed.get('/api/v1/alerts/rules', { config: { scope: 'read' }, schema: { tags: ['alerts'], summary: 'Alert rules', response: { 200: z.object({ rules: z.array(ruleAnswer) }) } } }, async (request) => ({
    rules: (await store.alerts.listRules(callerKey(request).project_id)).map(presentRule),
  }));

  typed.post('/api/v1/alerts/rules', {
    config: { scope: 'admin' },
    schema: { tags: ['alerts'], summary: 'Create an alert rule (a webhook URL gets a signing secret, returned this once)', body: alertRuleInputSchema, response: { 201: ruleWithSecret } },
  }, async (request, reply) => {
    const input = request.body;
    await checkWebhook(input.webhook_url);
    const now = Date.now();
    const secret = input.webhook_url ? newSecret() : null;
    const rule: AlertRule = {
      id: uuidv7(), project_id: callerKey(request).project_id, name: input.name, metric: input.metric, operator: input.operator, threshold: input.threshold,
      window_minutes: input.window_minutes, provider: input.provider ?? null, model: input.model ?? null, is_active: input.is_active,
      webhook_url: input.webhook_url ?? null, webhook_secret_sealed: secret === null ? null : box.seal(secret), created_at: now, updated_at: now,
    };
    await store.alerts.putRule(rule);
    return reply.code(201).send({ ...presentRule(rule), ...(secret === null ? {} : { webhook_secret: secret }) });
  });

  typed.get('/api/v1/alerts/rules/:id', { config: { scope: 'read' }, schema: { tags: ['alerts'], summary: 'One alert rule', params: idParams, response: { 200: ruleAnswer } } }, async (request) => {
    const rule = await store.alerts.getRule(callerKey(request).project_id, request.params.id);
    if (!rule) throw notFound('alert rule');
    return presentRule(rule);
  });

  typed.patch('/api/v1/alerts/rules/:id', {
    config: { scope: 'admin' },
    schema: { tags: ['alerts'], summary: 'Change an alert rule (a first webhook URL gets a signing secret, returned this once)', params: idParams, body: alertRulePatchSchema, response: { 200: ruleWithSecret } },
  }, async (request) => {
    const current = await store.alerts.getRule(callerKey(request).project_id, request.params.id);
    if (!current) throw notFound('alert rule');
    const patch = request.body;
    const metric = patch.metric ?? current.metric;
    const threshold = patch.threshold ?? current.threshold;
    if (metric === 'error_rate' && (threshold < 0 || threshold > 1)) throw badRequest('threshold', 'error_rate is a fraction between 0 and 1 (0.05 for 5%)');
    await checkWebhook(patch.webhook_url);
    const rule: AlertRule = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)), updated_at: Date.now() };
    const secret = rule.webhook_url && !current.webhook_secret_sealed ? newSecret() : null;
    if (secret !== null) rule.webhook_secret_sealed = box.seal(secret);
    if (!rule.webhook_url) rule.webhook_secret_sealed = null;
    await store.alerts.putRule(rule);
    // A rule switched off no longer watches: what it had open is over.
    if (current.is_active && !rule.is_active) await evaluator.closeRule(rule);
    return { ...presentRule(rule), ...(secret === null ? {} : { webhook_secret: secret }) };
  });

  typed.delete('/api/v1/alerts/rules/:id', { config: { scope: 'admin' }, schema: { tags: ['alerts'], summary: 'Delete an alert rule (its open event is resolved; past events stay)', params: idParams } }, async (request) => {
    const projectId = callerKey(request).project_id;
    const rule = await store.alerts.getRule(projectId, request.params.id);
    if (!rule) throw notFound('alert rule');
    await evaluator.closeRule(rule);
    await store.alerts.deleteRule(projectId, rule.id);
    return { deleted: true };
  });

  typed.get('/api/v1/alerts/events', {
    config: { scope: 'read' },
    schema: {
      tags: ['alerts'], summary: 'Alert events, newest first',
      querystring: z.strictObject({ status: z.enum(['open', 'resolved']).optional(), rule_id: z.string().min(1).max(64).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
      response: { 200: z.object({ events: z.array(eventAnswer) }) },
    },
  }, async (request) => {
    const { status, rule_id: ruleId, limit } = request.query;
    const events = await store.alerts.listEvents({ projectId: callerKey(request).project_id, ...(ruleId ? { ruleId } : {}), ...(status ? { open: status === 'open' } : {}), limit: limit ?? 50 });
    return { events: events.map(presentEvent) };
  });

  typed.post('/api/v1/alerts/evaluate', {
    config: { scope: 'admin' },
    schema: { tags: ['alerts'], summary: "Evaluate the project's active rules now (as the schedule does); the events opened and resolved", response: { 200: z.object({ changes: z.array(z.object({ change: z.enum(['triggered', 'resolved']), event: eventAnswer })) }) } },
  }, async (request) => {
    const changes = await evaluator.evaluate(callerKey(request).project_id);
    return { changes: changes.map((change) => ({ change: change.change, event: presentEvent(change.event) })) };
  });
}
