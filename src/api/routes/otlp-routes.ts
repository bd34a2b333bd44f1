// POST /v1/traces (OTLP/HTTP's own path, for an exporter whose endpoint is Loupe's address) and
// POST /api/v1/otel/v1/traces: OpenTelemetry spans of model calls recorded as calls. Bodies in
// binary protobuf or JSON, plain or gzip; the answer is OTLP's ExportTraceServiceResponse in the
// request's encoding, counting the model-call spans that could not be recorded. Spans that are
// not model calls are accepted and not stored.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { IngestDeps } from '../../ingest/ingest-calls.js';
import { encodeExportResponse, encodeRpcStatus } from '../../ingest/otlp/otlp-protobuf.js';
import { OtlpRequestError } from '../../ingest/otlp/otlp-spans.js';
import { decodeSpans, recordSpans } from '../../ingest/otlp/record-spans.js';
import { callerKey } from '../auth-plugin.js';
import { ApiError } from '../errors.js';

const gunzipAsync = promisify(gunzip);
/** A gzip body may inflate to this many times the body limit, no more. */
const INFLATE_FACTOR = 4;
const PROTOBUF = 'application/x-protobuf';
/** gRPC's INVALID_ARGUMENT, the status OTLP/HTTP pairs with a 400. */
const INVALID_ARGUMENT = 3;

export const OTLP_TRACE_ROUTES = ['/v1/traces', '/api/v1/otel/v1/traces'] as const;

async function inflate(body: Buffer, encoding: string | string[] | undefined, limit: number): Promise<Buffer> {
  const coding = (Array.isArray(encoding) ? encoding.join(',') : encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return body;
  if (coding !== 'gzip') throw new ApiError(415, 'unsupported_media_type', `content-encoding: ${coding} is not supported (send gzip or no encoding)`, 'content-encoding');
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new ApiError(413, 'payload_too_large', `body inflates past ${limit} bytes`, 'body');
    }
    throw new ApiError(400, 'invalid_body', 'body: is not valid gzip', 'body');
  }
}

export function registerOtlpRoutes(app: FastifyInstance, deps: IngestDeps): void {
  const inflatedLimit = app.initialConfig.bodyLimit! * INFLATE_FACTOR;
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    const raw = (_request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => done(null, body);
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw);
    scope.addContentTypeParser(PROTOBUF, { parseAs: 'buffer' }, raw);

    for (const url of OTLP_TRACE_ROUTES) {
      scope.post(url, {
        config: { scope: 'ingest' },
        schema: {
          tags: ['ingestion'],
          summary: 'Record model calls from OpenTelemetry spans (OTLP/HTTP traces)',
          description:
            'An OTLP ExportTraceServiceRequest, `application/x-protobuf` or `application/json`, optionally `Content-Encoding: gzip`. Spans of model calls (OpenTelemetry GenAI semantic conventions, or OpenLLMetry attribute names) are recorded as calls with the id `otel:<trace id>:<span id>`, so a span sent again is stored once; other spans are accepted and skipped. The answer is an ExportTraceServiceResponse in the request\'s encoding, whose partialSuccess counts the model-call spans refused and says why.',
        },
        handler: async (request, reply) => {
          const protobuf = (request.headers['content-type'] ?? '').toLowerCase().startsWith(PROTOBUF);
          const key = callerKey(request);
          try {
            if (!Buffer.isBuffer(request.body)) throw new ApiError(415, 'unsupported_media_type', `content-type: send ${PROTOBUF} or application/json`, 'content-type');
            const bytes = await inflate(request.body, request.headers['content-encoding'], inflatedLimit);
            const spans = decodeSpans(bytes, protobuf);
            const { rejected, message } = await recordSpans(spans, { projectId: key.project_id, apiKeyId: key.id }, deps);
            if (protobuf) return await reply.code(200).type(PROTOBUF).send(Buffer.from(encodeExportResponse(rejected, message)));
            // OTLP/JSON writes 64-bit integers as strings.
            return await reply.code(200).send(rejected === 0 ? {} : { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } });
          } catch (caught) {
            const error = caught instanceof OtlpRequestError ? new ApiError(400, caught.code, caught.message, caught.field) : caught;
            // OTLP/HTTP answers a binary request's failure with a google.rpc.Status in binary.
            if (protobuf && error instanceof ApiError && error.statusCode === 400) {
              return reply.code(400).type(PROTOBUF).send(Buffer.from(encodeRpcStatus(INVALID_ARGUMENT, error.message)));
            }
            throw error;
          }
        },
      });
    }
  });
}
