// Loads N synthetic calls straight into a DuckDB store with one INSERT ... SELECT over
// range(), for benchmarks that need millions of rows quickly (the demo generator makes
// richer data through the real ingestion path, at a lower rate).
import type { Store } from '../src/store/ports.js';

const WORDS = [
  'market', 'report', 'quarter', 'risk', 'revenue', 'forecast', 'customer', 'latency', 'model', 'budget',
  'analysis', 'signal', 'volatility', 'position', 'summary', 'invoice', 'contract', 'schedule', 'support', 'ticket',
  'deploy', 'cluster', 'database', 'index', 'query', 'refund', 'shipping', 'order', 'account', 'payment',
];

/** A text column of about `chars` characters, different per row, built from the word list. */
function textExpression(seedColumn: string, words: number): string {
  const list = `[${WORDS.map((word) => `'${word}'`).join(',')}]`;
  return `array_to_string(list_transform(range(${words}), w -> ${list}[1 + ((hash(${seedColumn} * 1000 + w) % ${WORDS.length})::INTEGER)]), ' ')`;
}

export interface SyntheticOptions {
  calls: number;
  days: number;
  projectId?: string;
  /** Prefix of the ids ('syn-' by default); another prefix adds calls beside earlier ones. */
  idPrefix?: string;
  /** Where the span of the calls ends (ms; default now). */
  endAt?: number;
  /** Leave input/output empty (10M-row runs). */
  withContent?: boolean;
  /** One row in this many carries the rare marker word, for rare-term search timing. */
  rareEvery?: number;
  /**
   * Keep each call's search words, as calls written through Loupe have them; by default none
   * are kept, as for calls stored before they were, and the search indexer reads the text.
   */
  searchWords?: boolean;
  onProgress?(loaded: number): void;
}

const CHUNK = 100_000;

export const RARE_WORD = 'zanzibarquartz';

export async function loadSyntheticCalls(store: Pick<Store, 'sql'>, options: SyntheticOptions): Promise<void> {
  const project = (options.projectId ?? 'default').replaceAll("'", "''");
  const spanMs = options.days * 86_400_000;
  const withContent = options.withContent ?? true;
  const rareEvery = options.rareEvery ?? 100_000;
  const promptText = textExpression('i', 110);
  const answerText = textExpression('i + 7', 70);
  const input = withContent
    ? `json_array(json_object('role', 'system', 'content', 'You are a helpful analyst.'), json_object('role', 'user', 'content', ${promptText} || CASE WHEN i % ${rareEvery} = 0 THEN ' ${RARE_WORD}' ELSE '' END))`
    : 'NULL';
  const output = withContent ? `json_object('role', 'assistant', 'content', ${answerText})` : 'NULL';
  const searchWords = options.searchWords
    ? `array_to_string(list_distinct(regexp_extract_all(lower(concat_ws(' ', CAST(${input} AS VARCHAR), CAST(${output} AS VARCHAR))), '[a-z0-9]+')), ' ')`
    : 'NULL';
  const providers = `['openai','anthropic','mistral','ollama']`;
  const models = `['gpt-4o','gpt-4o-mini','claude-sonnet-4','claude-3-5-haiku','mistral-large-latest','llama3.1:8b']`;
  const statuses = `['success','success','success','success','success','success','success','success','success','error']`;
  const now = options.endAt ?? Date.now();
  const prefix = (options.idPrefix ?? 'syn-').replaceAll("'", "''");
  // Rows go in time order, as the recorder writes them, so zone maps prune time filters.
  const sql = `
    INSERT INTO calls
    SELECT
      '${prefix}' || i AS id, '${prefix}' || i, '${project}', NULL, NULL,
      make_timestamp(((${now - spanMs} + i * ${spanMs} // ${options.calls}) * 1000)::BIGINT),
      make_timestamp(((${now - spanMs} + i * ${spanMs} // ${options.calls} + 800) * 1000)::BIGINT),
      200 + (hash(i) % 3000)::DOUBLE, 50 + (hash(i + 1) % 400)::DOUBLE, 20 + (hash(i + 2) % 80)::DOUBLE,
      ${providers}[1 + (i % 4)::INTEGER], ${models}[1 + (i % 6)::INTEGER], NULL, '/v1/chat/completions',
      i % 3 = 0, 'stop', NULL,
      ${statuses}[1 + (hash(i + 3) % 10)::INTEGER], 200, NULL, NULL,
      300 + (i % 900), 80 + (i % 300), 380 + (i % 900) + (i % 300), 0, 0, 0, 'provider',
      ((300 + (i % 900)) * 2.5 + (80 + (i % 300)) * 10.0) / 1e6, NULL, NULL, 'catalog',
      false, NULL, 1, false, 0, NULL,
      'user-' || (i % 500), 'session-' || (i // 8), ['researcher','analyst','trader'][1 + (i % 3)::INTEGER], NULL, NULL,
      ['demo'], json_object('symbol', ['AAPL','TSLA','BTC-USD','EURUSD'][1 + (i % 4)::INTEGER]),
      NULL, NULL, ${input}, ${output}, 'synthetic', nextval('calls_commit_seq'), ${searchWords}
    FROM range(:start, :end) t(i)`.replace(/\n\s+/g, ' ');
  // Chunks keep each statement's text columns well inside DuckDB's memory limit.
  for (let start = 0; start < options.calls; start += CHUNK) {
    const end = Math.min(options.calls, start + CHUNK);
    await store.sql.query(sql.replace(':start', String(start)).replace(':end', String(end)));
    options.onProgress?.(end);
  }
}
