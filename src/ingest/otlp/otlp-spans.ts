// An ExportTraceServiceRequest (OTLP/JSON as sent, or the binary form decoded to the same shape)
// as flat spans with plain attribute values. OTLP/JSON writes ids as hex and 64-bit integers as
// strings or numbers; the binary form arrives with ids as base64. Anything malformed is refused
// with the path of the offending field.

/** An attribute value as JSON: kvlists become objects (null-prototype), bytes base64 text. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface OtlpEvent {
  name: string;
  attributes: Attributes;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  events: OtlpEvent[];
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  resource: Attributes;
}

export class OtlpRequestError extends Error {
  constructor(readonly field: string, message: string, readonly code = 'validation_error') {
    super(`${field}: ${message}`);
  }
}

/** Limits on one request, besides the body size. */
export const MAX_SPANS_PER_REQUEST = 10_000;
const MAX_VALUE_DEPTH = 16;

type IdEncoding = 'hex' | 'base64';
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpRequestError(field, 'must be an array');
  return value;
}

function object(value: unknown, field: string): Json {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new OtlpRequestError(field, 'must be an object');
  return value;
}

function id(value: unknown, bytes: number, encoding: IdEncoding, field: string, optional: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (optional) return null;
    throw new OtlpRequestError(field, 'is required');
  }
  if (typeof value !== 'string') throw new OtlpRequestError(field, 'must be a string');
  const hex = encoding === 'hex' ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
  if (hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex)) throw new OtlpRequestError(field, `must be ${bytes} bytes (${bytes * 2} hex characters)`);
  // An all-zero id is invalid in OTLP; an all-zero parent means "no parent" to some senders.
  if (/^0+$/.test(hex)) {
    if (optional) return null;
    throw new OtlpRequestError(field, 'must not be all zeros');
  }
  return hex;
}

function nanos(value: unknown, field: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  throw new OtlpRequestError(field, 'must be a non-negative integer of nanoseconds since the epoch');
}

function anyValue(value: unknown, field: string, depth: number): AttributeValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpRequestError(field, `is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (value === undefined || value === null) return null;
  const holder = object(value, field);
  if ('stringValue' in holder) return typeof holder.stringValue === 'string' ? holder.stringValue : String(holder.stringValue);
  if ('boolValue' in holder) return holder.boolValue === true;
  if ('intValue' in holder) {
    const number = Number(holder.intValue);
    if (!Number.isFinite(number)) throw new OtlpRequestError(`${field}.intValue`, 'must be an integer');
    return number;
  }
  if ('doubleValue' in holder) {
    const number = Number(holder.doubleValue);
    return Number.isFinite(number) ? number : null;
  }
  if ('arrayValue' in holder) {
    return list(object(holder.arrayValue, `${field}.arrayValue`).values, `${field}.arrayValue.values`).map((item, i) => anyValue(item, `${field}.arrayValue.values[${i}]`, depth + 1));
  }
  if ('kvlistValue' in holder) return keyValues(object(holder.kvlistValue, `${field}.kvlistValue`).values, `${field}.kvlistValue.values`, depth + 1);
  if ('bytesValue' in holder) return typeof holder.bytesValue === 'string' ? holder.bytesValue : null;
  return null;
}

function keyValues(value: unknown, field: string, depth = 0): Attributes {
  const out: Attributes = Object.create(null) as Attributes;
  list(value, field).forEach((item, i) => {
    const pair = object(item, `${field}[${i}]`);
    if (typeof pair.key !== 'string') throw new OtlpRequestError(`${field}[${i}].key`, 'must be a string');
    out[pair.key] = anyValue(pair.value, `${field}[${i}].value`, depth);
  });
  return out;
}

const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** OTLP/JSON sends enums as integers; their names are taken too. */
function statusCode(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return STATUS_NAMES[value] ?? (Number(value) || 0);
  return 0;
}

/** The spans of a request, in order; throws OtlpRequestError naming the first malformed field. */
export function requestSpans(request: unknown, encoding: IdEncoding): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  const body = object(request, 'body');
  list(body.resourceSpans, 'resourceSpans').forEach((resourceValue, r) => {
    const at = `resourceSpans[${r}]`;
    const resourceSpans = object(resourceValue, at);
    const resource = keyValues(object(resourceSpans.resource, `${at}.resource`).attributes, `${at}.resource.attributes`);
    list(resourceSpans.scopeSpans, `${at}.scopeSpans`).forEach((scopeValue, s) => {
      const scopeAt = `${at}.scopeSpans[${s}]`;
      list(object(scopeValue, scopeAt).spans, `${scopeAt}.spans`).forEach((spanValue, i) => {
        const spanAt = `${scopeAt}.spans[${i}]`;
        if (spans.length >= MAX_SPANS_PER_REQUEST) throw new OtlpRequestError('resourceSpans', `holds more than ${MAX_SPANS_PER_REQUEST} spans; send them in several requests`);
        const span = object(spanValue, spanAt);
        const status = object(span.status, `${spanAt}.status`);
        const startNs = nanos(span.startTimeUnixNano, `${spanAt}.startTimeUnixNano`);
        const endNs = span.endTimeUnixNano === undefined || span.endTimeUnixNano === '0' || span.endTimeUnixNano === 0 ? startNs : nanos(span.endTimeUnixNano, `${spanAt}.endTimeUnixNano`);
        spans.push({
          traceId: id(span.traceId, 16, encoding, `${spanAt}.traceId`, false)!,
          spanId: id(span.spanId, 8, encoding, `${spanAt}.spanId`, false)!,
          parentSpanId: id(span.parentSpanId, 8, encoding, `${spanAt}.parentSpanId`, true),
          name: typeof span.name === 'string' ? span.name : '',
          startNs,
          endNs,
          attributes: keyValues(span.attributes, `${spanAt}.attributes`),
          events: list(span.events, `${spanAt}.events`).map((eventValue, e) => {
            const event = object(eventValue, `${spanAt}.events[${e}]`);
            return { name: typeof event.name === 'string' ? event.name : '', attributes: keyValues(event.attributes, `${spanAt}.events[${e}].attributes`) };
          }),
          statusCode: statusCode(status.code),
          statusMessage: typeof status.message === 'string' ? status.message : '',
          resource,
        });
      });
    });
  });
  return spans;
}
