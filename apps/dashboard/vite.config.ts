import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The dashboard is static files served by the Lookout server at `/` (see apps/server/src/live/dashboard.static.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
});
