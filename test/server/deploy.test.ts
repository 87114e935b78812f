/**
 * npm start's entry (src/server/main.ts) as deployed, on SQLite and PostgreSQL: bound to an address
 * other machines can reach (0.0.0.0; the test itself only talks to 127.0.0.1) a new database gets no
 * account, and the server says how to make the administrator; on loopback the README's one-command
 * demo still gets its county and accounts; a demo database is refused on the network while an
 * account keeps the published password. On SQLite, DATA_DIR is made 0700 and the database files
 * (with -wal and -shm) 0600.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { openDb } from '../../src/server/db.ts';
import { ROOT } from '../helpers.ts';
import { BACKENDS, freshDb, type Backend } from './backends.ts';
import { dist } from './fixture.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

interface Run {
  code: number | null;
  out: string;
  /** When the server came up: a sign-in with a demo account, through 127.0.0.1. */
  demoLogin: number | null;
}

/**
 * Starts main.ts with the environment given; when it listens, tries the demo account once through
 * 127.0.0.1 and stops it. Resolves with what it printed and how it ended.
 */
async function run(env: Record<string, string>, whileUp?: () => void): Promise<Run> {
  const port = await freePort();
  const base = { ...process.env };
  delete base.CUNYI_DEMO;
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...base, PORT: String(port), DIST_DIR: dist(), CUNYI_DEMO_MEMBERS: '40', CUNYI_LOG: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let demoLogin: number | null = null;
  for (;;) {
    if (proc.exitCode !== null) break;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) {
        const r = await fetch(`http://127.0.0.1:${port}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-cunyi-protocol': String(PROTOCOL_VERSION) },
          body: JSON.stringify({ username: 'doctor', password: 'cunyi-demo', deviceId: ulid() }),
        });
        demoLogin = r.status;
        whileUp?.();
        proc.kill('SIGTERM');
        break;
      }
    } catch {
      /* not up yet */
    }
    if (await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 200))])) break;
  }
  return { code: await exited, out, demoLogin };
}

const mode = (path: string) => statSync(path).mode & 0o777;

for (const backend of BACKENDS) {
  describe(`npm start on ${backend}`, () => {
    const drops: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const d of drops) await d().catch(() => {});
    });
    /** An empty database of the backend, as main.ts is told of it. */
    const empty = async (b: Backend): Promise<Record<string, string>> => {
      if (b === 'sqlite') return { DATA_DIR: join(mkdtempSync(join(tmpdir(), 'cunyi-deploy-')), 'new', 'data') };
      const db = await freshDb(b);
      await db.close();
      drops.push(() => db.drop());
      return { DATABASE_URL: db.url! };
    };
    const users = async (env: Record<string, string>) => {
      const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR });
      try {
        return (await db.db.selectFrom('users').select('username').orderBy('username').execute()).map((u) => u.username);
      } finally {
        await db.close();
      }
    };

    it('makes no account on a new database when bound beyond loopback, and says how to make the administrator', async () => {
      const env = await empty(backend);
      const r = await run({ ...env, HOST: '0.0.0.0' });
      expect(r.demoLogin, r.out).toBe(401);
      expect(r.out).toContain('no account');
      expect(r.out).toContain('npm run admin -- create-user --username admin --role admin');
      expect(r.out).not.toContain('cunyi-demo');
      expect(await users(env)).toEqual([]);
    }, 120_000);

    it('still loads the demo county and accounts on loopback, and keeps them off the network while their password is the published one', async () => {
      const env = await empty(backend);
      const local = await run({ ...env, HOST: '127.0.0.1' });
      expect(local.demoLogin, local.out).toBe(200);
      expect(local.out).toContain('cunyi-demo');
      expect(await users(env)).toEqual(['admin', 'cadre', 'county', 'doctor', 'township']);
      const exposed = await run({ ...env, HOST: '0.0.0.0' });
      expect(exposed.code, exposed.out).toBe(2);
      expect(exposed.demoLogin).toBeNull();
      expect(exposed.out).toMatch(/published demo password: admin, cadre, county, doctor, township/);
      // Asked for explicitly, a demonstration on the network is allowed.
      const modes: string[] = [];
      const asked = await run({ ...env, HOST: '0.0.0.0', CUNYI_DEMO: '1' }, () => {
        if (backend !== 'sqlite') return;
        const dir = env.DATA_DIR!;
        modes.push(`data ${mode(dir).toString(8)}`);
        for (const f of ['cunyi.sqlite', 'cunyi.sqlite-wal', 'cunyi.sqlite-shm']) modes.push(`${f} ${mode(join(dir, f)).toString(8)}`);
      });
      expect(asked.demoLogin, asked.out).toBe(200);
      if (backend === 'sqlite') expect(modes).toEqual(['data 700', 'cunyi.sqlite 600', 'cunyi.sqlite-wal 600', 'cunyi.sqlite-shm 600']);
    }, 180_000);

    it('makes demo accounts beyond loopback only when CUNYI_DEMO=1 asks', async () => {
      const env = await empty(backend);
      const r = await run({ ...env, HOST: '0.0.0.0', CUNYI_DEMO: '1' });
      expect(r.demoLogin, r.out).toBe(200);
      expect(r.out).toMatch(/WARNING: the demo accounts' password is published/);
    }, 120_000);
  });
}

describe('the SQLite files', () => {
  it('are the server’s alone: DATA_DIR 0700, the database, -wal and -shm 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'cunyi-modes-')), 'a', 'b');
    const db = await openDb({ dataDir: dir });
    try {
      await db.db.insertInto('counters').values({ name: 'probe', value: 1 }).execute();
      expect(mode(dir).toString(8)).toBe('700');
      for (const f of ['cunyi.sqlite', 'cunyi.sqlite-wal', 'cunyi.sqlite-shm']) expect(`${f} ${mode(join(dir, f)).toString(8)}`).toBe(`${f} 600`);
    } finally {
      await db.close();
    }
  });
});
