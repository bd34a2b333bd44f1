// Starts a worker thread on a module next to the caller, from built JavaScript or, when the
// caller itself runs from TypeScript source (tsx, tests), from the .ts file.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `callerUrl` is the caller's import.meta.url; `name` the entry's file name without extension. */
export function spawnWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  // Node 20 workers ignore `--import tsx` loaders, so the worker loads its .ts entry through
  // tsx's API instead.
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const code = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(callerUrl)}))`;
  return new Worker(code, { ...options, eval: true });
}
