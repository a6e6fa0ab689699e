import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Serves the built web app from `root` at `/` (hashed assets are cached; index.html is not). */
export async function registerWebApp(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, { root: path.resolve(root), wildcard: false, index: ['index.html'], maxAge: '1h' });
}

/**
 * For paths that are neither a file nor an API route: the app's index.html, so the app's own routes survive a
 * reload. Returns false for what must stay a 404 (API paths, non-GET requests).
 */
export function serveAppShell(req: FastifyRequest, reply: FastifyReply): boolean {
  const pathname = req.url.split('?')[0] ?? '/';
  if (req.method !== 'GET' || pathname.startsWith('/api/') || pathname === '/ws' || pathname === '/metrics' || pathname === '/healthz') {
    return false;
  }
  void reply.header('cache-control', 'no-cache').sendFile('index.html');
  return true;
}
