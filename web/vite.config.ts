// Builds the dashboard into dist/web, which the server serves at /.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The first page carries ECharts' core (about 265 KB gzipped in all, under the 400 KB budget that
// test/web.test.ts checks); the other pages are split off.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('../dist/web', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': 'http://127.0.0.1:4000', '/v1': 'http://127.0.0.1:4000' } },
});
