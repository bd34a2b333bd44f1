// A provider whose requests are signed when sent (AWS Signature Version 4 for Bedrock with IAM
// credentials): the signature covers the final URL, the time and the body, which the adapter's
// request does not know when it is built.

/** What is sent, to be signed. */
export interface SignableRequest {
  method: string;
  /** `https://host[:port]` */
  origin: string;
  /** Path and query, as sent. */
  path: string;
  headers: Readonly<Record<string, string>>;
  body: Uint8Array | null;
}

/** The headers to send in place of the request's own. */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;
