import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Vite names every file under assets/ after a hash of its content: a new build gives new names, never new bytes. */
const HASHED_ASSETS = `assets${path.sep}`;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built web app from `root` at `/`. The build writes a brotli and a gzip copy beside every text file
 * (apps/web/vite.config.ts), sent to browsers that accept them: compressed once at build time, never per request.
 * Hashed assets are cached for a year; everything else (index.html, robots.txt) is revalidated on every use, so a
 * new build reaches the browser on its next load.
 */
export async function registerWebApp(app: FastifyInstance, root: string): Promise<void> {
  const resolved = path.resolve(root);
  await app.register(fastifyStatic, {
    root: resolved,
    wildcard: false,
    index: ['index.html'],
    preCompressed: true,
    cacheControl: false,
    setHeaders: (res, file) => {
      res.setHeader('cache-control', path.relative(resolved, file).startsWith(HASHED_ASSETS) ? IMMUTABLE : 'no-cache');
      res.setHeader('vary', 'accept-encoding');
    },
  });
}

/**
 * For paths that are neither a file nor an API route: the app's index.html, so the app's own routes survive a
 * reload. Returns false for what must stay a 404 (API paths, non-GET requests, and assets of another build: a
 * script answered with HTML would fail obscurely, and be cached).
 */
export function serveAppShell(req: FastifyRequest, reply: FastifyReply): boolean {
  const pathname = req.url.split('?')[0] ?? '/';
  if (req.method !== 'GET' || pathname.startsWith('/api/') || pathname.startsWith('/assets/') || pathname === '/ws' || pathname === '/metrics' || pathname === '/healthz') {
    return false;
  }
  void reply.sendFile('index.html');
  return true;
}
