// A call's content and error message with secrets redacted (redact-secrets.ts), as the store
// will write it: the serialized content is redacted, and the parsed content replaced only when
// a secret was found in it (rare; the objects are left alone otherwise).
import type { CallRecord } from '../domain/call-record.js';
import { redactNullable } from './redact-secrets.js';

export interface CallContentJson {
  inputJson: string | null;
  outputJson: string | null;
}

export function redactCall(call: CallRecord, content: CallContentJson): CallContentJson {
  const inputJson = redactNullable(content.inputJson);
  const outputJson = redactNullable(content.outputJson);
  if (inputJson !== content.inputJson) call.input = JSON.parse(inputJson!) as unknown;
  if (outputJson !== content.outputJson) call.output = JSON.parse(outputJson!) as unknown;
  call.error_message = redactNullable(call.error_message);
  return { inputJson, outputJson };
}
