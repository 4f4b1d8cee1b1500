import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web UI is built into dist/web, which `cyrange serve` serves at /.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: { outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  esbuild: { jsx: 'automatic' },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
});
