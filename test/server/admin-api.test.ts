/**
 * The county's administration online (src/server/admin.ts), on SQLite and PostgreSQL: the
 * administrator and the county user list, create, disable and enable accounts, reset passwords,
 * give areas, phones and roles, list and revoke devices; a county user only within its own county
 * and never an administrator; refusals name the field, in Chinese first; every change writes
 * exactly one audit row (none for a refusal), the command line's too, as `cli`.
 */
import { spawnSync } from 'node:child_process';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminDeviceSchema, AdminUserSchema, AreaTreeSchema, AuditListSchema, DeviceListSchema, UserListSchema, type AuditEntry } from '../../src/model/admin.ts';
import { ulid } from '../../src/model/ulid.ts';
import { cliChanges } from '../../src/server/admin.ts';
import { createUser } from '../../src/server/auth.ts';
import type { AdminAuditTables } from '../../src/server/migrations/admin-audit.ts';
import { ROOT } from '../helpers.ts';
import { BACKENDS } from './backends.ts';
import { county, fixture, H, mine, PASSWORD, theirs, type Auth, type Fixture } from './fixture.ts';

const NEW_PASSWORD = 'maple-leaves-in-autumn';
const township = mine.code.slice(0, 9);
const villagesOf = (prefix: string) => county.villages.filter((x) => x.code.startsWith(prefix));

for (const backend of BACKENDS) {
  describe(`administration online on ${backend}`, () => {
    let f: Fixture;
    let admin: Auth;
    let countyUser: Auth;

    beforeAll(async () => {
      f = await fixture(backend);
      // An account of another county (made directly: this server holds no village of it).
      await createUser(f.sdb.db, { username: 'other', displayName: '外县-名', role: 'village-doctor', password: PASSWORD, areas: ['610322100200'] });
      // An account with no area yet.
      await createUser(f.sdb.db, { username: 'nowhere', displayName: '无地区', role: 'village-cadre', password: PASSWORD, areas: [] });
      admin = await f.signIn('admin');
      countyUser = await f.signIn('county');
    });
    afterAll(async () => f?.close());

    const req = (auth: Auth, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => f.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    const auditRows = () => f.sdb.db.withTables<AdminAuditTables>().selectFrom('admin_audit').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').execute();
    /** Runs a change, expects it answered 200, and exactly one new audit row, which it returns. */
    const audited = async (run: () => Promise<{ statusCode: number; body: string }>, action: string, target: string) => {
      const before = (await auditRows()).length;
      const r = await run();
      expect(r.statusCode, r.body).toBe(200);
      const rows = await auditRows();
      expect(rows.length, `${action}: one audit row`).toBe(before + 1);
      expect(rows[0]).toMatchObject({ action, target });
      return { body: JSON.parse(r.body) as unknown, row: rows[0]! };
    };
    /** Expects a refusal naming the field, in Chinese first (an English gloss after), and no audit row. */
    const refused = async (run: () => Promise<{ statusCode: number; body: string }>, status: number, path: string, words?: RegExp) => {
      const before = (await auditRows()).length;
      const r = await run();
      expect(r.statusCode, r.body).toBe(status);
      const e = JSON.parse(r.body).error;
      expect(e.path, r.body).toBe(path);
      expect(e.message, r.body).toMatch(/^[^a-z]*\p{Script=Han}.*\(.+\)$/u);
      if (words) expect(e.message).toMatch(words);
      expect((await auditRows()).length).toBe(before);
      return e as { code: string; message: string; path: string };
    };
    const users = async (auth: Auth) => {
      const r = await req(auth, 'GET', '/api/admin/users');
      expect(r.statusCode, r.body).toBe(200);
      return v.parse(UserListSchema, r.json()).users;
    };

    it('lists the accounts with their areas by name; a county user only those of its county, never an administrator', async () => {
      const all = await users(admin);
      expect(all.map((u) => u.username)).toEqual(['admin', 'cadre', 'county', 'doctor', 'doctor2', 'nowhere', 'other', 'township', 'township2']);
      const doctor = all.find((u) => u.username === 'doctor')!;
      expect(doctor).toMatchObject({ displayName: 'doctor-名', role: 'village-doctor', disabled: false, phone: null });
      expect(doctor.areas).toEqual([{ code: mine.code, level: 'village', name: mine.name, townshipName: mine.townshipName }]);
      expect(doctor.lastSignInAt).toBeNull();
      expect(all.find((u) => u.username === 'township')!.areas).toEqual([{ code: township, level: 'township', name: mine.townshipName, townshipName: null }]);
      expect(all.find((u) => u.username === 'county')!.areas[0]).toMatchObject({ level: 'county', name: county.county.name });
      expect(all.find((u) => u.username === 'county')!.lastSignInAt).not.toBeNull();
      expect(all.find((u) => u.username === 'other')!.areas[0]).toMatchObject({ code: '610322100200', name: null });
      const theirs = (await users(countyUser)).map((u) => u.username);
      expect(theirs).toEqual(['cadre', 'county', 'doctor', 'doctor2', 'township', 'township2']);
      for (const who of ['doctor', 'township']) {
        const r = await req(await f.signIn(who), 'GET', '/api/admin/users');
        expect(r.statusCode).toBe(403);
        expect(r.json().error.message).toMatch(/^只有管理员和县级用户/);
      }
      expect((await f.app.inject({ method: 'GET', url: '/api/admin/users', headers: H })).statusCode).toBe(401);
    });

    it("gives the area picker the county's townships and villages within the caller's areas", async () => {
      const tree = v.parse(AreaTreeSchema, (await req(admin, 'GET', '/api/admin/areas')).json());
      expect(tree.counties.map((c) => [c.code, c.name])).toEqual([[county.county.code, county.county.name]]);
      const towns = tree.counties[0]!.townships;
      expect(towns.flatMap((t) => t.villages.map((x) => x.code)).sort()).toEqual(county.villages.map((x) => x.code).sort());
      const mineTown = towns.find((t) => t.code === township)!;
      expect(mineTown.name).toBe(mine.townshipName);
      expect(mineTown.villages.map((x) => x.name).sort()).toEqual(villagesOf(township).map((x) => x.name).sort());
      // A county user with a township only (made here) is given that township alone.
      await createUser(f.sdb.db, { username: 'county-town', displayName: '镇', role: 'county-reviewer', password: PASSWORD, areas: [township] });
      const narrow = v.parse(AreaTreeSchema, (await req(await f.signIn('county-town'), 'GET', '/api/admin/areas')).json());
      expect(narrow.counties[0]!.townships.map((t) => t.code)).toEqual([township]);
    });

    it('creates an account with its areas, phone and a password by the rule, audited without the password or the phone', async () => {
      const body = { username: 'zhaoyi', displayName: ' 赵一 ', role: 'village-doctor', password: NEW_PASSWORD, areas: [mine.code, theirs.code.slice(0, 9)], phone: '138 0000 1234' };
      const { body: made, row } = await audited(() => req(admin, 'POST', '/api/admin/users', body), 'create-user', 'zhaoyi');
      const u = v.parse(AdminUserSchema, made);
      expect(u).toMatchObject({ username: 'zhaoyi', displayName: '赵一', role: 'village-doctor', phone: '13800001234', disabled: false, lastSignInAt: null });
      expect(u.areas.map((a) => [a.code, a.name])).toEqual([[mine.code, mine.name], [theirs.code.slice(0, 9), theirs.townshipName]]);
      expect(row).toMatchObject({ actor_username: 'admin', actor_role: 'admin', counties: JSON.stringify([county.county.code]) });
      expect(JSON.parse(row.details)).toEqual({ role: 'village-doctor', areas: body.areas, phone: true });
      for (const secret of [NEW_PASSWORD, '13800001234', '1234', '赵一']) expect(JSON.stringify(row)).not.toContain(secret);
      // The new account signs in with that password.
      const login = await f.app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'zhaoyi', password: NEW_PASSWORD, deviceId: ulid() } });
      expect(login.statusCode, login.body).toBe(200);
      expect(login.json().user.areas).toEqual(body.areas);
      // The county user makes one of its own county.
      await audited(() => req(countyUser, 'POST', '/api/admin/users', { username: 'qianer', displayName: '钱二', role: 'village-cadre', password: NEW_PASSWORD, areas: [mine.code] }), 'create-user', 'qianer');
    });

    it('refuses a new account by field, in Chinese first, and writes no audit row', async () => {
      const good = { username: 'sunsan', displayName: '孙三', role: 'village-doctor', password: NEW_PASSWORD, areas: [mine.code] };
      const post = (auth: Auth, b: object) => () => req(auth, 'POST', '/api/admin/users', b);
      await refused(post(admin, { ...good, username: 'Sun San' }), 400, 'username', /^用户名/);
      await refused(post(admin, { ...good, displayName: '  ' }), 400, 'displayName', /^姓名必填/);
      const { displayName: _, ...noName } = good;
      await refused(post(admin, noName), 400, 'displayName', /^姓名必填 \(displayName: is required\)$/);
      await refused(post(admin, { ...good, role: 'chief' }), 400, 'role', /^角色/);
      await refused(post(admin, { ...good, password: 'short' }), 400, 'password', /^密码至少 10 个字符/);
      await refused(post(admin, { ...good, password: 'woaini1314' }), 400, 'password', /太常见/);
      await refused(post(admin, { ...good, password: 'sunsan2024!' }), 400, 'password', /用户名/);
      await refused(post(admin, { ...good, areas: ['1'] }), 400, 'areas.0', /^负责地区 "1" 不是县/);
      await refused(post(admin, { ...good, areas: [`${county.county.code}999`] }), 400, 'areas', new RegExp(`^负责地区 "${county.county.code}999" 下没有本县的村`));
      await refused(post(admin, { ...good, areas: [mine.code, mine.code] }), 400, 'areas', /重复/);
      await refused(post(admin, { ...good, phone: '１３８００００１２３４' }), 400, 'phone', /^电话请用半角数字/);
      await refused(post(admin, { ...good, phone: '12345' }), 400, 'phone', /^电话应为 11 位手机号/);
      await refused(post(admin, { ...good, extra: 1 }), 400, 'extra', /^没有 extra 这一项/);
      await refused(post(admin, { ...good, username: 'doctor' }), 409, 'username', /^用户名 "doctor" 已被使用/);
      // The county user: no administrator, nothing outside its county, at least one area.
      await refused(post(countyUser, { ...good, role: 'admin' }), 403, 'role', /^县级用户不能新建管理员/);
      await refused(post(countyUser, { ...good, areas: ['610322100200'] }), 403, 'areas', /^负责地区 "610322100200" 不在您的辖区内/);
      await refused(post(countyUser, { ...good, areas: [] }), 400, 'areas', /^负责地区至少要选一个/);
      const none = await f.sdb.db.selectFrom('users').select('id').where('username', '=', 'sunsan').executeTakeFirst();
      expect(none).toBeUndefined();
    });

    it('disables an account (its sessions end at once) and enables it again; never one\'s own', async () => {
      const doctor = await f.signIn('doctor');
      const { body } = await audited(() => req(admin, 'POST', '/api/admin/users/doctor/disable'), 'disable-user', 'doctor');
      expect(v.parse(AdminUserSchema, body).disabled).toBe(true);
      const me = await req(doctor, 'GET', '/api/me');
      expect(me.statusCode).toBe(403);
      expect(me.json().error.code).toBe('user-disabled');
      const back = await audited(() => req(countyUser, 'POST', '/api/admin/users/doctor/enable'), 'enable-user', 'doctor');
      expect(v.parse(AdminUserSchema, back.body).disabled).toBe(false);
      expect(back.row.actor_username).toBe('county');
      await f.signIn('doctor');
      await refused(() => req(admin, 'POST', '/api/admin/users/admin/disable'), 400, 'username', /^不能停用自己的账号/);
      await refused(() => req(countyUser, 'POST', '/api/admin/users/county/disable'), 400, 'username', /^不能停用自己的账号/);
      // Out of a county user's reach: an administrator, another county's account, one with no area.
      await refused(() => req(countyUser, 'POST', '/api/admin/users/admin/disable'), 403, 'username', /^县级用户不能修改管理员账号/);
      await refused(() => req(countyUser, 'POST', '/api/admin/users/other/disable'), 404, 'username', /^您的辖区内没有用户 "other"/);
      await refused(() => req(countyUser, 'POST', '/api/admin/users/nowhere/disable'), 404, 'username');
      await refused(() => req(admin, 'POST', '/api/admin/users/nobody/disable'), 404, 'username', /^没有用户 "nobody"/);
    });

    it('resets a password by the rule, ending the sessions of the account', async () => {
      const cadre = await f.signIn('cadre');
      await refused(() => req(admin, 'POST', '/api/admin/users/cadre/password', { password: 'qwertyuiop' }), 400, 'password', /太常见/);
      await refused(() => req(admin, 'POST', '/api/admin/users/cadre/password', {}), 400, 'password', /^密码必填/);
      const { row } = await audited(() => req(countyUser, 'POST', '/api/admin/users/cadre/password', { password: NEW_PASSWORD }), 'reset-password', 'cadre');
      expect(JSON.stringify(row)).not.toContain(NEW_PASSWORD);
      expect((await req(cadre, 'GET', '/api/me')).statusCode).toBe(401);
      const old = await f.app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'cadre', password: PASSWORD, deviceId: ulid() } });
      expect(old.statusCode).toBe(401);
      const now = await f.app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'cadre', password: NEW_PASSWORD, deviceId: ulid() } });
      expect(now.statusCode, now.body).toBe(200);
    });

    it('gives areas that name villages of the county, within a county user\'s own', async () => {
      const to = [theirs.code, township].sort();
      const { body, row } = await audited(() => req(countyUser, 'PUT', '/api/admin/users/doctor2/areas', { areas: [theirs.code, township] }), 'set-areas', 'doctor2');
      expect(v.parse(AdminUserSchema, body).areas.map((a) => a.code)).toEqual(to);
      expect(JSON.parse(row.details)).toEqual({ from: [theirs.code], to });
      await refused(() => req(admin, 'PUT', '/api/admin/users/doctor2/areas', { areas: ['1'] }), 400, 'areas.0', /^负责地区 "1" 不是县/);
      await refused(() => req(admin, 'PUT', '/api/admin/users/doctor2/areas', { areas: ['140000'] }), 400, 'areas', /^负责地区 "140000" 下没有本县的村/);
      await refused(() => req(admin, 'PUT', '/api/admin/users/doctor2/areas', { areas: 'x' }), 400, 'areas', /^负责地区应为代码的列表/);
      await refused(() => req(countyUser, 'PUT', '/api/admin/users/doctor2/areas', { areas: ['610322100200'] }), 403, 'areas');
      await refused(() => req(countyUser, 'PUT', '/api/admin/users/doctor2/areas', { areas: [] }), 400, 'areas');
      // The administrator may leave an account with none.
      await audited(() => req(admin, 'PUT', '/api/admin/users/nowhere/areas', { areas: [] }), 'set-areas', 'nowhere');
    });

    it('sets and clears the phone; the audit says only whether one is set', async () => {
      const { body, row } = await audited(() => req(countyUser, 'PUT', '/api/admin/users/cadre/phone', { phone: '0358-6221234' }), 'set-phone', 'cadre');
      expect(v.parse(AdminUserSchema, body).phone).toBe('03586221234');
      expect(JSON.parse(row.details)).toEqual({ phone: 'set' });
      expect(row.details).not.toMatch(/[0-9]{4}/);
      const cleared = await audited(() => req(admin, 'PUT', '/api/admin/users/cadre/phone', { phone: null }), 'set-phone', 'cadre');
      expect(v.parse(AdminUserSchema, cleared.body).phone).toBeNull();
      expect(JSON.parse(cleared.row.details)).toEqual({ phone: 'cleared' });
      await refused(() => req(admin, 'PUT', '/api/admin/users/cadre/phone', { phone: 'call me' }), 400, 'phone', /^电话应为/);
      await refused(() => req(admin, 'PUT', '/api/admin/users/cadre/phone', {}), 400, 'phone', /^电话必填/);
    });

    it("changes a role, never one's own, never to administrator by a county user", async () => {
      const { body, row } = await audited(() => req(countyUser, 'PUT', '/api/admin/users/township2/role', { role: 'county-reviewer' }), 'set-role', 'township2');
      expect(v.parse(AdminUserSchema, body).role).toBe('county-reviewer');
      expect(JSON.parse(row.details)).toEqual({ from: 'township-reviewer', to: 'county-reviewer' });
      await refused(() => req(admin, 'PUT', '/api/admin/users/admin/role', { role: 'village-doctor' }), 400, 'role', /^不能修改自己的角色/);
      await refused(() => req(countyUser, 'PUT', '/api/admin/users/township2/role', { role: 'admin' }), 403, 'role', /^县级用户不能设置管理员/);
      await refused(() => req(admin, 'PUT', '/api/admin/users/township2/role', { role: 'boss' }), 400, 'role', /^角色应为/);
      await audited(() => req(admin, 'PUT', '/api/admin/users/township2/role', { role: 'township-reviewer' }), 'set-role', 'township2');
    });

    it('lists devices with who signed in there, and revokes one: every session on it ends', async () => {
      const device = ulid();
      const doctor = await f.signIn('doctor', device);
      const cadre = await f.app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'cadre', password: NEW_PASSWORD, deviceId: device } });
      expect(cadre.statusCode, cadre.body).toBe(200);
      const list = async (auth: Auth) => v.parse(DeviceListSchema, (await req(auth, 'GET', '/api/admin/devices')).json()).devices;
      const d = (await list(countyUser)).find((x) => x.id === device)!;
      expect(d).toMatchObject({ name: 'tablet', revokedAt: null, registeredBy: { username: 'doctor', displayName: 'doctor-名' } });
      expect(d.users.map((u) => u.username)).toEqual(['doctor', 'cadre']);
      expect(d.lastSeenAt >= d.registeredAt).toBe(true);
      // The administrator's own devices are not a county user's to see.
      const adminDevices = (await list(admin)).filter((x) => x.registeredBy.username === 'admin');
      expect(adminDevices.length).toBeGreaterThan(0);
      expect((await list(countyUser)).some((x) => x.registeredBy.username === 'admin')).toBe(false);
      await refused(() => req(countyUser, 'POST', `/api/admin/devices/${adminDevices[0]!.id}/revoke`), 404, 'id');
      const { body, row } = await audited(() => req(countyUser, 'POST', `/api/admin/devices/${device}/revoke`), 'revoke-device', device);
      expect(v.parse(AdminDeviceSchema, body).revokedAt).not.toBeNull();
      expect(JSON.parse(row.details)).toEqual({ registeredBy: 'doctor' });
      const me = await req(doctor, 'GET', '/api/me');
      expect(me.statusCode).toBe(403);
      expect(me.json().error.code).toBe('device-revoked');
      await refused(() => req(admin, 'POST', `/api/admin/devices/${device}/revoke`), 409, 'id', /^这台设备已于/);
      await refused(() => req(admin, 'POST', `/api/admin/devices/${ulid()}/revoke`), 404, 'id', /^没有这台设备/);
      await refused(() => req(admin, 'POST', '/api/admin/devices/not-an-id/revoke'), 404, 'id');
    });

    it('lists the audit newest first: all of it for the administrator, its county for a county user; the command line as cli', async () => {
      await cliChanges.setPhone(f.sdb.db, 'doctor2', '13800000002');
      await cliChanges.setPhone(f.sdb.db, 'other', '13800000003');
      const all = v.parse(AuditListSchema, (await req(admin, 'GET', '/api/admin/audit?limit=500')).json()).entries;
      const rows = await auditRows();
      expect(all.map((e) => e.id)).toEqual(rows.map((r) => r.id));
      expect(all[0]).toMatchObject({ action: 'set-phone', target: 'other', actor: { id: 'cli', username: 'cli', role: 'cli' } });
      for (let i = 1; i < all.length; i++) expect(all[i - 1]!.at >= all[i]!.at).toBe(true);
      const limited = v.parse(AuditListSchema, (await req(admin, 'GET', '/api/admin/audit?limit=2')).json()).entries;
      expect(limited.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
      const theirs: AuditEntry[] = v.parse(AuditListSchema, (await req(countyUser, 'GET', '/api/admin/audit')).json()).entries;
      expect(theirs.some((e) => e.target === 'other')).toBe(false);
      expect(theirs[0]).toMatchObject({ target: 'doctor2', actor: { username: 'cli' } });
      expect(theirs.length).toBe(all.filter((e) => e.target !== 'other' && e.target !== 'nowhere').length);
      await refused(() => req(admin, 'GET', '/api/admin/audit?limit=0'), 400, 'limit');
      // The command itself: one row per change, as cli.
      const sdb = f.sdb;
      const env = { ...process.env, ...(backend === 'sqlite' ? { DATA_DIR: sdb.location.replace(/\/cunyi\.sqlite$/, ''), DATABASE_URL: '' } : { DATABASE_URL: sdb.url }) };
      if (backend === 'sqlite') delete env.DATABASE_URL;
      const before = rows.length;
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'disable-user', '--username', 'township2'], { cwd: ROOT, env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const after = await auditRows();
      expect(after.length).toBe(before + 1);
      expect(after[0]).toMatchObject({ action: 'disable-user', target: 'township2', actor_id: 'cli', actor_role: 'cli' });
    }, 60_000);
  });
}
