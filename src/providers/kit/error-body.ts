// Pulls a human message and a machine code out of whatever an upstream sent with an error:
// OpenAI/Anthropic `{error:{message,type,code}}`, Ollama `{error:"..."}`, Mistral/FastAPI
// `{message|detail}`, or a proxy's HTML page; never throws.
import { decodeUtf8 } from './bytes.js';

export interface ErrorBodyDetails {
  message: string;
  code: string | null;
  type: string | null;
  param: string | null;
}

const MAX_TEXT = 500;

export function describeErrorBody(body: Uint8Array | string, status: number): ErrorBodyDetails {
  const text = (typeof body === 'string' ? body : decodeUtf8(body)).trim();
  if (text === '') return details(`upstream answered ${status} with an empty body`);
  const json = parseJson(text);
  if (json !== undefined) return describeErrorPayload(json, status);
  if (looksLikeHtml(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return details(`upstream answered ${status} with an HTML page${title ? ` (${title})` : ''}`);
  }
  return details(truncate(text));
}

/** Same as describeErrorBody, for a payload already parsed (e.g. an error inside a stream). */
export function describeErrorPayload(payload: unknown, status: number): ErrorBodyDetails {
  if (!isRecord(payload)) return details(`upstream answered ${status}: ${truncate(JSON.stringify(payload) ?? '')}`);
  const inner = payload.error;
  if (typeof inner === 'string') return details(truncate(inner), codeOf(payload.code), stringOf(payload.type));
  if (isRecord(inner)) {
    return details(
      messageOf(inner.message) ?? `upstream answered ${status}`,
      codeOf(inner.code),
      stringOf(inner.type),
      stringOf(inner.param),
    );
  }
  const message = messageOf(payload.message) ?? messageOf(payload.detail);
  if (message !== undefined) return details(message, codeOf(payload.code), stringOf(payload.type), stringOf(payload.param));
  return details(`upstream answered ${status}: ${truncate(JSON.stringify(payload))}`);
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype|html|head|body|\?xml)/i.test(text) || /^\s*</.test(text);
}

function details(message: string, code: string | null = null, type: string | null = null, param: string | null = null): ErrorBodyDetails {
  return { message, code, type, param };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return truncate(value);
  // Mistral nests validation details as an object (sometimes itself JSON-encoded).
  if (value !== null && typeof value === 'object') return truncate(JSON.stringify(value));
  return undefined;
}

function codeOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function truncate(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
