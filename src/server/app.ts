/**
 * The county server's HTTP application: the built PWA (every app route answers with the shell,
 * so deep links work on first load too) and the API under /api.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServerDb } from './db.ts';

export interface AppOptions {
  db: ServerDb;
  /** The built app (vite build output). */
  distDir: string;
  version: string;
  logger?: boolean;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false });

  app.get('/api/health', async () => ({
    status: 'ok',
    version: opts.version,
    storage: { backend: opts.db.backend, path: opts.db.path },
    time: new Date().toISOString(),
  }));

  app.all('/api/*', async (req, reply) => reply.code(404).send({ error: { code: 'not-found', message: `no API route ${req.method} ${req.url}` } }));

  const dist = resolve(opts.distDir);
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`the built app is missing at ${dist}: run "npm run build" (npm start does it)`);
  }
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    setHeaders: (res, path) => {
      // The service worker and the shell must always be revalidated; hashed assets never change.
      if (/\/(sw\.js|index\.html|manifest\.webmanifest|registerSW\.js)$/.test(path)) res.setHeader('Cache-Control', 'no-cache');
      else if (/\/assets\//.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html')) {
      return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
    }
    return reply.code(404).send({ error: { code: 'not-found', message: `${req.method} ${req.url}` } });
  });
  return app;
}
