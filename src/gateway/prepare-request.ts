// Reads a gateway request body: a JSON object naming a model, with no field that would let
// the caller pick an upstream. Builds the upstream body per provider, changing the bytes
// only when the model name or the usage request must change.
import { GatewayError, invalidRequest } from './gateway-errors.js';

/** Fields through which a caller could choose the upstream; refused in any form. */
const UPSTREAM_CHOOSING_FIELDS = ['api_base', 'base_url', 'baseURL', 'api_url', 'endpoint_url', 'custom_llm_provider'];

export interface GatewayRequest {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** The gateway asked for usage the client did not: hide the usage chunk from it. */
  stripUsage: boolean;
  upstreamBody(model: string): Buffer;
}

export function readGatewayRequest(raw: Buffer, streamable: boolean): GatewayRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidRequest('the body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidRequest('the body must be a JSON object');
  const body = parsed as Record<string, unknown>;
  for (const field of UPSTREAM_CHOOSING_FIELDS) {
    if (field in body) throw invalidRequest(`'${field}' is not accepted: upstreams are configured on the server`, field);
  }
  if (typeof body.model !== 'string' || body.model.length === 0) throw invalidRequest("'model' is required", 'model');
  const stream = streamable && body.stream === true;
  const options = body.stream_options as { include_usage?: unknown } | undefined;
  // Usage is only sent in streams on request: ask for it, and hide that chunk from a client
  // that did not. An explicit false is honoured (tokens are then estimated).
  const stripUsage = stream && options?.include_usage === undefined;
  return {
    body, model: body.model, stream, stripUsage,
    upstreamBody: (model) => (stripUsage || model !== body.model
      ? Buffer.from(JSON.stringify({ ...body, model, ...(stripUsage ? { stream_options: { ...options, include_usage: true } } : {}) }))
      : raw),
  };
}

export function noProvider(model: string): GatewayError {
  return new GatewayError(404, 'invalid_request_error', 'model_not_found', `no enabled provider serves the model '${model}'`, 'model');
}
