// What the gateway needs to call one upstream. A caller never supplies a URL: the base URL
// comes from the provider registry, and the adapter decides how the call is spoken.
import type { Dispatcher } from 'undici';
import type { ProviderAdapter } from '../providers/kit/adapter.js';
import type { RequestSigner } from '../providers/kit/request-signer.js';

export interface UpstreamTarget {
  name: string;
  type: string;
  baseUrl: string;
  apiKey: string | null;
  /** Whether a caller's own key (x-loupe-provider-key) is sent instead of `apiKey`. */
  allowClientKey: boolean;
  models: readonly string[];
  priority: number;
  timeoutMs: number;
  maxRetries: number;
  adapter: ProviderAdapter;
  /** Connection pool; untrusted upstreams get one whose DNS lookup refuses private addresses. */
  dispatcher: Dispatcher;
  /** Signs a request that carries no key of its own as it is sent (Bedrock with IAM credentials). */
  signRequest?: RequestSigner;
}
