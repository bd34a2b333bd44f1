// An OTLP trace export, decoded, turned into calls and recorded: the model-call spans through
// ingestion's own validation and recorder, the other spans skipped. Says how many model-call
// spans were not recorded and why, for OTLP's partial success.
import type { CallContext } from '../../domain/normalize-call.js';
import { ingestCalls, type IngestDeps } from '../ingest-calls.js';
import { genAiSpanToCall, SpanRejected } from './genai-span-to-call.js';
import { decodeExportRequest } from './otlp-protobuf.js';
import { OtlpRequestError, requestSpans, type OtlpSpan } from './otlp-spans.js';

/** How many refusals the answer quotes. */
const QUOTED_REFUSALS = 5;

export interface SpansRecorded {
  rejected: number;
  /** Empty when nothing was rejected. */
  message: string;
}

/** Decodes an export request's bytes; throws OtlpRequestError (field `body`) when they are not one. */
export function decodeSpans(bytes: Buffer, protobuf: boolean): OtlpSpan[] {
  let decoded: unknown;
  try {
    decoded = protobuf ? decodeExportRequest(bytes) : JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new OtlpRequestError('body', `is not an OTLP ExportTraceServiceRequest in ${protobuf ? 'protobuf' : 'JSON'}`, protobuf ? 'invalid_body' : 'invalid_json');
  }
  return requestSpans(decoded, protobuf ? 'base64' : 'hex');
}

export async function recordSpans(spans: OtlpSpan[], context: CallContext, deps: IngestDeps): Promise<SpansRecorded> {
  const bySpanId = new Map(spans.map((span) => [span.spanId, span]));
  const refusals: string[] = [];
  const records: Record<string, unknown>[] = [];
  const recordSpans: OtlpSpan[] = [];
  for (const span of spans) {
    try {
      const record = genAiSpanToCall(span, bySpanId);
      if (record) {
        records.push(record);
        recordSpans.push(span);
      }
    } catch (error) {
      if (!(error instanceof SpanRejected)) throw error;
      refusals.push(`span ${span.spanId}: ${error.message}`);
    }
  }
  const results = records.length > 0 ? await ingestCalls(records, context, deps) : [];
  results.forEach((result, i) => {
    if (result.status === 'invalid' || result.status === 'conflict') refusals.push(`span ${recordSpans[i]!.spanId}: ${result.error.message}`);
  });
  const message = refusals.length === 0 ? '' : `${refusals.length} model-call span(s) not recorded: ${refusals.slice(0, QUOTED_REFUSALS).join('; ')}${refusals.length > QUOTED_REFUSALS ? '; ...' : ''}`;
  return { rejected: refusals.length, message };
}
