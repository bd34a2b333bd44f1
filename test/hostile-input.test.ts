// Every documented API route (from the server's own OpenAPI document) with hostile path
// segments, query values and bodies: each answer is a 4xx or a success, never a 5xx, and no
// answer carries a stack trace. The gateway's /v1 routes have their own tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_POLICY } from '../src/api/route-policy.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
}
interface OpenApi { paths: Record<string, Record<string, Operation>>; components?: unknown }

const HOSTILE_VALUES = ['', '-1', '1e309', 'NaN', '[]', "' OR 1=1 --", '%00', 'a'.repeat(5000), '😀', '2026-13-45', '9999999999999999999999', '__proto__', 'constructor', '../../etc/passwd', '-9223372036854775809'];
const HOSTILE_BODIES = ['{', 'null', '[]', '"x"', '1', '{"__proto__":{"polluted":1}}', '{"a":"b"}', '[{}]', JSON.stringify(Array(1500).fill({})), `{"x":${'['.repeat(3000)}${']'.repeat(3000)}}`];
const FIELD_VALUES: unknown[] = [null, -1, 1e308, 2 ** 63, 1.5, '', 'x'.repeat(100_000), [], {}, true, '9999999999999999999999', "'; DROP TABLE calls; --", { $gt: '' }];

let server: TestServer;
let spec: OpenApi;
beforeAll(async () => {
  server = await startTestServer();
  spec = (await server.request('GET', '/openapi.json')).json() as OpenApi;
});
afterAll(async () => server.close());

const problems: string[] = [];
async function probe(method: string, url: string, body?: string): Promise<void> {
  const response = await server.request(method, url, body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } });
  if (response.statusCode >= 500 || /\n\s+at .+:\d+:\d+/.test(response.body)) problems.push(`${response.statusCode} ${method} ${url.slice(0, 120)} ${String(body).slice(0, 60)}`);
}

function resolve(schema: Schema | undefined): Schema {
  let current = schema ?? {};
  while (current.$ref) current = current.$ref.split('/').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], spec) as Schema;
  return current.anyOf ? resolve(current.anyOf.find((option) => resolve(option).type !== 'null')) : current;
}

const routes = () => Object.entries(spec.paths).filter(([path]) => path.startsWith('/api/'));

describe('hostile input on every documented route', () => {
  it('query values and path segments', async () => {
    problems.length = 0;
    for (const [path, operations] of routes()) {
      for (const [method, operation] of Object.entries(operations)) {
        const verb = method.toUpperCase();
        const concrete = path.replace(/\{[^}]+\}/g, 'does-not-exist');
        const names = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
        for (const value of HOSTILE_VALUES) {
          if (verb === 'GET') await probe(verb, path.replace(/\{[^}]+\}/g, encodeURIComponent(value) || 'x'));
          for (const name of names) await probe(verb, `${concrete}?${encodeURIComponent(name)}=${encodeURIComponent(value)}`, verb === 'GET' || verb === 'DELETE' ? undefined : '{}');
        }
      }
    }
    expect(problems).toEqual([]);
    // About 15 requests per query parameter of every route, the common filters on most of them.
  }, 120_000);

  it('bodies, whole and field by field', async () => {
    problems.length = 0;
    for (const [path, operations] of routes()) {
      for (const [method, operation] of Object.entries(operations)) {
        const verb = method.toUpperCase();
        if (verb === 'GET' || path.includes('/session/login')) continue;
        const url = path.replace(/\{[^}]+\}/g, 'does-not-exist');
        for (const body of HOSTILE_BODIES) await probe(verb, url, body);
        const schema = resolve(operation.requestBody?.content?.['application/json']?.schema);
        const fields = Object.keys(resolve(schema.type === 'array' ? schema.items : schema).properties ?? {});
        for (const field of fields) {
          for (const value of FIELD_VALUES) {
            const record = { [field]: value };
            await probe(verb, url, JSON.stringify(schema.type === 'array' ? [record] : record));
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the seed adapters under /compat (not in the OpenAPI document): query values, path segments and bodies', async () => {
    problems.length = 0;
    // The query parameters the seeds document, and the fields of their writes.
    const names = ['days', 'hours', 'timeframe', 'provider', 'model', 'page', 'limit', 'status', 'search', 'startDate', 'endDate', 'sortBy', 'sortOrder', 'format', 'account_id'];
    const fields = ['provider', 'model', 'status', 'prompt', 'providers', 'ids', 'enabled', 'name', 'metric', 'threshold', 'operator', 'amount', 'budget_type', 'model_name', 'model_a', 'model_b', 'test_prompt', 'modifications', 'maxTokens'];
    // Fewer values than above: each adapter request asks one or more native routes in turn.
    const values = ['', '-1', '1e309', "' OR 1=1 --", 'a'.repeat(5000), '__proto__', '2026-13-45'];
    const fieldValues: unknown[] = [null, -1, '', 'x'.repeat(100_000), [], {}, "'; DROP TABLE calls; --"];
    const compat = Object.keys(ROUTE_POLICY).filter((key) => key.includes(' /compat/')).map((key) => key.split(' ') as [string, string]);
    expect(compat.length).toBeGreaterThan(60);
    for (const [verb, path] of compat) {
      const url = path.replace(/:[a-zA-Z_]+/g, 'does-not-exist');
      for (const value of values) {
        if (verb === 'GET') await probe(verb, path.replace(/:[a-zA-Z_]+/g, encodeURIComponent(value) || 'x'));
        for (const name of verb === 'GET' ? names : []) await probe(verb, `${url}?${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      }
      if (verb === 'GET') continue;
      for (const body of HOSTILE_BODIES) await probe(verb, url, body);
      for (const field of fields) for (const value of fieldValues) await probe(verb, url, JSON.stringify({ [field]: value }));
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
