// Which provider and model a replay goes to, as the gateway's `provider/model` routing names
// them, checked before anything is sent so that a mistyped name is the caller's 400.
import type { CallRecord } from '../domain/call-record.js';
import type { ProviderRegistry } from '../provider-registry/provider-registry.js';
import { ReplayInputError } from './replay-request.js';

export interface ReplayTarget {
  /** The model as the gateway receives it (`provider/model` when a provider is named). */
  requested: string;
  provider: string | null;
  model: string;
}

export function replayTarget(registry: ProviderRegistry, choice: { provider?: string | undefined; model?: string | undefined }, call: CallRecord | null, field = ''): ReplayTarget {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  const model = choice.model ?? call?.model;
  if (model === undefined) throw new ReplayInputError(at('model'), 'is required (or give call_id to replay that call on its model)');
  // A replay of a call on its own model goes to the provider that served it, when that one is here.
  const named = choice.provider ?? (choice.model === undefined && call && registry.get(call.provider)?.is_enabled ? call.provider : undefined);
  if (named !== undefined && !registry.get(named)?.is_enabled) throw new ReplayInputError(at('provider'), `no enabled provider named '${named}'`);
  const requested = named === undefined ? model : `${named}/${model}`;
  if (registry.route(requested).length === 0) throw new ReplayInputError(at('model'), `no enabled provider serves the model '${model}'`);
  return { requested, provider: named ?? null, model };
}
