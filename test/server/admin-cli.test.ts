/**
 * npm run admin (src/cli/admin.ts), on SQLite and PostgreSQL: passwords only from standard input
 * (one line) or typed at a terminal without echo, never from the command line; the password rule;
 * disable-user and enable-user; who used which device.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '../../src/model/ulid.ts';
import { createUser, login, verifyPassword } from '../../src/server/auth.ts';
import { ROOT } from '../helpers.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb } from './backends.ts';

const script = existsSync('/usr/bin/script') ? '/usr/bin/script' : null;

for (const backend of BACKENDS) {
  describe(`npm run admin on ${backend}`, () => {
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    let env: Record<string, string | undefined>;
    beforeAll(async () => {
      sdb = await freshDb(backend);
      // A county's villages, for the areas accounts are given.
      await importCounty(sdb.db, generateCounty({ seed: 1, members: 200 }));
      env = { ...process.env, ...(backend === 'sqlite' ? { DATA_DIR: sdb.location.replace(/\/cunyi\.sqlite$/, '') } : { DATABASE_URL: sdb.url }) };
      if (backend === 'sqlite') delete env.DATABASE_URL;
    });
    afterAll(async () => sdb?.drop());

    const admin = (args: string[], input = '') => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], { cwd: ROOT, env, input, encoding: 'utf8' });
    const user = (username: string) => sdb.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();

    it('reads the password from standard input, one line, and never from the command line', async () => {
      const made = admin(['create-user', '--username', 'zhangyi', '--role', 'village-doctor', '--areas', '141130100200', '--name', '张医生'], 'tall-trees-on-the-hill\n');
      expect(made.status, made.stderr).toBe(0);
      expect(made.stdout).toContain('created zhangyi');
      expect(made.stdout + made.stderr).not.toContain('tall-trees-on-the-hill');
      const row = await user('zhangyi');
      expect(await verifyPassword('tall-trees-on-the-hill', row!.password_hash)).toBe(true);
      // --password is refused outright, whatever follows.
      const flag = admin(['create-user', '--username', 'lisi', '--role', 'village-doctor', '--password', 'tall-trees-on-the-hill']);
      expect(flag.status).toBe(2);
      expect(flag.stderr).toMatch(/--password is not taken.*standard input/);
      expect(await user('lisi')).toBeUndefined();
      const reset = admin(['reset-password', '--username', 'zhangyi', '--password', 'x']);
      expect(reset.status).toBe(2);
      // Nothing on standard input: nothing made.
      const none = admin(['create-user', '--username', 'lisi', '--role', 'village-doctor'], '');
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/no password on standard input/);
      expect(await user('lisi')).toBeUndefined();
    }, 120_000);

    it('assigns only areas that name villages of the county, refusing "1" and another county\'s code by name', async () => {
      await createUser(sdb.db, { username: 'zhouer', displayName: '周二', role: 'village-doctor', password: 'a-good-password', areas: ['141130100200'] });
      for (const bad of ['1', '999999', '141130999']) {
        const r = admin(['assign', '--username', 'zhouer', '--areas', bad]);
        expect(r.status, bad).toBe(2);
        expect(r.stderr, bad).toMatch(new RegExp(`^areas: "${bad}" `));
      }
      const made = admin(['create-user', '--username', 'wuyi', '--role', 'village-doctor', '--areas', '1'], 'tall-trees-on-the-hill\n');
      expect(made.status).toBe(2);
      expect(await user('wuyi')).toBeUndefined();
      const ok = admin(['assign', '--username', 'zhouer', '--areas', '141130100201,141130']);
      expect(ok.status, ok.stderr).toBe(0);
      const id = (await user('zhouer'))!.id;
      expect((await sdb.db.selectFrom('user_areas').select('area_code').where('user_id', '=', id).execute()).map((r) => r.area_code).sort()).toEqual(['141130', '141130100201']);
    }, 120_000);

    it("keeps a staff member's phone for reviewers: given at creation, changed, cleared; a bad number is named and nothing changes", async () => {
      const made = admin(['create-user', '--username', 'sunba', '--role', 'village-doctor', '--areas', '141130100200', '--name', '赵医生', '--phone', '138 0000 1234'], 'tall-trees-on-the-hill\n');
      expect(made.status, made.stderr).toBe(0);
      expect((await user('sunba'))!.phone).toBe('13800001234');
      const bad = admin(['set-phone', '--username', 'sunba', '--phone', '１３８００００１２３４']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/^phone: 请用半角数字/);
      const short = admin(['set-phone', '--username', 'sunba', '--phone', '12345']);
      expect(short.status).toBe(2);
      expect(short.stderr).toMatch(/^phone: 应为 11 位手机号/);
      expect((await user('sunba'))!.phone).toBe('13800001234');
      expect(admin(['set-phone', '--username', 'sunba', '--phone', '0358-6221234']).status).toBe(0);
      expect((await user('sunba'))!.phone).toBe('03586221234');
      expect(admin(['set-phone', '--username', 'sunba', '--phone', 'none']).status).toBe(0);
      expect((await user('sunba'))!.phone).toBeNull();
      const badMade = admin(['create-user', '--username', 'qianqi', '--role', 'village-doctor', '--phone', 'call me'], 'tall-trees-on-the-hill\n');
      expect(badMade.status).toBe(2);
      expect(await user('qianqi')).toBeUndefined();
    }, 120_000);

    it('applies the password rule, and resets a password from standard input, ending the sessions', async () => {
      for (const weak of ['woaini1314', 'short', 'lisi123456', 'cunyi-demo']) {
        const r = admin(['create-user', '--username', 'lisi', '--role', 'village-cadre'], `${weak}\n`);
        expect(r.status, weak).toBe(2);
        expect(r.stderr, weak).toMatch(/^密码.*\(password: |^这个密码太常见/);
      }
      expect(await user('lisi')).toBeUndefined();
      await createUser(sdb.db, { username: 'wangwu', displayName: '王五', role: 'village-doctor', password: 'first-good-password', areas: ['141130'] });
      const s = await login(sdb.db, 'wangwu', 'first-good-password', ulid(), 'tablet');
      const weak = admin(['reset-password', '--username', 'wangwu'], 'qwertyuiop\r\n');
      expect(weak.status).toBe(2);
      const r = admin(['reset-password', '--username', 'wangwu'], 'second-good-password\r\n');
      expect(r.status, r.stderr).toBe(0);
      expect(await verifyPassword('second-good-password', (await user('wangwu'))!.password_hash)).toBe(true);
      const ended = await sdb.db.selectFrom('sessions').select(['ended_reason']).where('user_id', '=', s.principal.userId).execute();
      expect(ended.map((e) => e.ended_reason)).toEqual(['password-reset']);
    }, 120_000);

    it('disables and enables a user, and lists who used which device', async () => {
      await createUser(sdb.db, { username: 'zhaoliu', displayName: '赵六', role: 'village-cadre', password: 'a-good-password', areas: ['141130'] });
      const device = ulid();
      await login(sdb.db, 'wangwu', 'second-good-password', device, 'tablet');
      const s = await login(sdb.db, 'zhaoliu', 'a-good-password', device, 'tablet');
      const off = admin(['disable-user', '--username', 'zhaoliu']);
      expect(off.status, off.stderr).toBe(0);
      expect((await user('zhaoliu'))!.disabled).toBe(1);
      const ended = await sdb.db.selectFrom('sessions').select(['ended_reason']).where('user_id', '=', s.principal.userId).execute();
      expect(ended.map((e) => e.ended_reason)).toEqual(['user-disabled']);
      expect(admin(['list-users']).stdout).toMatch(/zhaoliu .*\(disabled\)/);
      const on = admin(['enable-user', '--username', 'zhaoliu']);
      expect(on.status, on.stderr).toBe(0);
      expect((await user('zhaoliu'))!.disabled).toBe(0);
      expect(admin(['disable-user', '--username', 'nobody']).status).toBe(2);
      const list = admin(['list-devices', '--user', 'zhaoliu']);
      expect(list.status, list.stderr).toBe(0);
      expect(list.stdout).toContain(`${device} tablet registered by wangwu`);
      expect(list.stdout).toMatch(/used by wangwu \(last [^)]+\), zhaoliu \(last /);
    }, 120_000);

    it.skipIf(!script)('asks for the password twice at a terminal, without echo', async () => {
      const cmd = `${process.execPath} --import tsx src/cli/admin.ts create-user --username ttyuser --role village-doctor`;
      const proc = spawn(script!, ['-qec', cmd, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const waitFor = (text: string) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (out.includes(text)) return resolve();
            if (proc.exitCode !== null) return reject(new Error(`exited before "${text}": ${out}`));
            setTimeout(check, 20);
          };
          check();
        });
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
      await waitFor('new password for ttyuser (not shown): ');
      proc.stdin.write('typed-at-the-terminal\r');
      await waitFor('the same again: ');
      proc.stdin.write('typed-at-the-terminal\r');
      expect(await exited, out).toBe(0);
      expect(out).toContain('created ttyuser');
      expect(out).not.toContain('typed-at-the-terminal');
      expect(await verifyPassword('typed-at-the-terminal', (await user('ttyuser'))!.password_hash)).toBe(true);
    }, 60_000);
  });
}
