/**
 * The county's administration online (docs/sync.md, "Administration"): accounts, their areas and
 * the devices they sign in on, for the administrator (every county) and the county's one-stop
 * centre (`county-reviewer`: the accounts whose areas all lie within its own, never an
 * administrator). The same changes as `npm run admin` (src/cli/admin.ts), through the same
 * functions of auth.ts, and each one written to `admin_audit` in the same transaction as the
 * change itself; the command line's are audited too, as the actor `cli`.
 *
 * Every body is checked against its schema in src/model/admin.ts; a refusal is a 400 (403, 404,
 * 409) naming the field, in Chinese first with the English in parentheses.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import {
  AreasRequestSchema,
  mayAdminister,
  NewUserRequestSchema,
  PasswordRequestSchema,
  PhoneRequestSchema,
  requestProblem,
  RoleRequestSchema,
  USERNAME,
  type AdminAction,
  type AdminArea,
  type AdminDevice,
  type AdminUser,
  type AreaTree,
  type AuditEntry,
} from '../model/admin.ts';
import type { Village } from '../model/roster.ts';
import type { Role } from '../model/sync.ts';
import { ulid } from '../model/ulid.ts';
import { AuthError, checkAreas, createUser, inAreas, disableUser, enableUser, resetPassword, revokeDevice, setAreas, setPhone, type Principal } from './auth.ts';
import type { Tables } from './db.ts';
import { HttpError } from './filings.ts';
import type { AdminAuditTables } from './migrations/admin-audit.ts';
import { passwordProblem } from './passwords.ts';

type Db = Kysely<Tables>;

/** Who acts: a signed-in administrator or county user, or `npm run admin` on the server itself. */
export interface Actor {
  userId: string;
  username: string;
  role: Role | 'cli';
  areas: string[];
}

/** `npm run admin`: whoever can run commands on the server, with every county in reach. */
export const CLI_ACTOR: Actor = { userId: 'cli', username: 'cli', role: 'cli', areas: [] };

const everywhere = (a: Actor) => a.role === 'admin' || a.role === 'cli';
/** Whether an area code lies within the actor's own areas. */
const within = (a: Actor, code: string) => everywhere(a) || a.areas.some((x) => code.startsWith(x));

interface Target {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  phone: string | null;
  createdAt: string;
  areas: string[];
}

/** Whether the actor may see and change the account: a county user only non-administrators of its own areas. */
function reaches(a: Actor, t: Pick<Target, 'role' | 'areas'>): boolean {
  if (everywhere(a)) return true;
  return t.role !== 'admin' && t.areas.length > 0 && t.areas.every((x) => within(a, x));
}

function mayUse(p: Principal): void {
  if (!mayAdminister(p.role)) throw new HttpError(403, 'forbidden', '只有管理员和县级用户可以管理账号和设备 (only the administrator and county users manage accounts and devices)');
}

function parse<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const problem = requestProblem(schema, body);
  if (problem) throw new HttpError(400, 'invalid', problem.message, problem.path);
  return v.parse(schema, body);
}

const countiesOf = (areas: readonly string[]) => [...new Set(areas.map((x) => x.slice(0, 6)))].sort();

async function loadUser(db: Db, username: string): Promise<Target | null> {
  const u = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  if (!u) return null;
  const areas = await db.selectFrom('user_areas').select('area_code').where('user_id', '=', u.id).orderBy('area_code').execute();
  return { id: u.id, username: u.username, displayName: u.display_name, role: u.role as Role, disabled: Boolean(Number(u.disabled)), phone: u.phone, createdAt: u.created_at, areas: areas.map((x) => x.area_code) };
}

/** The account the actor names, or the refusal: none (or none within a county user's reach), or an administrator. */
async function target(db: Db, a: Actor, username: string): Promise<Target> {
  const t = USERNAME.test(username) ? await loadUser(db, username) : null;
  if (t && !everywhere(a) && t.role === 'admin') throw new HttpError(403, 'forbidden', '县级用户不能修改管理员账号 (county users may not alter administrators)', 'username');
  if (!t || !reaches(a, t)) throw new HttpError(404, 'not-found', `${everywhere(a) ? '' : '您的辖区内'}没有用户 "${username.slice(0, 40)}" (no user "${username.slice(0, 40)}"${everywhere(a) ? '' : ' in your area'})`, 'username');
  return t;
}

/**
 * The areas are the actor's to give (a county user's within its own, at least one, so that the
 * account stays in its reach) and each names a village the county holds (checkAreas).
 */
async function checkGiven(db: Db, a: Actor, areas: readonly string[], role: Role): Promise<void> {
  if (!everywhere(a) && areas.length === 0 && role !== 'admin') throw new HttpError(400, 'invalid', '负责地区至少要选一个 (areas: choose at least one)', 'areas');
  for (const x of areas) {
    if (!within(a, x)) throw new HttpError(403, 'forbidden', `负责地区 "${x}" 不在您的辖区内 (areas: "${x}" is outside your area)`, 'areas');
    try {
      await checkAreas(db, [x]);
    } catch (e) {
      if (e instanceof AuthError) throw new HttpError(400, 'invalid', `负责地区 "${x}" 下没有本县的村 (areas: "${x}" names no village of this county)`, 'areas');
      throw e;
    }
  }
}

async function audit(db: Db, a: Actor, action: AdminAction, target: string, counties: readonly string[], details: Record<string, unknown>): Promise<void> {
  await db
    .withTables<AdminAuditTables>()
    .insertInto('admin_audit')
    .values({ id: ulid(), at: new Date().toISOString(), actor_id: a.userId, actor_username: a.username, actor_role: a.role, action, target, counties: JSON.stringify(countiesOf(counties)), details: JSON.stringify(details) })
    .execute();
}

/** Runs a change and its audit row in one transaction: either both are kept or neither. */
const inOne = <T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> => db.transaction().execute(fn);

const isUniqueViolation = (e: unknown) => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

// ---------------------------------------------------------------------------------------------
// Views

type Names = Map<string, { name: string; townshipName: string | null }>;

/** The names of every county, township and village code the county's villages give (within `prefixes`, or all). */
async function villages(db: Db, prefixes: readonly string[] | null): Promise<Village[]> {
  if (prefixes !== null && prefixes.length === 0) return [];
  let q = db.selectFrom('records').select('data').where('entity', '=', 'village').where('deleted', '=', 0);
  if (prefixes !== null) q = q.where(inAreas(prefixes));
  return (await q.execute()).map((r) => JSON.parse(r.data) as Village);
}

function namesOf(vs: readonly Village[]): Names {
  const names: Names = new Map();
  for (const x of vs) {
    names.set(x.countyCode, { name: x.countyName, townshipName: null });
    names.set(x.code.slice(0, 9), { name: x.townshipName, townshipName: null });
    names.set(x.code, { name: x.name, townshipName: x.townshipName });
  }
  return names;
}

const LEVEL = { 6: 'county', 9: 'township', 12: 'village' } as const;
const areaOf = (code: string, names: Names): AdminArea => ({
  code,
  level: LEVEL[code.length as 6 | 9 | 12],
  name: names.get(code)?.name ?? null,
  townshipName: code.length === 12 ? (names.get(code)?.townshipName ?? null) : null,
});

async function lastSignIns(db: Db, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('device_users').select(['user_id', (eb) => eb.fn.max('last_at').as('last')]).where('user_id', 'in', userIds).groupBy('user_id').execute();
  return new Map(rows.map((r) => [r.user_id, String(r.last)]));
}

function userView(t: Target, names: Names, last: Map<string, string>): AdminUser {
  return { username: t.username, displayName: t.displayName, role: t.role, areas: t.areas.map((x) => areaOf(x, names)), phone: t.phone, disabled: t.disabled, createdAt: t.createdAt, lastSignInAt: last.get(t.id) ?? null };
}

async function viewOf(db: Db, username: string): Promise<AdminUser> {
  const t = (await loadUser(db, username))!;
  return userView(t, namesOf(await villages(db, t.areas.length ? t.areas : [])), await lastSignIns(db, [t.id]));
}

/** Every account within the actor's reach, by username. */
export async function listUsers(db: Db, a: Actor): Promise<AdminUser[]> {
  const users = await db.selectFrom('users').selectAll().orderBy('username').execute();
  const areas = await db.selectFrom('user_areas').select(['user_id', 'area_code']).orderBy('area_code').execute();
  const byUser = new Map<string, string[]>();
  for (const r of areas) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r.area_code]);
  const targets: Target[] = users
    .map((u) => ({ id: u.id, username: u.username, displayName: u.display_name, role: u.role as Role, disabled: Boolean(Number(u.disabled)), phone: u.phone, createdAt: u.created_at, areas: byUser.get(u.id) ?? [] }))
    .filter((t) => reaches(a, t));
  const names = namesOf(await villages(db, everywhere(a) ? null : a.areas));
  const last = await lastSignIns(db, targets.map((t) => t.id));
  return targets.map((t) => userView(t, names, last));
}

/** The counties, townships and villages within the actor's areas, by code: what an account may be given. */
export async function areaTree(db: Db, a: Actor): Promise<AreaTree> {
  const vs = (await villages(db, everywhere(a) ? null : a.areas)).sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
  const counties: AreaTree['counties'] = [];
  for (const x of vs) {
    let c = counties.at(-1);
    if (c?.code !== x.countyCode) counties.push((c = { code: x.countyCode, name: x.countyName, townships: [] }));
    let t = c.townships.at(-1);
    const tc = x.code.slice(0, 9);
    if (t?.code !== tc) c.townships.push((t = { code: tc, name: x.townshipName, villages: [] }));
    t.villages.push({ code: x.code, name: x.name });
  }
  return { counties };
}

/**
 * Devices within the actor's reach (a county user's: those first registered by an account of its
 * own areas, for a device stays in the county of who registered it), the last seen first.
 */
export async function listDevices(db: Db, a: Actor): Promise<AdminDevice[]> {
  const devices = await db
    .selectFrom('devices')
    .innerJoin('users', 'users.id', 'devices.user_id')
    .select(['devices.id', 'devices.name', 'devices.registered_at', 'devices.last_seen_at', 'devices.revoked_at', 'devices.user_id', 'users.username', 'users.display_name', 'users.role'])
    .orderBy('devices.last_seen_at', 'desc')
    .orderBy('devices.id')
    .execute();
  const areas = await db.selectFrom('user_areas').select(['user_id', 'area_code']).execute();
  const byUser = new Map<string, string[]>();
  for (const r of areas) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r.area_code]);
  const mine = devices.filter((d) => reaches(a, { role: d.role as Role, areas: byUser.get(d.user_id) ?? [] }));
  if (mine.length === 0) return [];
  const used = await db
    .selectFrom('device_users')
    .innerJoin('users', 'users.id', 'device_users.user_id')
    .select(['device_users.device_id', 'users.username', 'users.display_name', 'users.role', 'device_users.first_at', 'device_users.last_at'])
    .where('device_users.device_id', 'in', mine.map((d) => d.id))
    .orderBy('device_users.first_at')
    .orderBy('users.username')
    .execute();
  return mine.map((d) => ({
    id: d.id,
    name: d.name,
    registeredAt: d.registered_at,
    lastSeenAt: d.last_seen_at,
    revokedAt: d.revoked_at,
    registeredBy: { username: d.username, displayName: d.display_name },
    users: used.filter((u) => u.device_id === d.id).map((u) => ({ username: u.username, displayName: u.display_name, role: u.role as Role, firstAt: u.first_at, lastAt: u.last_at })),
  }));
}

/** The audit, newest first: all of it for the administrator, a county user's own county's and its own actions. */
export async function listAudit(db: Db, a: Actor, limit: number): Promise<AuditEntry[]> {
  const adb = db.withTables<AdminAuditTables>();
  const mine = new Set(countiesOf(a.areas));
  const out: AuditEntry[] = [];
  const PAGE = 1_000;
  for (let offset = 0; out.length < limit; offset += PAGE) {
    const rows = await adb.selectFrom('admin_audit').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(PAGE).offset(offset).execute();
    for (const r of rows) {
      if (!everywhere(a) && r.actor_id !== a.userId && !(JSON.parse(r.counties) as string[]).some((c) => mine.has(c))) continue;
      out.push({ id: r.id, at: r.at, actor: { id: r.actor_id, username: r.actor_username, role: r.actor_role as AuditEntry['actor']['role'] }, action: r.action as AdminAction, target: r.target, details: JSON.parse(r.details) as Record<string, unknown> });
      if (out.length === limit) break;
    }
    if (rows.length < PAGE) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Changes (each audited in the same transaction)

/** A new account: the password by the password rule, the areas by checkAreas and the actor's reach. */
export async function addUser(db: Db, a: Actor, body: unknown): Promise<AdminUser> {
  const u = parse(NewUserRequestSchema, body);
  if (!everywhere(a) && u.role === 'admin') throw new HttpError(403, 'forbidden', '县级用户不能新建管理员账号 (role: county users may not create administrators)', 'role');
  const problem = passwordProblem(u.password, u.username);
  if (problem) throw new HttpError(400, 'invalid', problem, 'password');
  await checkGiven(db, a, u.areas, u.role);
  const taken = () => new HttpError(409, 'taken', `用户名 "${u.username}" 已被使用 (username: "${u.username}" is taken)`, 'username');
  if (await loadUser(db, u.username)) throw taken();
  try {
    await inOne(db, async (trx) => {
      await createUser(trx, { username: u.username, displayName: u.displayName, role: u.role, password: u.password, areas: u.areas, phone: u.phone ?? null });
      await audit(trx, a, 'create-user', u.username, u.areas, { role: u.role, areas: u.areas, phone: u.phone != null });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw taken();
    throw authRefusal(e, 'body');
  }
  return viewOf(db, u.username);
}

/** An AuthError of auth.ts (a check it makes again) as a 400 naming the field. */
function authRefusal(e: unknown, path: string): unknown {
  return e instanceof AuthError && e.code === 'invalid' ? new HttpError(400, 'invalid', e.message, path) : e;
}

/** Ends every session of the account at once, and its recovery keys; never one's own account. */
export async function disable(db: Db, a: Actor, username: string): Promise<AdminUser> {
  const t = await target(db, a, username);
  if (t.id === a.userId) throw new HttpError(400, 'invalid', '不能停用自己的账号 (username: you cannot disable your own account)', 'username');
  await inOne(db, async (trx) => {
    await disableUser(trx, t.username);
    await audit(trx, a, 'disable-user', t.username, t.areas, {});
  });
  return viewOf(db, t.username);
}

export async function enable(db: Db, a: Actor, username: string): Promise<AdminUser> {
  const t = await target(db, a, username);
  await inOne(db, async (trx) => {
    await enableUser(trx, t.username);
    await audit(trx, a, 'enable-user', t.username, t.areas, {});
  });
  return viewOf(db, t.username);
}

/** A new password by the password rule; every session of the account ends (one's own too). */
export async function newPassword(db: Db, a: Actor, username: string, body: unknown): Promise<AdminUser> {
  const t = await target(db, a, username);
  const { password } = parse(PasswordRequestSchema, body);
  const problem = passwordProblem(password, t.username);
  if (problem) throw new HttpError(400, 'invalid', problem, 'password');
  await inOne(db, async (trx) => {
    await resetPassword(trx, t.username, password);
    await audit(trx, a, 'reset-password', t.username, t.areas, {});
  });
  return viewOf(db, t.username);
}

export async function assignAreas(db: Db, a: Actor, username: string, body: unknown): Promise<AdminUser> {
  const t = await target(db, a, username);
  const { areas } = parse(AreasRequestSchema, body);
  await checkGiven(db, a, areas, t.role);
  await inOne(db, async (trx) => {
    await setAreas(trx, t.username, areas);
    await audit(trx, a, 'set-areas', t.username, [...t.areas, ...areas], { from: t.areas, to: [...areas].sort() });
  }).catch((e) => {
    throw authRefusal(e, 'areas');
  });
  return viewOf(db, t.username);
}

/** The phone reviewers see beside the account's filings; the audit says only whether one is set. */
export async function changePhone(db: Db, a: Actor, username: string, body: unknown): Promise<AdminUser> {
  const t = await target(db, a, username);
  const { phone } = parse(PhoneRequestSchema, body);
  await inOne(db, async (trx) => {
    await setPhone(trx, t.username, phone);
    await audit(trx, a, 'set-phone', t.username, t.areas, { phone: phone === null ? 'cleared' : 'set' });
  }).catch((e) => {
    throw authRefusal(e, 'phone');
  });
  return viewOf(db, t.username);
}

/** Another role: never one's own (an administrator cannot take away their own), never administrator by a county user. */
export async function changeRole(db: Db, a: Actor, username: string, body: unknown): Promise<AdminUser> {
  const t = await target(db, a, username);
  const { role } = parse(RoleRequestSchema, body);
  if (t.id === a.userId) throw new HttpError(400, 'invalid', '不能修改自己的角色 (role: you cannot change your own role)', 'role');
  if (!everywhere(a) && role === 'admin') throw new HttpError(403, 'forbidden', '县级用户不能设置管理员 (role: county users may not make administrators)', 'role');
  await inOne(db, async (trx) => {
    await trx.updateTable('users').set({ role }).where('id', '=', t.id).execute();
    await audit(trx, a, 'set-role', t.username, t.areas, { from: t.role, to: role });
  });
  return viewOf(db, t.username);
}

/** No one can sign in or sync on the device any more: every session on it ends, its recovery keys go. */
export async function revoke(db: Db, a: Actor, deviceId: string): Promise<AdminDevice> {
  const notFound = () => new HttpError(404, 'not-found', `没有这台设备 "${deviceId.slice(0, 40)}" (no device "${deviceId.slice(0, 40)}")`, 'id');
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(deviceId)) throw notFound();
  const d = await db.selectFrom('devices').innerJoin('users', 'users.id', 'devices.user_id').select(['devices.id', 'devices.revoked_at', 'devices.user_id', 'users.username', 'users.role']).where('devices.id', '=', deviceId).executeTakeFirst();
  const owner = d ? await db.selectFrom('user_areas').select('area_code').where('user_id', '=', d.user_id).execute() : [];
  const areas = owner.map((x) => x.area_code);
  if (!d || !reaches(a, { role: d.role as Role, areas })) throw notFound();
  if (d.revoked_at) throw new HttpError(409, 'already-revoked', `这台设备已于 ${d.revoked_at} 停用 (the device was revoked at ${d.revoked_at})`, 'id');
  await inOne(db, async (trx) => {
    await revokeDevice(trx, d.id);
    await audit(trx, a, 'revoke-device', d.id, areas, { registeredBy: d.username });
  });
  return (await listDevices(db, CLI_ACTOR)).find((x) => x.id === d.id)!;
}

/** The areas of an account by username (none when there is no such account). */
async function areasOf(db: Db, username: string): Promise<string[]> {
  const rows = await db.selectFrom('user_areas').innerJoin('users', 'users.id', 'user_areas.user_id').select('user_areas.area_code').where('users.username', '=', username).orderBy('user_areas.area_code').execute();
  return rows.map((r) => r.area_code);
}

/**
 * The command line's changes (src/cli/admin.ts): auth.ts's own checks and words, as before, each
 * audited as the actor `cli` in the same transaction.
 */
export const cliChanges = {
  createUser: (db: Db, u: Parameters<typeof createUser>[1]) =>
    inOne(db, async (trx) => {
      await createUser(trx, u);
      await audit(trx, CLI_ACTOR, 'create-user', u.username, u.areas, { role: u.role, areas: u.areas, phone: u.phone != null });
    }),
  setPhone: (db: Db, username: string, phone: string | null) =>
    inOne(db, async (trx) => {
      await setPhone(trx, username, phone);
      await audit(trx, CLI_ACTOR, 'set-phone', username, await areasOf(trx, username), { phone: phone === null ? 'cleared' : 'set' });
    }),
  setAreas: (db: Db, username: string, areas: string[]) =>
    inOne(db, async (trx) => {
      const from = await areasOf(trx, username);
      await setAreas(trx, username, areas);
      await audit(trx, CLI_ACTOR, 'set-areas', username, [...from, ...areas], { from, to: [...areas].sort() });
    }),
  resetPassword: (db: Db, username: string, password: string) =>
    inOne(db, async (trx) => {
      await resetPassword(trx, username, password);
      await audit(trx, CLI_ACTOR, 'reset-password', username, await areasOf(trx, username), {});
    }),
  disableUser: (db: Db, username: string) =>
    inOne(db, async (trx) => {
      await disableUser(trx, username);
      await audit(trx, CLI_ACTOR, 'disable-user', username, await areasOf(trx, username), {});
    }),
  enableUser: (db: Db, username: string) =>
    inOne(db, async (trx) => {
      await enableUser(trx, username);
      await audit(trx, CLI_ACTOR, 'enable-user', username, await areasOf(trx, username), {});
    }),
  revokeDevice: (db: Db, deviceId: string) =>
    inOne(db, async (trx) => {
      await revokeDevice(trx, deviceId);
      const by = await trx.selectFrom('devices').innerJoin('users', 'users.id', 'devices.user_id').select('users.username').where('devices.id', '=', deviceId).executeTakeFirstOrThrow();
      await audit(trx, CLI_ACTOR, 'revoke-device', deviceId, await areasOf(trx, by.username), { registeredBy: by.username });
    }),
};

// ---------------------------------------------------------------------------------------------
// Routes

/** The administration's routes (app.ts registers them beside the roster import's). */
export function adminRoutes(app: FastifyInstance, db: Db, principal: (req: FastifyRequest) => Promise<Principal>): void {
  const actor = async (req: FastifyRequest): Promise<Actor> => {
    const p = await principal(req);
    mayUse(p);
    return p;
  };
  const name = (req: FastifyRequest) => (req.params as { username?: string }).username ?? '';
  const limitOf = (req: FastifyRequest) => {
    const raw = (req.query as Record<string, string | undefined>).limit ?? '200';
    const n = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= 1_000)) throw new HttpError(400, 'invalid', '条数应为 1 到 1000 (limit: 1 to 1000)', 'limit');
    return n;
  };

  app.get('/api/admin/users', async (req) => ({ users: await listUsers(db, await actor(req)) }));
  app.post('/api/admin/users', async (req) => addUser(db, await actor(req), req.body));
  app.post('/api/admin/users/:username/disable', async (req) => disable(db, await actor(req), name(req)));
  app.post('/api/admin/users/:username/enable', async (req) => enable(db, await actor(req), name(req)));
  app.post('/api/admin/users/:username/password', async (req) => newPassword(db, await actor(req), name(req), req.body));
  app.put('/api/admin/users/:username/areas', async (req) => assignAreas(db, await actor(req), name(req), req.body));
  app.put('/api/admin/users/:username/phone', async (req) => changePhone(db, await actor(req), name(req), req.body));
  app.put('/api/admin/users/:username/role', async (req) => changeRole(db, await actor(req), name(req), req.body));
  app.get('/api/admin/devices', async (req) => ({ devices: await listDevices(db, await actor(req)) }));
  app.post('/api/admin/devices/:id/revoke', async (req) => revoke(db, await actor(req), (req.params as { id: string }).id));
  app.get('/api/admin/areas', async (req) => areaTree(db, await actor(req)));
  app.get('/api/admin/audit', async (req) => {
    const a = await actor(req);
    return { entries: await listAudit(db, a, limitOf(req)) };
  });
}
