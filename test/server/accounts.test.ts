/**
 * Accounts on the county server, on SQLite and PostgreSQL: one device shared by several users of a
 * county (who registered it and who used it kept), a revoked device and a disabled user told apart
 * from an expired session (the tablet wipes a profile on the first two), the password rule, sign-in
 * throttling per client address and per username with Retry-After, and the lockout of a username
 * after repeated wrong passwords, kept in the database across a restart.
 */
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp, type AppOptions } from '../../src/server/app.ts';
import * as auth from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb, MANY_LOGINS } from './backends.ts';

const county = generateCounty({ seed: 9, members: 300 });
const villages = [...county.villages].sort((a, b) => a.code.localeCompare(b.code));
const mine = villages[0]!;
const otherTownship = villages.find((v) => v.code.slice(0, 9) !== mine.code.slice(0, 9))!;
const PASSWORD = 'a-good-password';
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };

function dist(): string {
  const d = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>t</title>');
  return d;
}

for (const backend of BACKENDS) {
  describe(`accounts on ${backend}`, () => {
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    let app: FastifyInstance;
    const apps: FastifyInstance[] = [];
    const ids: Record<string, string> = {};
    const newApp = async (o: Partial<AppOptions> = {}) => {
      const a = await buildApp({ db: sdb, distDir: dist(), version: 'test', ...o });
      apps.push(a);
      return a;
    };

    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, county);
      const users: [string, Parameters<typeof auth.createUser>[1]['role'], string[]][] = [
        ['doctor', 'village-doctor', [mine.code]],
        ['cadre', 'village-cadre', [mine.code]],
        ['doctor2', 'village-doctor', [otherTownship.code]],
        ['township', 'township-reviewer', [mine.code.slice(0, 9)]],
        ['outsider', 'village-doctor', ['610322100200']],
        ['admin', 'admin', []],
        ['locked1', 'village-doctor', [mine.code]],
        ['locked2', 'village-doctor', [mine.code]],
      ];
      for (const [username, role, areas] of users) ids[username] = await auth.createUser(sdb.db, { username, displayName: username, role, password: PASSWORD, areas });
      app = await newApp({ loginLimits: MANY_LOGINS });
    });
    afterAll(async () => {
      for (const a of apps) await a.close();
      await sdb?.drop();
    });

    const signIn = (a: FastifyInstance, username: string, deviceId: string, password = PASSWORD, remoteAddress = '127.0.0.1') =>
      a.inject({ method: 'POST', url: '/api/login', headers: H, remoteAddress, payload: { username, password, deviceId, deviceName: 'tablet' } });
    const session = async (username: string, deviceId: string) => {
      const r = await signIn(app, username, deviceId);
      expect(r.statusCode, r.body).toBe(200);
      return { ...H, authorization: `Bearer ${r.json().token}` };
    };
    const me = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/api/me', headers });
    const pull = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/api/sync/pull?since=0&limit=1', headers });
    const codeOf = (r: { statusCode: number; json(): { error?: { code?: string } } }) => [r.statusCode, r.json().error?.code];

    it('lets several users of the county sign in on one device, keeping who registered it and who used it', async () => {
      const device = ulid();
      const doctor = await session('doctor', device);
      // Another user of the same county on the same tablet (refused before: "registered to another user").
      const cadre = await signIn(app, 'cadre', device);
      expect(cadre.statusCode, cadre.body).toBe(200);
      expect((await signIn(app, 'doctor2', device)).statusCode).toBe(200);
      expect((await signIn(app, 'admin', device)).statusCode).toBe(200);
      // A user of another county is not.
      expect(codeOf(await signIn(app, 'outsider', device))).toEqual([403, 'forbidden']);
      const cadreAuth = { ...H, authorization: `Bearer ${cadre.json().token}` };
      expect((await me(cadreAuth)).json()).toMatchObject({ username: 'cadre', deviceId: device });
      expect((await me(doctor)).json()).toMatchObject({ username: 'doctor', deviceId: device });
      // Who registered it stays; who used it is queryable.
      const row = await sdb.db.selectFrom('devices').selectAll().where('id', '=', device).executeTakeFirstOrThrow();
      expect(row.user_id).toBe(ids.doctor);
      const used = await sdb.db.selectFrom('device_users').select(['user_id']).where('device_id', '=', device).execute();
      expect(new Set(used.map((u) => u.user_id))).toEqual(new Set([ids.doctor, ids.cadre, ids.doctor2, ids.admin]));
      // Signing in again keeps one row per user.
      await session('cadre', device);
      expect(await sdb.db.selectFrom('device_users').select('user_id').where('device_id', '=', device).execute()).toHaveLength(4);
    });

    it('ends every session on a revoked device and says so, to each of its users', async () => {
      const device = ulid();
      const doctor = await session('doctor', device);
      const cadre = await session('cadre', device);
      const elsewhere = await session('doctor', ulid());
      await auth.revokeDevice(sdb.db, device);
      for (const h of [doctor, cadre]) {
        expect(codeOf(await pull(h))).toEqual([403, 'device-revoked']);
        expect(codeOf(await me(h))).toEqual([403, 'device-revoked']);
      }
      expect((await me(elsewhere)).statusCode).toBe(200);
      expect(codeOf(await signIn(app, 'cadre', device))).toEqual([403, 'device-revoked']);
      const ended = await sdb.db.selectFrom('sessions').select(['ended_at', 'ended_reason']).where('device_id', '=', device).execute();
      expect(ended.length).toBe(2);
      expect(ended.every((s) => s.ended_at !== null && s.ended_reason === 'device-revoked')).toBe(true);
    });

    it('refuses a disabled user at once, on every device, and says so; enabled again, they sign in anew', async () => {
      const shared = ulid();
      const cadreA = await session('cadre', shared);
      const cadreB = await session('cadre', ulid());
      const doctor = await session('doctor', shared);
      // The flag alone refuses the tokens (they kept working before).
      await sdb.db.updateTable('users').set({ disabled: 1 }).where('id', '=', ids.cadre!).execute();
      expect(codeOf(await pull(cadreA))).toEqual([403, 'user-disabled']);
      await sdb.db.updateTable('users').set({ disabled: 0 }).where('id', '=', ids.cadre!).execute();
      expect((await pull(cadreA)).statusCode).toBe(200);
      // disable-user ends the sessions too.
      await auth.disableUser(sdb.db, 'cadre');
      for (const h of [cadreA, cadreB]) expect(codeOf(await me(h))).toEqual([403, 'user-disabled']);
      expect((await me(doctor)).statusCode).toBe(200);
      // The right password says why; a wrong one says nothing more than wrong.
      expect(codeOf(await signIn(app, 'cadre', shared))).toEqual([403, 'user-disabled']);
      expect(codeOf(await signIn(app, 'cadre', shared, 'not-the-password'))).toEqual([401, 'unauthorized']);
      await auth.enableUser(sdb.db, 'cadre');
      // The old sessions stay ended (sign in again), and signing in works.
      for (const h of [cadreA, cadreB]) expect(codeOf(await me(h))).toEqual([401, 'unauthorized']);
      const again = await session('cadre', shared);
      expect((await me(again)).json()).toMatchObject({ username: 'cadre' });
    });

    it('answers unauthorized for an expired, ended or unknown session', async () => {
      const device = ulid();
      const a = await session('doctor2', device);
      const b = await session('doctor2', device);
      await sdb.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('token_hash', '=', (await tokenRow(a)).token_hash).execute();
      expect(codeOf(await me(a))).toEqual([401, 'unauthorized']);
      await auth.resetPassword(sdb.db, 'doctor2', 'another-good-password');
      expect(codeOf(await me(b))).toEqual([401, 'unauthorized']);
      expect(codeOf(await me({ ...H, authorization: `Bearer ${'x'.repeat(43)}` }))).toEqual([401, 'unauthorized']);
      expect(codeOf(await me(H))).toEqual([401, 'unauthorized']);
      await auth.resetPassword(sdb.db, 'doctor2', PASSWORD);
    });
    const tokenRow = async (h: Record<string, string>) => {
      const { createHash } = await import('node:crypto');
      const hash = createHash('sha256').update(h.authorization!.slice(7)).digest('hex');
      return sdb.db.selectFrom('sessions').selectAll().where('token_hash', '=', hash).executeTakeFirstOrThrow();
    };

    it('refuses weak passwords when an account is made or its password reset', async () => {
      const make = (username: string, password: string) => auth.createUser(sdb.db, { username, displayName: username, role: 'village-doctor', password, areas: [] });
      const refusals: [string, string, RegExp][] = [
        ['weak1', 'short-pw9', /至少 10 个字符.*at least 10 characters/],
        ['weak2', 'woaini1314', /太常见.*common/],
        ['weak3', 'QwertyUiop', /太常见.*common/],
        ['weak4', 'a123456789', /太常见.*common/],
        ['weak5', 'cunyi-demo', /太常见.*common/],
        ['zhangwei', 'zhangwei2024', /用户名.*username/],
        ['weak6', 'WEAK6weak6', /用户名.*username/],
        ['weak7', 'aaaaaaaaaaaa', /4 个不同的字符/],
      ];
      for (const [username, password, message] of refusals) {
        await expect(make(username, password), `${username} / ${password}`).rejects.toThrow(message);
        expect(await sdb.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()).toBeUndefined();
      }
      await expect(auth.resetPassword(sdb.db, 'doctor', 'qwertyuiop')).rejects.toThrow(/common/);
      await expect(auth.resetPassword(sdb.db, 'doctor', 'doctor1234')).rejects.toThrow(/username/);
      // A good one is taken.
      await make('strong1', '山里的路弯弯曲曲-7');
      expect((await signIn(app, 'strong1', ulid(), '山里的路弯弯曲曲-7')).statusCode).toBe(200);
    });

    it('limits sign-in requests per client address and per username, answering 429 with Retry-After', async () => {
      const limited = await newApp({ loginLimits: { perAddress: { max: 3, windowMs: 60_000 }, perUsername: { max: 2, windowMs: 60_000 } } });
      const from = (addr: string, username: string, password = 'wrong-password') => signIn(limited, username, ulid(), password, addr);
      for (const u of ['nobody1', 'nobody2', 'nobody3']) expect((await from('10.9.0.1', u)).statusCode).toBe(401);
      const over = await from('10.9.0.1', 'nobody4');
      expect(codeOf(over)).toEqual([429, 'rate-limited']);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(over.json().error.message).toMatch(/^登录尝试太频繁.*\(too many sign-in attempts/);
      // Another address is not held back by the first.
      expect((await from('10.9.0.2', 'nobody5')).statusCode).toBe(401);
      // One username from many addresses: the third request is refused, the right password too.
      expect((await from('10.9.1.1', 'township', PASSWORD)).statusCode).toBe(200);
      expect((await from('10.9.1.2', 'township', 'wrong-password')).statusCode).toBe(401);
      const third = await from('10.9.1.3', 'township', PASSWORD);
      expect(codeOf(third)).toEqual([429, 'rate-limited']);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('locks a username after repeated wrong passwords, refuses even the right one, and keeps the lock across a restart', async () => {
      const strict = await newApp({ loginLimits: { ...MANY_LOGINS, lockout: { failures: 3, windowMs: 3_600_000, lockMs: 15 * 60_000 } } });
      const device = ulid();
      expect(codeOf(await signIn(strict, 'locked1', device, 'wrong-1'))).toEqual([401, 'unauthorized']);
      expect(codeOf(await signIn(strict, 'locked1', device, 'wrong-2'))).toEqual([401, 'unauthorized']);
      const third = await signIn(strict, 'locked1', device, 'wrong-3');
      expect(codeOf(third)).toEqual([429, 'locked']);
      const right = await signIn(strict, 'locked1', device);
      expect(codeOf(right)).toEqual([429, 'locked']);
      const retry = Number(right.headers['retry-after']);
      expect(retry).toBeGreaterThan(14 * 60);
      expect(retry).toBeLessThanOrEqual(15 * 60);
      // The message says when, in China's time, and the error object carries the instant.
      const until = right.json().error.lockedUntil as string;
      const china = new Date(Date.parse(until) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
      expect(right.json().error.message).toContain(`北京时间 ${china}`);
      // Kept in the database: a restarted server still refuses.
      const restarted = await newApp({ loginLimits: MANY_LOGINS });
      expect(codeOf(await signIn(restarted, 'locked1', device))).toEqual([429, 'locked']);
      // Another name is not locked by it; a name without an account locks the same way.
      expect((await signIn(strict, 'locked2', device)).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) await signIn(strict, 'no-such-user', device, `wrong-${i}`);
      expect(codeOf(await signIn(strict, 'no-such-user', device, 'whatever'))).toEqual([429, 'locked']);
      // When the lock has passed, the right password signs in and the count starts again.
      await sdb.db.updateTable('login_throttle').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('username', '=', 'locked1').execute();
      expect((await signIn(strict, 'locked1', device)).statusCode).toBe(200);
      expect(await sdb.db.selectFrom('login_throttle').selectAll().where('username', '=', 'locked1').executeTakeFirst()).toBeUndefined();
      expect(codeOf(await signIn(strict, 'locked1', device, 'wrong-4'))).toEqual([401, 'unauthorized']);
    });

    it('locks after 10 wrong passwords by default', async () => {
      const defaults = await newApp();
      const device = ulid();
      for (let i = 0; i < 9; i++) expect(codeOf(await signIn(defaults, 'locked2', device, `wrong-${i}`, `10.8.0.${i}`))).toEqual([401, 'unauthorized']);
      expect(codeOf(await signIn(defaults, 'locked2', device, 'wrong-9', '10.8.0.9'))).toEqual([429, 'locked']);
      const row = await sdb.db.selectFrom('login_throttle').selectAll().where('username', '=', 'locked2').executeTakeFirstOrThrow();
      expect(Date.parse(row.locked_until!) - Date.now()).toBeGreaterThan(14 * 60_000);
    });
  });
}
