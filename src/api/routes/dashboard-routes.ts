// Serves the built dashboard (dist/web) at / and its client-side pages; API, gateway and docs
// paths are never shadowed. Without a build, / says how to make one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

/** Client-side pages of the dashboard (web/src/main.tsx). */
const PAGES = ['/', '/logs', '/sessions', '/traces', '/providers', '/compare', '/costs', '/outcomes', '/settings'];

function webRoot(): string | null {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(directory, 'package.json'))) {
      const built = join(directory, 'dist', 'web');
      return existsSync(join(built, 'index.html')) ? built : null;
    }
    directory = dirname(directory);
  }
  return null;
}

export async function registerDashboardRoutes(app: FastifyInstance): Promise<void> {
  const root = webRoot();
  if (!root) {
    app.get('/', { config: { scope: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send('Loupe is running. The dashboard is not built: run `npm run build` (npm start does it).\nAPI docs: /docs\n'));
    return;
  }
  const index = readFileSync(join(root, 'index.html'));
  // Built assets are few, small and named by content hash: held in memory, cached for a year.
  const assets = new Map(readdirSync(join(root, 'assets')).map((name) => [name, readFileSync(join(root, 'assets', name))]));
  app.withTypeProvider<ZodTypeProvider>().get('/assets/:file', { config: { scope: 'public' }, schema: { hide: true, params: z.strictObject({ file: z.string().min(1).max(200) }) } }, async (request, reply) => {
    const name = request.params.file;
    const body = assets.get(name);
    if (!body) return reply.code(404).send({ error: { code: 'not_found', message: `no asset ${name}` } });
    return reply.type(CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream').header('cache-control', 'public, max-age=31536000, immutable').send(body);
  });
  for (const page of PAGES) {
    app.get(page, { config: { scope: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'").send(index));
  }
}
