// Replays and comparisons (seeds 001 and 003): a prompt, messages or a stored call sent again
// through the gateway, on its model or others, each recorded as a call tagged `replay`
// (`compare` too for a comparison) that names what it replays.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import type { CallRecord } from '../../domain/call-record.js';
import type { GatewayDeps } from '../../gateway/proxy-call.js';
import { compareSummary } from '../../replay/compare-summary.js';
import { getComparison, listComparisons } from '../../replay/comparison-history.js';
import { chatBody, messagesFromPrompt, replayParams, replayPrompt, ReplayInputError, requestOfCall, type ReplayParams } from '../../replay/replay-request.js';
import { replayTarget } from '../../replay/replay-target.js';
import { keyRestrictions } from '../../gateway/key-restrictions.js';
import { runReplay, type ReplayResult } from '../../replay/run-replay.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError, notFound } from '../errors.js';

const MAX_TARGETS = 8;

const target = { provider: z.string().min(1).max(128).optional(), model: z.string().min(1).max(256).optional() };
const callId = z.string().min(1).max(128);

const replayBody = z.strictObject({ call_id: callId.optional().describe('replay this stored call (its messages and parameters)'), ...target, ...replayPrompt, ...replayParams });
const logReplayBody = z.strictObject({ ...target, ...replayParams });
const compareBody = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  call_id: callId.optional(),
  ...replayPrompt,
  ...replayParams,
  targets: z.array(z.strictObject({
    provider: target.provider, model: z.string().min(1).max(256),
    reasoning_effort: replayParams.reasoning_effort.describe("this target's effort, over the request's (so one model can be compared with itself at two efforts)"),
  })).min(2).max(MAX_TARGETS),
});

const usage = z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number(), cached_tokens: z.number(), reasoning_tokens: z.number(), source: z.string() });
/** What a result's recorded call says (also when read back later), then what the gateway answered. */
const recordedFields = {
  call_id: z.string().nullable(), request_id: z.string().nullable(), provider: z.string().nullable(), model: z.string().nullable(), status: z.string(),
  finish_reason: z.string().nullable(), usage: usage.nullable(), cost_usd: z.number().nullable(), price_source: z.string().nullable(),
  latency_ms: z.number().nullable(), tokens_per_second: z.number().nullable(), attempts: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
};
const resultFields = { ...recordedFields, http_status: z.number(), response: z.string().nullable(), message: z.record(z.string(), z.unknown()).nullable() };
const replayAnswer = z.object({ ...resultFields, replay_of: z.string().nullable() });
const pickAnswer = z.object({ provider: z.string().nullable(), model: z.string(), reasoning_effort: z.string().nullable() });
const summaryAnswer = z.object({
  answered: z.number(), failed: z.number(),
  fastest: pickAnswer.extend({ latency_ms: z.number() }).nullable(), cheapest: pickAnswer.extend({ cost_usd: z.number() }).nullable(),
  average_latency_ms: z.number().nullable(), total_cost_usd: z.number().nullable(), unpriced_results: z.number(),
});
const targetAnswer = z.object({ provider: z.string().nullable(), model: z.string(), reasoning_effort: z.string().nullable() });
const compareAnswer = z.object({
  comparison_id: z.string(), name: z.string().nullable(), replay_of: z.string().nullable(),
  results: z.array(z.object({ target: targetAnswer, ...resultFields })),
  summary: summaryAnswer,
});
const storedComparison = { comparison_id: z.string(), name: z.string().nullable(), created_at: z.string(), replay_of: z.string().nullable(), summary: summaryAnswer };
const comparisonListAnswer = z.object({ comparisons: z.array(z.object({ ...storedComparison, results: z.array(z.object({ target: targetAnswer, ...recordedFields })) })) });
const comparisonAnswer = z.object({ ...storedComparison, messages: z.unknown(), results: z.array(z.object({ target: targetAnswer, ...recordedFields, response: z.string().nullable() })) });

function asApiError(error: unknown): never {
  if (error instanceof ReplayInputError) throw new ApiError(error.status, 'validation_error', `${error.field}: ${error.message}`, error.field);
  throw error;
}

/** The reasoning effort a replay sends: its override (null: none), else what it carried over. */
function sentEffort(carried: Record<string, unknown>, overrides: ReplayParams): string | null {
  const effort = overrides.reasoning_effort !== undefined ? overrides.reasoning_effort : carried.reasoning_effort;
  return typeof effort === 'string' ? effort : null;
}

/** The HTTP status of a replay's answer: the gateway's own when the provider did not answer. */
const statusOf = (result: ReplayResult) => (result.status === 'success' ? 200 : result.http_status >= 400 ? result.http_status : 502);

export function registerReplayRoutes(app: FastifyInstance, store: Store, deps: GatewayDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  async function storedCall(projectId: string, id: string | undefined): Promise<CallRecord | null> {
    if (id === undefined) return null;
    const call = await store.calls.get(projectId, id);
    if (!call) throw notFound('call');
    return call;
  }

  /** Messages and carried parameters from a stored call or from the request itself. */
  function sentRequest(call: CallRecord | null, prompt: Parameters<typeof messagesFromPrompt>[0]) {
    if (call === null) return { messages: messagesFromPrompt(prompt), params: {} };
    const given = ['prompt', 'system', 'messages'].find((field) => prompt[field as keyof typeof prompt] !== undefined);
    if (given) throw new ReplayInputError(given, 'give call_id or a prompt, not both');
    return requestOfCall(call);
  }

  /** One replay answered with the gateway's status when the provider did not answer (the
   * schema's 200 describes the body, which is the same either way). */
  async function replayOne(request: FastifyRequest, reply: FastifyReply, call: CallRecord | null, choice: { provider?: string | undefined; model?: string | undefined }, messages: Record<string, unknown>[], carried: Record<string, unknown>, overrides: ReplayParams) {
    const key = callerKey(request);
    const goal = replayTarget(deps.registry, choice, call);
    const result = await runReplay({
      body: chatBody(goal.requested, messages, carried, overrides), projectId: key.project_id, apiKeyId: key.id, restrictions: keyRestrictions(key),
      tags: ['replay'], properties: call ? { replay_of: call.id } : {}, client: reply.raw,
    }, deps);
    return reply.code(statusOf(result)).send({ ...result, replay_of: call?.id ?? null });
  }

  typed.post('/api/v1/replay', {
    config: { scope: 'gateway', dashboardWrite: true },
    schema: { tags: ['replay'], summary: 'Send a prompt, messages or a stored call again through the gateway (recorded, tagged replay)', body: replayBody, response: { 200: replayAnswer } },
  }, async (request, reply) => {
    const { call_id: id, provider, model, prompt, system, messages, ...overrides } = request.body;
    try {
      const call = await storedCall(callerKey(request).project_id, id);
      const sent = sentRequest(call, { prompt, system, messages });
      return await replayOne(request, reply, call, { provider, model }, sent.messages, sent.params, overrides);
    } catch (error) {
      return asApiError(error);
    }
  });

  typed.post('/api/v1/logs/:id/replay', {
    config: { scope: 'gateway', dashboardWrite: true },
    schema: { tags: ['replay'], summary: 'Replay a stored call, on its model or another, with parameters changed', params: z.strictObject({ id: callId }), body: logReplayBody, response: { 200: replayAnswer } },
  }, async (request, reply) => {
    const { provider, model, ...overrides } = request.body;
    try {
      const call = await storedCall(callerKey(request).project_id, request.params.id);
      const sent = requestOfCall(call!);
      return await replayOne(request, reply, call, { provider, model }, sent.messages, sent.params, overrides);
    } catch (error) {
      return asApiError(error);
    }
  });

  typed.post('/api/v1/replay/compare', {
    config: { scope: 'gateway', dashboardWrite: true },
    schema: { tags: ['replay'], summary: 'The same request on several models at once: each answer with its latency, tokens and cost, the fastest and the cheapest', body: compareBody, response: { 200: compareAnswer } },
  }, async (request, reply) => {
    const { name, call_id: id, targets, prompt, system, messages, ...overrides } = request.body;
    try {
      const key = callerKey(request);
      const call = await storedCall(key.project_id, id);
      const sent = sentRequest(call, { prompt, system, messages });
      const goals = targets.map((choice, index) => replayTarget(deps.registry, choice, null, `targets.${index}`));
      const comparisonId = uuidv7();
      const properties: Record<string, string> = { comparison_id: comparisonId, ...(name ? { comparison_name: name } : {}), ...(call ? { replay_of: call.id } : {}) };
      const results = await Promise.all(goals.map(async (goal, index) => {
        const own = targets[index]!.reasoning_effort;
        const params = own === undefined ? overrides : { ...overrides, reasoning_effort: own };
        const effort = sentEffort(sent.params, params);
        return {
          target: { provider: goal.provider, model: goal.model, reasoning_effort: effort },
          ...(await runReplay({
            body: chatBody(goal.requested, sent.messages, sent.params, params), projectId: key.project_id, apiKeyId: key.id, restrictions: keyRestrictions(key),
            tags: ['replay', 'compare'], properties: { ...properties, ...(effort !== null ? { reasoning_effort: effort } : {}) }, client: reply.raw,
          }, deps)),
        };
      }));
      return { comparison_id: comparisonId, name: name ?? null, replay_of: call?.id ?? null, results, summary: compareSummary(results) };
    } catch (error) {
      return asApiError(error);
    }
  });

  typed.get('/api/v1/replay/comparisons', {
    config: { scope: 'read' },
    schema: {
      tags: ['replay'], summary: 'Past comparisons, newest first, each with its results and summary as recorded',
      querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(365).optional(), limit: z.coerce.number().int().min(1).max(100).optional() }),
      response: { 200: comparisonListAnswer },
    },
  }, async (request) => ({
    comparisons: await listComparisons(store, callerKey(request).project_id, Date.now() - (request.query.days ?? 30) * 86_400_000, request.query.limit ?? 20),
  }));

  typed.get('/api/v1/replay/comparisons/:id', {
    config: { scope: 'read' },
    schema: { tags: ['replay'], summary: 'One comparison with the messages sent and each answer', params: z.strictObject({ id: z.string().min(1).max(64) }), response: { 200: comparisonAnswer } },
  }, async (request) => {
    const comparison = await getComparison(store, callerKey(request).project_id, request.params.id);
    if (!comparison) throw notFound('comparison');
    return comparison;
  });

  typed.get('/api/v1/replay/models', {
    config: { scope: 'read' },
    schema: {
      tags: ['replay'],
      summary: 'The models each enabled provider offers for replays and comparisons, and the routes',
      description: '`routes`: the model routes of the config file with an enabled target, asked for by name as a target\'s `model` (without `provider`); none when `provider` is given.',
      querystring: z.strictObject({ provider: z.string().min(1).max(128).optional() }),
      response: { 200: z.object({ models: z.record(z.string(), z.array(z.string())), routes: z.array(z.string()) }) },
    },
  }, async (request) => {
    const wanted = request.query.provider;
    if (wanted !== undefined && !deps.registry.get(wanted)) throw notFound('provider');
    const enabled = (name: string) => deps.registry.get(name)?.is_enabled === true;
    const providers = deps.registry.list().filter((provider) => provider.is_enabled && (wanted === undefined || provider.name === wanted));
    const routes = wanted === undefined ? deps.registry.routes.list().filter((route) => route.targets.some((target) => enabled(target.provider))).map((route) => route.name) : [];
    return { models: Object.fromEntries(providers.map((provider) => [provider.name, provider.models])), routes };
  });
}
