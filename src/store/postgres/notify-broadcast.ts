// Messages between instances through LISTEN/NOTIFY, on a channel per schema so separate
// Loupe deployments (or test schemas) on one database do not hear each other. The listening
// connection is held apart from the pool and reconnects after a failure.
import pg from 'pg';
import type { StoreBroadcast } from '../ports.js';

const RECONNECT_MS = 1000;

export async function channelName(pool: pg.Pool): Promise<string> {
  const rows = await pool.query<{ schema: string }>('SELECT current_schema() AS schema');
  return `loupe_${rows.rows[0]?.schema ?? 'public'}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}

export class NotifyBroadcast implements StoreBroadcast {
  constructor(private readonly pool: pg.Pool, private readonly connectionString: string, private readonly channel: string) {}

  async send(message: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, message]);
  }

  async listen(listener: (message: string) => void): Promise<() => Promise<void>> {
    let stopped = false;
    let client: pg.Client | null = null;
    const connect = async (): Promise<void> => {
      const next = new pg.Client({ connectionString: this.connectionString });
      next.on('notification', (notification) => {
        if (notification.channel === this.channel && notification.payload !== undefined) listener(notification.payload);
      });
      next.on('error', () => {
        if (client === next) client = null;
        next.end().catch(() => undefined);
        if (!stopped) setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS).unref();
      });
      await next.connect();
      await next.query(`LISTEN "${this.channel}"`);
      if (stopped) await next.end();
      else client = next;
    };
    await connect();
    return async () => {
      stopped = true;
      await client?.end().catch(() => undefined);
      client = null;
    };
  }
}
