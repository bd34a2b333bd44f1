// Config: file + environment merge, defaults, and boot failures that name the bad key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { providerBaseUrl } from '../providers/provider-types.js';
import { ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', data_dir: './data', duckdb_cache_trim_seconds: 60, alert_interval_seconds: 60 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets the environment override the file', () => {
    const path = file('a.yaml', 'port: 5000\nhost: 0.0.0.0\nrecorder:\n  max_batch: 500\n');
    const config = loadConfig({ LOUPE_CONFIG: path, LOUPE_PORT: '6000', LOUPE_DATA_DIR: '/tmp/x', LOUPE_HEAP_GROWTH_PERCENT: '25', LOUPE_DUCKDB_CACHE_TRIM_SECONDS: '0', LOUPE_ALERT_INTERVAL_SECONDS: '15' });
    expect(config).toMatchObject({ port: 6000, host: '0.0.0.0', data_dir: '/tmp/x', recorder: { max_batch: 500 }, heap_growth_percent: 25, duckdb_cache_trim_seconds: 0, alert_interval_seconds: 15 });
    expect(() => loadConfig({ LOUPE_DUCKDB_CACHE_TRIM_SECONDS: '-5' })).toThrow(/duckdb_cache_trim_seconds/);
    expect(() => loadConfig({ LOUPE_ALERT_INTERVAL_SECONDS: 'often' })).toThrow(/alert_interval_seconds/);
  });

  it('reads JSON files and provider shortcuts from the environment', () => {
    const path = file('b.json', JSON.stringify({ providers: [{ name: 'local', type: 'ollama', base_url: 'http://127.0.0.1:11434' }] }));
    const config = loadConfig({ LOUPE_CONFIG: path, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', DEEPSEEK_API_KEY: 'sk-deep' });
    expect(config.providers.map((provider) => provider.name)).toEqual(['local', 'openai', 'deepseek']);
    expect(config.providers[2]).toMatchObject({ type: 'deepseek', api_key: 'sk-deep' });
    expect(config.providers[1]).toMatchObject({ type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-test' });
  });

  it('takes the keys of Groq, xAI, Together and Fireworks, each provider at its own address', () => {
    const config = loadConfig({ GROQ_API_KEY: 'gsk-1', XAI_API_KEY: 'xai-1', TOGETHER_API_KEY: 'tg-1', FIREWORKS_API_KEY: 'fw-1', FIREWORKS_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(config.providers.map((provider) => [provider.name, provider.type, provider.api_key, provider.base_url])).toEqual([
      ['groq', 'groq', 'gsk-1', undefined], ['xai', 'xai', 'xai-1', undefined], ['together', 'together', 'tg-1', undefined], ['fireworks', 'fireworks', 'fw-1', 'http://127.0.0.1:9/v1'],
    ]);
    expect(['groq', 'xai', 'together', 'fireworks'].map((type) => providerBaseUrl(type, undefined))).toEqual([
      'https://api.groq.com/openai/v1', 'https://api.x.ai/v1', 'https://api.together.xyz/v1', 'https://api.fireworks.ai/inference/v1',
    ]);
  });

  it("takes a Bedrock API key by AWS's variable names, at its region's runtime, and refuses it without a region by name", () => {
    const config = loadConfig({ AWS_BEARER_TOKEN_BEDROCK: 'bedrock-key', AWS_REGION: 'eu-west-3' });
    expect(config.providers).toEqual([expect.objectContaining({ name: 'bedrock', type: 'bedrock', api_key: 'bedrock-key', base_url: 'https://bedrock-runtime.eu-west-3.amazonaws.com' })]);
    expect(loadConfig({ AWS_BEARER_TOKEN_BEDROCK: 'k', AWS_DEFAULT_REGION: 'us-west-2' }).providers[0]).toMatchObject({ base_url: 'https://bedrock-runtime.us-west-2.amazonaws.com' });
    expect(() => loadConfig({ AWS_BEARER_TOKEN_BEDROCK: 'k' })).toThrow(/AWS_REGION/);
    // The runtime's address alone: no key, so calls are signed with the environment's AWS credentials.
    const signed = loadConfig({ BEDROCK_BASE_URL: 'https://bedrock-runtime.ap-northeast-1.amazonaws.com' }).providers[0]!;
    expect([signed.type, signed.base_url, signed.api_key]).toEqual(['bedrock', 'https://bedrock-runtime.ap-northeast-1.amazonaws.com', undefined]);
  });

  it("takes Azure OpenAI's own variables, and refuses its key without the resource endpoint by name", () => {
    const config = loadConfig({ AZURE_OPENAI_API_KEY: 'az-key', AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com' });
    expect(config.providers).toEqual([expect.objectContaining({ name: 'azure', type: 'azure', api_key: 'az-key', base_url: 'https://contoso.openai.azure.com' })]);
    expect(() => loadConfig({ AZURE_OPENAI_API_KEY: 'az-key' })).toThrow(ConfigError);
    expect(() => loadConfig({ AZURE_OPENAI_API_KEY: 'az-key' })).toThrow(/AZURE_OPENAI_ENDPOINT/);
  });

  it.each([
    [{ LOUPE_PORT: 'eighty' }, 'port'],
    [{ LOUPE_PORT: '70000' }, 'port'],
    [{ LOUPE_ADMIN_KEY: 'short' }, 'admin_key'],
    [{ LOUPE_LOG_LEVEL: 'loud' }, 'log_level'],
    [{ LOUPE_HEAP_GROWTH_PERCENT: '0' }, 'heap_growth_percent'],
    // 40 characters, but 30 bytes once read as base64: too short a key for AES-256.
    [{ LOUPE_SECRET_KEY: 'a-passphrase-that-is-not-a-base64-key-ok' }, 'secret_key'],
  ])('refuses %o naming %s', (env, key) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`\\b${key}\\b`));
  });

  it('refuses unknown keys in the file by name', () => {
    const path = file('c.yaml', 'prot: 4000\n');
    expect(() => loadConfig({ LOUPE_CONFIG: path })).toThrow(/prot/);
  });

  it('refuses a file that is not valid YAML', () => {
    const path = file('d.yaml', 'port: [unclosed\n');
    expect(() => loadConfig({ LOUPE_CONFIG: path })).toThrow(/LOUPE_CONFIG/);
  });
});
