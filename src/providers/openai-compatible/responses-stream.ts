// Watches a Responses API event stream on its way to the client: every event is forwarded as
// the exact bytes received; text, reasoning and function-call deltas are observed as they
// pass, usage and the finish from response.completed (or response.incomplete). A failed
// response, an error event or a malformed one ends the stream with an error terminal (the
// gateway writes the one error event), and so does an end of input before a final event.
import type { CallPlan, StreamTransform } from '../kit/adapter.js';
import { BaseStreamTransform } from '../kit/base-stream-transform.js';
import { concatBytes } from '../kit/bytes.js';
import { upstreamError } from '../kit/errors.js';
import { ToolCallAssembler } from '../kit/observations.js';
import { createSseReader, type SseFrame } from '../kit/sse.js';
import { malformedEventError, streamTruncatedError } from '../kit/stream-errors.js';
import { convertResponsesUsage, responsesFinishReason } from './responses-answer.js';
import { responsesEventSchema, type ResponseObject, type ResponsesEvent } from './responses-schemas.js';

class ResponsesStreamTransform extends BaseStreamTransform {
  protected readonly endMarker = 'response.completed';
  private readonly reader = createSseReader(responsesEventSchema);
  private readonly tools = new ToolCallAssembler();

  constructor(_plan: CallPlan) {
    super(false);
  }

  protected consume(bytes: Uint8Array): Uint8Array {
    return this.forwardFrames(this.reader.push(bytes));
  }

  protected flush(): Uint8Array {
    return this.forwardFrames(this.reader.end());
  }

  private forwardFrames(frames: SseFrame<ResponsesEvent>[]): Uint8Array {
    const forward: Uint8Array[] = [];
    for (const frame of frames) {
      if (this.ended) break;
      for (const part of frame.parts) {
        if (part.type === 'value') this.observe(part.value);
        else if (part.type === 'error' && part.reason !== 'field') this.fail(frame.complete ? malformedEventError(part.message) : streamTruncatedError('the end of an event'));
        if (this.ended) break;
      }
      // The event that failed the stream is not forwarded: the gateway writes one error event.
      if (this.observations.terminal?.kind !== 'error') forward.push(frame.bytes);
    }
    return concatBytes(forward);
  }

  /** Generated text of the answer or of its reasoning. */
  private text(field: 'content' | 'reasoning', delta: string): void {
    this.observations[field] += delta;
    this.observations.completionText += delta;
    this.generated(delta);
  }

  private observe(event: ResponsesEvent): void {
    const observations = this.observations;
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
        observations.responseId = event.response?.id ?? observations.responseId;
        observations.responseModel = event.response?.model ?? observations.responseModel;
        return;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        return this.text('content', event.delta ?? '');
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return this.text('reasoning', event.delta ?? '');
      case 'response.output_item.added':
        if (event.item?.type !== 'function_call') return;
        this.tools.add(event.item.id ?? String(this.tools.size), event.item.call_id, event.item.name, event.item.arguments);
        observations.toolCalls = this.tools.list;
        observations.toolCallsCount = this.tools.size;
        observations.completionText += `${event.item.name ?? ''}${event.item.arguments ?? ''}`;
        this.generated('', 1);
        return;
      case 'response.function_call_arguments.delta':
        this.tools.add(event.item_id ?? '', null, null, event.delta);
        observations.toolCalls = this.tools.list;
        observations.completionText += event.delta ?? '';
        return;
      case 'response.completed':
      case 'response.incomplete':
        if (event.response) this.settle(event.response);
        this.finish({ kind: 'done' });
        return;
      case 'response.failed':
        this.fail(upstreamError('server_error', { message: event.response?.error?.message ?? 'the response failed', code: event.response?.error?.code ?? 'response_failed' }));
        return;
      case 'error': {
        const code = event.code ?? 'stream_error';
        this.fail(upstreamError(/rate.?limit/i.test(code) ? 'rate_limited' : 'server_error', { message: event.message ?? 'upstream stream error', code }));
        return;
      }
      default:
        // Other events (content parts, items done, annotations, hosted tools) carry nothing new.
        return;
    }
  }

  private settle(response: ResponseObject): void {
    const observations = this.observations;
    observations.responseModel = response.model ?? observations.responseModel;
    if (response.usage) {
      observations.usage = convertResponsesUsage(response.usage);
      observations.usageSource = 'provider';
      observations.usageComplete = true;
    }
    observations.finishReason = responsesFinishReason(response, this.tools.size);
  }
}

export function createResponsesStreamTransform(plan: CallPlan): StreamTransform {
  return new ResponsesStreamTransform(plan);
}
