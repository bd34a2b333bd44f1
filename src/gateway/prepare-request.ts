// Reads a gateway request body: a JSON object naming a model, with no field or header that
// would let the caller pick an upstream. How it is said upstream is the provider adapter's business.
import type { IncomingHttpHeaders } from 'node:http';
import type { Endpoint } from '../providers/kit/adapter.js';
import { GatewayError, invalidRequest } from './gateway-errors.js';

/**
 * Names through which a caller could choose the upstream (LiteLLM's `api_base`, Portkey's
 * `x-portkey-custom-host`, Helicone's `Helicone-Target-Url` ...), compared without case or
 * separators so that no spelling gets through: a body field by its whole name, a header by any
 * part of its name (fewer words there, so that no header a proxy adds on the way is taken for one).
 */
const UPSTREAM_FIELDS = ['apibase', 'baseurl', 'apiurl', 'endpointurl', 'customllmprovider', 'customhost', 'targeturl', 'upstreamurl'];
const UPSTREAM_HEADER_WORDS = ['apibase', 'baseurl', 'customhost', 'targeturl'];
const squashed = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export interface GatewayRequest {
  body: Record<string, unknown>;
  /** The bytes as received, forwarded untouched when nothing in them must change. */
  raw: Buffer;
  model: string;
  stream: boolean;
}

export function readGatewayRequest(raw: Buffer, streamable: boolean, headers: IncomingHttpHeaders): GatewayRequest {
  for (const name of Object.keys(headers)) {
    const plain = squashed(name);
    if (UPSTREAM_HEADER_WORDS.some((word) => plain.includes(word))) throw invalidRequest(`the header '${name}' is not accepted: upstreams are configured on the server`, name);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidRequest('the body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidRequest('the body must be a JSON object');
  const body = parsed as Record<string, unknown>;
  for (const field of Object.keys(body)) {
    if (UPSTREAM_FIELDS.includes(squashed(field))) throw invalidRequest(`'${field}' is not accepted: upstreams are configured on the server`, field);
  }
  if (typeof body.model !== 'string' || body.model.length === 0) throw invalidRequest("'model' is required", 'model');
  return { body, raw, model: body.model, stream: streamable && body.stream === true };
}

/** The APIs relayed as the client speaks them, which only some providers serve, as a refusal names them. */
export const NATIVE_APIS: Partial<Record<Endpoint, string>> = {
  messages: 'the Messages API (a provider of type anthropic or of an OpenAI-compatible type)',
  responses: 'the Responses API (a provider of an OpenAI-compatible type)',
};

export function noProvider(model: string, endpoint?: Endpoint): GatewayError {
  const through = endpoint && NATIVE_APIS[endpoint] ? ` through ${NATIVE_APIS[endpoint]}` : '';
  return new GatewayError(404, 'invalid_request_error', 'model_not_found', `no enabled provider serves the model '${model}'${through}`, 'model');
}

export function modelNotAllowed(model: string): GatewayError {
  return new GatewayError(403, 'invalid_request_error', 'model_not_allowed', `this key may not use the model '${model}'`, 'model');
}
