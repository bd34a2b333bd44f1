// The model-list request every adapter builds the same way (a GET with the provider's headers).
import type { CallContext, UpstreamRequest } from './adapter.js';
import { planIdentity } from './observations.js';

export function modelsRequestFor(path: string, headers: Record<string, string>, context: Omit<CallContext, 'model'>): UpstreamRequest {
  return {
    method: 'GET',
    path,
    headers: { accept: 'application/json', ...headers },
    body: null,
    plan: { endpoint: 'models', stream: false, model: '', clientWantsUsage: false, stripUsageChunk: false, usageExpected: false, ...planIdentity(context, 'models-') },
  };
}
