// Loupe's recording client for Node applications: `import { LoupeClient, observeOpenAI, observeAnthropic } from 'loupe/sdk'`.
export { LoupeClient, LoupeRecordError, type CallInput, type LoupeClientOptions } from './loupe-client.js';
export { observeOpenAI, type OpenAiLike } from './observe-openai.js';
export { observeAnthropic, type AnthropicLike } from './observe-anthropic.js';
export type { Attribution, ObserveOptions } from './observed-call.js';
