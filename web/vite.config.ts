// Builds the dashboard into dist/web, which the server serves at /.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The first page's own chunk is React, TanStack Query and the overview (about 85 KB gzipped);
// ECharts (about 180 KB) and the other pages are split off and load when needed, so the overview
// paints its KPIs before the chart code arrives. test/web.test.ts checks the 400 KB budget.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('../dist/web', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': 'http://127.0.0.1:4000', '/v1': 'http://127.0.0.1:4000' } },
});
