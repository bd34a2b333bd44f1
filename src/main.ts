#!/usr/bin/env node
// The `loupe` command: serve (default), migrate, demo, store copy. Boot failures print one clear line.
import { Command } from 'commander';
import { registerDemoCommand } from './cli/demo-command.js';
import { registerStoreCommand } from './cli/store-copy-command.js';
import { applyHeapGrowth } from './config/heap-growth.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { ProviderError } from './provider-registry/provider-registry.js';
import { loupeVersion, startServer } from './server.js';
import { migrateStore } from './store/migrate-store.js';

async function serve(): Promise<void> {
  const config = loadConfig();
  applyHeapGrowth(config);
  const server = await startServer(config);
  if (server.createdAdminKey) {
    process.stdout.write(
      `\n  Loupe created an admin API key. It is shown this once; keep it safe:\n\n    ${server.createdAdminKey}\n\n` +
        `  Try it:  curl -H "Authorization: Bearer ${server.createdAdminKey}" ${server.url}/api/v1/logs\n\n`,
    );
  }
  server.app.log.info(`Loupe ${loupeVersion()} serving on ${server.url} (store: ${server.store.kind})`);
  const shutdown = (signal: string) => {
    server.app.log.info(`${signal}: draining the recorder and closing`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function migrate(): Promise<void> {
  const report = await migrateStore(loadConfig());
  const what = report.applied.length > 0 ? `applied migrations ${report.applied.join(', ')}` : 'schema already up to date';
  process.stdout.write(`${report.engine}: ${what}\n`);
}

const program = new Command('loupe').version(loupeVersion()).description('Loupe: LLM gateway and observability');
program.command('serve', { isDefault: true }).description('serve gateway, API and dashboard').action(serve);
program.command('migrate').description('apply store migrations and exit').action(migrate);
registerDemoCommand(program);
registerStoreCommand(program);

program.parseAsync().catch((error: unknown) => {
  // A provider or route of the config file that cannot be used names its key, as the schema's errors do.
  const message = error instanceof ProviderError ? `${error.field}: ${error.message}` : error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`loupe: ${message}\n`);
  process.exit(1);
});
