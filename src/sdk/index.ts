// Loupe's recording client for Node applications: `import { LoupeClient, observeOpenAI } from 'loupe/sdk'`.
export { LoupeClient, LoupeRecordError, type CallInput, type LoupeClientOptions } from './loupe-client.js';
export { observeOpenAI, type Attribution, type ObserveOptions, type OpenAiLike } from './observe-openai.js';
