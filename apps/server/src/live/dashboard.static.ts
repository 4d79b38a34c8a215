import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import express from 'express';

/**
 * Where Vite builds the dashboard (apps/dashboard/vite.config.ts: `<project>/dist/dashboard`), found by
 * walking up from this file: it runs from the sources (tests), from `dist/apps/server/...` (the built
 * server) and from other build folders under `dist/` (the dashboard bench).
 */
export function dashboardDir(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate =
      path.basename(dir) === 'dist' ? path.join(dir, 'dashboard') : path.join(dir, 'dist', 'dashboard');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Serves the built dashboard at `/`. Only files that exist are served, so /docs, /health, /metrics, the API
 * and /socket.io (handled by Socket.IO before Express) are never shadowed. Hashed assets are cached for
 * good; index.html is revalidated so a new build is picked up.
 */
export function serveDashboard(app: INestApplication, dir = dashboardDir()): boolean {
  if (!dir) return false;
  app.use(
    express.static(dir, {
      index: 'index.html',
      redirect: false,
      setHeaders: (response, file) =>
        response.setHeader(
          'cache-control',
          file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        ),
    }),
  );
  return true;
}
