// The LiteLLM spend-log import of a server, when the config names a LiteLLM database: its own
// small connection pool, the project it imports into, and the schedule.
import pg from 'pg';
import type { LoupeConfig } from '../../config/schema.js';
import type { Recorder } from '../../recorder/recorder.js';
import type { Store } from '../../store/ports.js';
import { LiteLlmSync } from './litellm-sync.js';
import { SpendLogReader } from './spend-log-reader.js';

export interface LiteLlmImport {
  sync: LiteLlmSync;
  start(): void;
  stop(): Promise<void>;
}

export async function startLiteLlmSync(config: Readonly<LoupeConfig>, store: Store, recorder: Recorder, onError: (error: unknown) => void): Promise<LiteLlmImport | null> {
  if (!config.litellm_database_url) return null;
  // Reads only, a page at a time: two connections are plenty and leave the proxy's own alone.
  const pool = new pg.Pool({ connectionString: config.litellm_database_url, max: 2 });
  pool.on('error', onError);
  await store.projects.ensure(config.litellm_project, config.litellm_project);
  const sync = new LiteLlmSync(new SpendLogReader(pool), store, recorder, { projectId: config.litellm_project }, onError);
  return {
    sync,
    start: () => sync.start(config.litellm_sync_seconds * 1000),
    stop: async () => {
      await sync.stop();
      await pool.end();
    },
  };
}
