/**
 * npm start: serve the county server and the app on PORT (default 8080), HOST (default 127.0.0.1),
 * with data under DATA_DIR (default ./data) or in PostgreSQL when DATABASE_URL is set. On a new,
 * empty database the demo county and its demo accounts are loaded (CUNYI_DEMO=0 turns this off).
 */
import { readFileSync } from 'node:fs';
import { buildApp } from './app.ts';
import { openDb } from './db.ts';
import { DEMO_PASSWORD, seedDemo } from './demo.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const server = await openDb({ dataDir: process.env.DATA_DIR ?? 'data', databaseUrl: process.env.DATABASE_URL });
const users = await server.db.selectFrom('users').select('id').limit(1).execute();
if (users.length === 0 && process.env.CUNYI_DEMO !== '0') {
  const accounts = await seedDemo(server.db, Number(process.env.CUNYI_DEMO_MEMBERS ?? 10_000));
  console.log(`A new database: loaded the demo county and these accounts (password "${DEMO_PASSWORD}"):`);
  for (const a of accounts) console.log(`  ${a.username.padEnd(9)} ${a.role.padEnd(18)} ${a.description}`);
}
const distDir = process.env.DIST_DIR ?? new URL('../../dist', import.meta.url).pathname;
const app = await buildApp({ db: server, distDir, version: pkg.version });
await app.listen({ port, host });
console.log(`村医助手 ${pkg.version} on http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/  (${server.backend}: ${server.location})`);
console.log('Open it and choose 演示模式 (demo mode) to try the app on this device alone.');

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void app.close().then(async () => {
      await server.close();
      process.exit(0);
    });
  });
}
