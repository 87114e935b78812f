/**
 * npm start: serve the county server and the app on PORT (default 8080), HOST (default 127.0.0.1),
 * with data under DATA_DIR (default ./data).
 */
import { readFileSync } from 'node:fs';
import { buildApp } from './app.ts';
import { openDb } from './db.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? 'data';

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const db = openDb(dataDir);
const distDir = process.env.DIST_DIR ?? new URL('../../dist', import.meta.url).pathname;
const app = await buildApp({ db, distDir, version: pkg.version });
await app.listen({ port, host });
console.log(`村医助手 ${pkg.version} on http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/  (data: ${db.path})`);
console.log('Open it, choose 演示模式 (demo mode) to try it with a synthetic county.');

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void app.close().then(() => {
      db.close();
      process.exit(0);
    });
  });
}
