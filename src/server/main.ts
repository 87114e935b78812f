/**
 * npm start: serve the county server and the app on PORT (default 8080), HOST (default 127.0.0.1),
 * with data under DATA_DIR (default ./data) or in PostgreSQL when DATABASE_URL is set.
 *
 * Demo accounts (published password) never reach a server others can reach: on a new, empty
 * database the demo county and its accounts are loaded only when the server listens on loopback
 * alone (the default; CUNYI_DEMO=0 turns this off) or when CUNYI_DEMO=1 asks for them. Bound to any
 * other address it starts with no account and says how to create the administrator, and it refuses
 * to start while a demo account still has the published password.
 *
 * The log (pino, one line a request, personal data redacted: src/server/logging.ts) goes to
 * standard output; TRUST_PROXY names a reverse proxy whose X-Forwarded-For gives the client address.
 */
import { readFileSync } from 'node:fs';
import { buildApp } from './app.ts';
import { verifyPassword } from './auth.ts';
import { openDb } from './db.ts';
import { DEMO_PASSWORD, DEMO_USERNAMES, isLoopback, seedDemo } from './demo.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const loopback = isLoopback(host);
const demoAsked = process.env.CUNYI_DEMO;
const demo = demoAsked === '1' || (demoAsked === undefined && loopback);

const server = await openDb({ dataDir: process.env.DATA_DIR ?? 'data', databaseUrl: process.env.DATABASE_URL });
const users = await server.db.selectFrom('users').select('id').limit(1).execute();
if (users.length === 0 && demo) {
  const accounts = await seedDemo(server.db, Number(process.env.CUNYI_DEMO_MEMBERS ?? 10_000));
  console.log(`A new database: loaded the demo county and these accounts (password "${DEMO_PASSWORD}"):`);
  for (const a of accounts) console.log(`  ${a.username.padEnd(9)} ${a.role.padEnd(18)} ${a.name}，${a.description}`);
  if (!loopback) console.log(`WARNING: the demo accounts' password is published, and this server listens on ${host}: use it for a demonstration only.`);
} else if (users.length === 0) {
  console.log('A new database with no account. Create the administrator (the password is asked for, or read from standard input):');
  console.log('  npm run admin -- create-user --username admin --role admin --name 管理员');
  console.log('then the other accounts with --role village-doctor|village-cadre|township-reviewer|county-reviewer --areas CODE,CODE (see docs/deploy.md).');
} else if (!loopback && demoAsked !== '1') {
  // A database that was a demo on loopback must not go on the network with the published password.
  const rows = await server.db.selectFrom('users').select(['username', 'password_hash']).where('username', 'in', DEMO_USERNAMES).where('disabled', '=', 0).orderBy('username').execute();
  const published: string[] = [];
  for (const r of rows) if (await verifyPassword(DEMO_PASSWORD, r.password_hash)) published.push(r.username);
  if (published.length) {
    console.error(`These accounts still have the published demo password: ${published.join(', ')}.`);
    console.error(`Refusing to listen on ${host}: give each a new password (npm run admin -- reset-password --username NAME) or disable it (npm run admin -- disable-user --username NAME), or set CUNYI_DEMO=1 for a demonstration.`);
    await server.close();
    process.exit(2);
  }
}
const distDir = process.env.DIST_DIR ?? new URL('../../dist', import.meta.url).pathname;
const trust = process.env.TRUST_PROXY;
const app = await buildApp({
  db: server,
  distDir,
  version: pkg.version,
  logger: process.env.CUNYI_LOG !== '0',
  ...(trust ? { trustProxy: trust === 'true' ? true : trust.split(',').map((s) => s.trim()) } : {}),
});
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
