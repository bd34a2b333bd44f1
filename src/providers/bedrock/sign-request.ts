// AWS Signature Version 4 for Bedrock calls made with IAM credentials instead of a Bedrock API
// key: each request is signed when it is sent (the signature covers the final URL, the time and
// the body), by AWS's own signer with Node's SHA-256. The credentials are the process's
// environment's (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), as AWS's tools read them.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { createRequire } from 'node:module';
import type { RequestSigner } from '../kit/request-signer.js';

type SignatureV4 = InstanceType<typeof import('@smithy/signature-v4').SignatureV4>;
type SourceData = string | ArrayBuffer | ArrayBufferView;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const bytesOf = (data: SourceData): Uint8Array | string =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 (or its HMAC, given a secret) as AWS's signer asks for it, from Node's crypto. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
  update(chunk: SourceData): void {
    this.hash.update(bytesOf(chunk));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The process's AWS credentials, or null when it has none. */
export function awsCredentialsFromEnv(env: NodeJS.ProcessEnv): AwsCredentials | null {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return null;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/**
 * The signer of a Bedrock provider without an API key: its region from its address (else
 * AWS_REGION), its credentials from the environment; null when either is missing (its calls
 * then go unsigned and AWS answers 403, which the caller sees).
 */
export function bedrockRequestSigner(baseUrl: string, env: NodeJS.ProcessEnv): RequestSigner | null {
  const credentials = awsCredentialsFromEnv(env);
  const region = bedrockRegionOf(baseUrl) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return credentials && region ? bedrockSigner(region, credentials) : null;
}

/** The region of a Bedrock runtime address (`bedrock-runtime[-fips].<region>.amazonaws.com`), else null. */
export function bedrockRegionOf(baseUrl: string): string | null {
  try {
    return /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(new URL(baseUrl).hostname)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** A signer for Bedrock's service in one region; AWS's signer is loaded with the first one. */
export function bedrockSigner(region: string, credentials: AwsCredentials): RequestSigner {
  let signer: SignatureV4 | undefined;
  return async (request) => {
    if (!signer) {
      const { SignatureV4 } = createRequire(import.meta.url)('@smithy/signature-v4') as typeof import('@smithy/signature-v4');
      signer = new SignatureV4({ service: 'bedrock', region, credentials, sha256: NodeSha256 });
    }
    const url = new URL(request.path, request.origin);
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    const signed = await signer.sign({
      method: request.method, protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname, query, headers: { ...request.headers, host: url.host }, ...(request.body ? { body: request.body } : {}),
    });
    return signed.headers;
  };
}
