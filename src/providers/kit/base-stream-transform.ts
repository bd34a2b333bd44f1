// What every stream transform shares: holding the first bytes until they prove to be a
// stream, reaching exactly one terminal, reporting the read that carried the first token,
// and failing a stream that ends before its end marker. Providers implement only parsing.
import type { StreamObservations, StreamStep, StreamTerminal, StreamTransform } from './adapter.js';
import { EMPTY_BYTES } from './bytes.js';
import type { UpstreamError } from './errors.js';
import { emptyObservations, step } from './observations.js';
import { StreamStartGuard } from './stream-start.js';
import { streamTruncatedError } from './stream-errors.js';

export abstract class BaseStreamTransform implements StreamTransform {
  readonly observations: StreamObservations = emptyObservations();
  private readonly guard: StreamStartGuard;
  private firstTokenNow = false;

  /** @param expectJsonLines NDJSON streams start with `{`; SSE streams must not. */
  protected constructor(expectJsonLines: boolean) {
    this.guard = new StreamStartGuard(expectJsonLines);
  }

  /** Parses bytes known to be stream bytes; returns what the client gets for them. */
  protected abstract consume(bytes: Uint8Array): Uint8Array;
  /** End of input for the parser (an unterminated tail is read here). */
  protected abstract flush(): Uint8Array;
  /** What a complete stream ends with, for the truncation message (`message_stop`). */
  protected abstract readonly endMarker: string;

  /** Whether an end of input without the end marker still counts as complete. */
  protected endedWithoutMarkerIsComplete(): boolean {
    return false;
  }

  /** Call for each piece of generated output; the first one stamps time to first token. */
  protected generated(text: string, calls = 0): void {
    if ((text === '' && calls === 0) || this.observations.sawFirstToken) return;
    this.observations.sawFirstToken = true;
    this.firstTokenNow = true;
  }

  /** Ends the stream once; later calls keep the first end state. */
  protected finish(terminal: StreamTerminal): void {
    this.observations.terminal ??= terminal;
  }

  protected fail(error: UpstreamError): void {
    this.finish({ kind: 'error', error });
  }

  protected get ended(): boolean {
    return this.observations.terminal !== null;
  }

  push(chunk: Uint8Array): StreamStep {
    if (this.ended) return step();
    const admitted = this.guard.admit(chunk);
    return admitted === null ? step() : this.stepWith(this.consume(admitted));
  }

  end(): StreamStep {
    if (this.ended) return step();
    const forward = this.flush();
    if (!this.ended) {
      const notStream = this.guard.finish();
      if (notStream !== null) this.fail(notStream);
      else if (this.endedWithoutMarkerIsComplete()) this.finish({ kind: 'done' });
      else this.fail(streamTruncatedError(this.endMarker));
    }
    return this.stepWith(forward);
  }

  private stepWith(forward: Uint8Array): StreamStep {
    const firstToken = this.firstTokenNow;
    this.firstTokenNow = false;
    return { forward: forward.length === 0 ? EMPTY_BYTES : forward, firstToken, terminal: this.observations.terminal };
  }
}
