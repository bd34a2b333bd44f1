// A gateway answer kept in memory instead of sent to a client: what a replay reads back.
import type { GatewayReply } from '../gateway/deliver-response.js';

export class CollectedReply implements GatewayReply {
  status = 200;
  readonly sentHeaders: Record<string, string> = {};
  body: Buffer | string | null = null;

  /** `raw` is the replay's own client: its going away stops the upstream call too. */
  constructor(readonly raw: GatewayReply['raw']) {}

  code(status: number): this {
    this.status = status;
    return this;
  }

  header(name: string, value: string): this {
    this.sentHeaders[name.toLowerCase()] = value;
    return this;
  }

  headers(values: Record<string, string>): this {
    for (const [name, value] of Object.entries(values)) this.header(name, value);
    return this;
  }

  type(contentType: string): this {
    return this.header('content-type', contentType);
  }

  send(payload: Buffer | string): this {
    this.body = payload;
    return this;
  }

  hijack(): never {
    // Replays ask for a whole answer (stream: false), so the gateway never streams one here.
    throw new Error('a replay is never streamed');
  }

  /** The answer as JSON, or null when it is not JSON. */
  json(): unknown {
    if (this.body === null) return null;
    try {
      return JSON.parse(this.body.toString()) as unknown;
    } catch {
      return null;
    }
  }
}
