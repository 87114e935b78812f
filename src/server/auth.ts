/**
 * Accounts: passwords under scrypt (memory-hard: N=2^15, r=8 → 32 MiB a hash) that pass the
 * password rule (passwords.ts), session tokens that expire, devices registered at their first
 * sign-in, shared by the users of a county and revocable, users that can be disabled, a lockout
 * after repeated wrong passwords, and each user's jurisdiction as administrative code prefixes (a
 * village's 12 digits, a township's 9, a county's 6).
 */
import { checkPhone } from '../model/contact.ts';
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { ROLES, type Role } from '../model/sync.ts';
import { ulid } from '../model/ulid.ts';
import type { Tables } from './db.ts';
import { passwordProblem } from './passwords.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const KDF = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export const SESSION_DAYS = 30;
/** The demo accounts' published password: refused by the password rule, set only by the demo seeding. */
export const DEMO_PASSWORD = 'cunyi-demo';

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, 32, KDF);
  return `scrypt$${KDF.N}$${KDF.r}$${KDF.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: KDF.maxmem });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Runs `fn` in the caller's transaction when `db` is one (an administrator's change and its audit
 * row commit together, src/server/admin.ts), else in a transaction of its own.
 */
function inTransaction<T>(db: Kysely<Tables>, fn: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

export type AuthCode = 'unauthorized' | 'forbidden' | 'device-revoked' | 'user-disabled' | 'locked' | 'invalid';

/**
 * A refusal of the accounts layer. The codes a tablet acts on: `unauthorized` (401: no session, or
 * it expired or ended: sign in again), `device-revoked` and `user-disabled` (403: the tablet wipes
 * the profile), `locked` (429, with `retryAfter` seconds: too many wrong passwords for the name).
 */
export class AuthError extends Error {
  constructor(
    readonly code: AuthCode,
    message: string,
    /** Seconds until a locked sign-in may be tried again (the Retry-After header). */
    readonly retryAfter?: number,
    /** More fields for the error object (e.g. `lockedUntil`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return { unauthorized: 401, invalid: 400, locked: 429, forbidden: 403, 'device-revoked': 403, 'user-disabled': 403 }[this.code];
  }
}

export interface Principal {
  userId: string;
  username: string;
  /** The name shown to others (on a filing's events, "byName"). */
  displayName: string;
  role: Role;
  deviceId: string;
  /** Administrative code prefixes the user may see and change. */
  areas: string[];
}

const AREA = /^[0-9]{6}([0-9]{3}([0-9]{3})?)?$/;

interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  areas: string[];
  /** The staff member's phone (mobile or landline), shown to reviewers; none when absent. */
  phone?: string | null;
}

/** Creates an account; the password must pass the password rule (src/server/passwords.ts). */
export async function createUser(db: Kysely<Tables>, u: NewUser): Promise<string> {
  checkNewUser(u);
  const problem = passwordProblem(u.password, u.username);
  if (problem) throw new AuthError('invalid', problem);
  return insertUser(db, u);
}

/**
 * Creates one of the demo accounts with the published demo password, which the password rule
 * refuses everywhere else: only the demo seeding (src/server/demo.ts) calls this.
 */
export async function createDemoUser(db: Kysely<Tables>, u: Omit<NewUser, 'password'>): Promise<string> {
  checkNewUser({ ...u, password: DEMO_PASSWORD });
  return insertUser(db, { ...u, password: DEMO_PASSWORD });
}

function checkNewUser(u: NewUser): void {
  if (!USERNAME.test(u.username)) throw new AuthError('invalid', 'username: 3-32 lower-case letters, digits, dot, dash or underscore');
  if (!ROLES.includes(u.role)) throw new AuthError('invalid', `role: one of ${ROLES.join(', ')}`);
  for (const a of u.areas) if (!AREA.test(a)) throw new AuthError('invalid', `areas: "${a}" is not a county (6), township (9) or village (12) code`);
  if (u.phone != null) staffPhone(u.phone);
}

/** A staff phone as stored (digits only), or the refusal naming the field. */
function staffPhone(input: string): string {
  const r = checkPhone(input);
  if (!r.ok) throw new AuthError('invalid', r.problem === 'fullwidth' ? 'phone: 请用半角数字 (use ASCII digits, not full-width)' : 'phone: 应为 11 位手机号或带区号的座机号 (an 11-digit mobile or a landline with its area code)');
  return r.phone;
}

/** Sets (or, with null, clears) the phone shown to reviewers beside the filings a user makes. */
export async function setPhone(db: Kysely<Tables>, username: string, phone: string | null): Promise<void> {
  const value = phone === null ? null : staffPhone(phone);
  const id = await userId(db, username);
  await db.updateTable('users').set({ phone: value }).where('id', '=', id).execute();
}

async function insertUser(db: Kysely<Tables>, u: NewUser): Promise<string> {
  const id = ulid();
  const hash = await hashPassword(u.password);
  await inTransaction(db, async (trx) => {
    await trx.insertInto('users').values({ id, username: u.username, display_name: u.displayName, role: u.role, password_hash: hash, created_at: new Date().toISOString(), disabled: 0, phone: u.phone == null ? null : staffPhone(u.phone) }).execute();
    if (u.areas.length) await trx.insertInto('user_areas').values(u.areas.map((a) => ({ user_id: id, area_code: a }))).execute();
  });
  return id;
}

async function userId(db: Kysely<Tables>, username: string): Promise<string> {
  const user = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (!user) throw new AuthError('invalid', `no user "${username}"`);
  return user.id;
}

/**
 * Refuses an area that is no county (6 digits), township (9) or village (12) code, or names no
 * village the county holds: an account given `1` or another county's code would see nothing, or
 * the wrong villages, without anyone noticing.
 */
export async function checkAreas(db: Kysely<Tables>, areas: readonly string[]): Promise<void> {
  for (const a of areas) {
    if (!AREA.test(a)) throw new AuthError('invalid', `areas: "${a}" 不是县（6 位）、乡镇（9 位）或村（12 位）代码 (is not a county, township or village code)`);
    const known = await db.selectFrom('records').select('id').where('entity', '=', 'village').where('deleted', '=', 0).where(inAreas([a])).limit(1).executeTakeFirst();
    if (!known) throw new AuthError('invalid', `areas: "${a}" 下没有本县的村 (names no village of this county)`);
  }
}

export async function setAreas(db: Kysely<Tables>, username: string, areas: string[]): Promise<void> {
  await checkAreas(db, areas);
  const id = await userId(db, username);
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('user_areas').where('user_id', '=', id).execute();
    if (areas.length) await trx.insertInto('user_areas').values(areas.map((a) => ({ user_id: id, area_code: a }))).execute();
  });
}

/** Ends sessions at once, keeping them so that their tokens answer why. */
async function endSessions(db: Kysely<Tables>, by: { userId?: string; deviceId?: string }, reason: 'device-revoked' | 'user-disabled' | 'password-reset'): Promise<void> {
  let q = db.updateTable('sessions').set({ ended_at: new Date().toISOString(), ended_reason: reason }).where('ended_at', 'is', null);
  if (by.userId) q = q.where('user_id', '=', by.userId);
  if (by.deviceId) q = q.where('device_id', '=', by.deviceId);
  await q.execute();
}

/** A new password (the password rule applies); ends the user's sessions on every device. */
export async function resetPassword(db: Kysely<Tables>, username: string, password: string): Promise<void> {
  const problem = passwordProblem(password, username);
  if (problem) throw new AuthError('invalid', problem);
  const id = await userId(db, username);
  await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', id).execute();
  await endSessions(db, { userId: id }, 'password-reset');
  await db.deleteFrom('login_throttle').where('username', '=', username).execute();
}

/**
 * The user can no longer sign in, every session of theirs ends at once (`user-disabled`), and their
 * recovery keys are deleted: what their tablets hold can no longer be recovered with the password.
 */
export async function disableUser(db: Kysely<Tables>, username: string): Promise<void> {
  const id = await userId(db, username);
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ disabled: 1 }).where('id', '=', id).execute();
    await endSessions(trx, { userId: id }, 'user-disabled');
    // After the flag is set, so that no key is made anew in between (deviceKey checks the flag).
    await trx.deleteFrom('device_keys').where('user_id', '=', id).execute();
  });
}

/** The user may sign in again (the sessions ended by disabling stay ended, the recovery keys deleted). */
export async function enableUser(db: Kysely<Tables>, username: string): Promise<void> {
  const id = await userId(db, username);
  await db.updateTable('users').set({ disabled: 0 }).where('id', '=', id).execute();
}

/**
 * No one can sign in or sync on the device any more; every session on it ends (`device-revoked`),
 * and the recovery keys of all its users are deleted: a stolen tablet's data cannot be recovered
 * afterwards, not even with a user's password.
 */
export async function revokeDevice(db: Kysely<Tables>, deviceId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const r = await trx.updateTable('devices').set({ revoked_at: new Date().toISOString() }).where('id', '=', deviceId).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AuthError('invalid', `no device "${deviceId}"`);
    await endSessions(trx, { deviceId }, 'device-revoked');
    // After the revocation is set, so that no key is made anew in between (deviceKey checks it).
    await trx.deleteFrom('device_keys').where('device_id', '=', deviceId).execute();
  });
}

/** Lockout after repeated wrong passwords for one username, kept in the database (it survives a restart). */
export interface LockoutPolicy {
  /** Wrong passwords in a row that lock the name. */
  failures: number;
  /** A failure longer than this after the previous one starts the count again. */
  windowMs: number;
  /** How long the name stays locked. */
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { failures: 10, windowMs: 60 * 60_000, lockMs: 15 * 60_000 };

/** A time as the tablets' users read it (China, UTC+8). */
const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

function lockedError(until: string, now: number): AuthError {
  const retryAfter = Math.max(1, Math.ceil((Date.parse(until) - now) / 1000));
  return new AuthError('locked', `密码错误次数过多，该账号已暂时锁定，请在北京时间 ${chinaTime(until)} 之后再试 (too many wrong passwords: sign-in is locked until ${until})`, retryAfter, { lockedUntil: until, retryAfter });
}

/** Counts a wrong password for the name; locks it when the count reaches the policy's. */
async function failedSignIn(db: Kysely<Tables>, username: string, policy: LockoutPolicy, now: number): Promise<string | null> {
  const at = new Date(now).toISOString();
  const windowStart = new Date(now - policy.windowMs).toISOString();
  const row = await db
    .insertInto('login_throttle')
    .values({ username, failures: 1, last_failed_at: at, locked_until: null })
    .onConflict((oc) =>
      oc.column('username').doUpdateSet({
        failures: sql<number>`case when login_throttle.last_failed_at < ${windowStart} then 1 else login_throttle.failures + 1 end`,
        last_failed_at: at,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  if (Number(row.failures) < policy.failures) return null;
  const until = new Date(now + policy.lockMs).toISOString();
  await db.updateTable('login_throttle').set({ failures: 0, locked_until: until }).where('username', '=', username).execute();
  return until;
}

/** The refusals of a sign-in, in the order they are checked. */
const WRONG = () => new AuthError('unauthorized', '用户名或密码不对 (wrong username or password)');
const REVOKED = () => new AuthError('device-revoked', '这台设备已被停用，请联系县里的管理员 (this device was revoked)');
const DISABLED = () => new AuthError('user-disabled', '您的账号已被停用，请联系县里的管理员 (this account was disabled)');

/** The counties (6-digit codes) of a user's areas. */
const countiesOf = (areas: string[]) => new Set(areas.map((a) => a.slice(0, 6)));

/**
 * Signs in on a device (registered on its first sign-in, by whoever signs in first); returns a
 * session token. Any active user of the same county may sign in on a registered device; who used
 * which device is kept in `device_users`.
 */
export async function login(
  db: Kysely<Tables>,
  username: string,
  password: string,
  deviceId: string,
  deviceName: string,
  policy: LockoutPolicy = DEFAULT_LOCKOUT,
): Promise<{ token: string; expiresAt: string; principal: Principal }> {
  const nowMs = Date.now();
  // A name no account can have is not looked up (nor is its text sent to the database).
  const named = USERNAME.test(username);
  if (named) {
    const t = await db.selectFrom('login_throttle').select('locked_until').where('username', '=', username).executeTakeFirst();
    // Locked: refused without even checking the password, a right one included.
    if (t?.locked_until && Date.parse(t.locked_until) > nowMs) throw lockedError(t.locked_until, nowMs);
  }
  const user = named ? await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst() : undefined;
  // Verify against a dummy hash when the user is unknown, so timing does not tell who exists.
  const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  if (!user || !ok) {
    // Names without an account are counted too, so that a lockout does not tell who exists.
    const until = named ? await failedSignIn(db, username, policy, nowMs) : null;
    throw until ? lockedError(until, nowMs) : WRONG();
  }
  await db.deleteFrom('login_throttle').where('username', '=', username).execute();
  const now = new Date(nowMs).toISOString();
  const device = await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (device?.revoked_at) throw REVOKED();
  if (user.disabled) throw DISABLED();
  if (device && device.user_id !== user.id && user.role !== 'admin') {
    // A device stays in its county: a user of another county may not sign in on it.
    const first = await db.selectFrom('user_areas').select('area_code').where('user_id', '=', device.user_id).execute();
    const mine = await db.selectFrom('user_areas').select('area_code').where('user_id', '=', user.id).execute();
    const theirs = countiesOf(first.map((a) => a.area_code));
    if (theirs.size > 0 && mine.length > 0 && !mine.some((a) => theirs.has(a.area_code.slice(0, 6)))) {
      throw new AuthError('forbidden', '这台设备登记在另一个县，不能用这个账号登录 (this device is registered in another county)');
    }
  }
  await db.transaction().execute(async (trx) => {
    if (!device) {
      await trx
        .insertInto('devices')
        .values({ id: deviceId, user_id: user.id, name: deviceName, registered_at: now, last_seen_at: now, revoked_at: null })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    await trx
      .insertInto('device_users')
      .values({ device_id: deviceId, user_id: user.id, first_at: now, last_at: now })
      .onConflict((oc) => oc.columns(['device_id', 'user_id']).doUpdateSet({ last_at: now }))
      .execute();
  });
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(nowMs + SESSION_DAYS * 86_400_000).toISOString();
  await db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: user.id, device_id: deviceId, created_at: now, expires_at: expiresAt, ended_at: null, ended_reason: null }).execute();
  return { token, expiresAt, principal: await principalOf(db, user.id, deviceId) };
}

async function principalOf(db: Kysely<Tables>, userId: string, deviceId: string, user?: Tables['users']): Promise<Principal> {
  const u = user ?? (await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow());
  const areas = await db.selectFrom('user_areas').select('area_code').where('user_id', '=', userId).execute();
  return { userId, username: u.username, displayName: u.display_name, role: u.role as Role, deviceId, areas: areas.map((a) => a.area_code) };
}

/** How often a device's last-seen time is written: a read stays a read (and works on a full disk). */
export const LAST_SEEN_EVERY_MS = 60_000;

/**
 * Notes that a device was seen, at most once a minute; a failure to write it (a full disk) does not
 * fail the request it came with.
 */
async function touchDevice(db: Kysely<Tables>, deviceId: string, lastSeen: string): Promise<void> {
  const now = Date.now();
  const last = Date.parse(lastSeen);
  if (Number.isFinite(last) && now - last < LAST_SEEN_EVERY_MS && now >= last) return;
  try {
    await db.updateTable('devices').set({ last_seen_at: new Date(now).toISOString() }).where('id', '=', deviceId).execute();
  } catch {
    /* next time */
  }
}

/** Usernames as createUser accepts them (anything else cannot be an account). */
export const USERNAME = /^[a-z0-9._-]{3,32}$/;

/**
 * The principal behind a bearer token, or AuthError: `device-revoked` when the session's device was
 * revoked, `user-disabled` when its user was disabled (whatever became of the session), otherwise
 * `unauthorized` for no session, or one that expired or was ended (a new password).
 */
export async function authenticate(db: Kysely<Tables>, token: string | undefined): Promise<Principal> {
  if (!token) throw new AuthError('unauthorized', '请先登录 (sign in first)');
  const expired = () => new AuthError('unauthorized', '登录已过期，请重新登录 (session expired)');
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw expired();
  const s = await db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();
  if (!s) throw expired();
  const device = await db.selectFrom('devices').selectAll().where('id', '=', s.device_id).executeTakeFirst();
  if (!device || device.revoked_at) throw REVOKED();
  const user = await db.selectFrom('users').selectAll().where('id', '=', s.user_id).executeTakeFirst();
  if (!user) throw expired();
  if (user.disabled) throw DISABLED();
  if (s.ended_at || s.expires_at < new Date().toISOString()) throw expired();
  await touchDevice(db, device.id, device.last_seen_at);
  return principalOf(db, s.user_id, s.device_id, user);
}

/**
 * The recovery key of the principal's user on the principal's device (base64url of 32 random
 * bytes), made on the first request. Made and read in one transaction that first reads the device
 * and the user again (on PostgreSQL locked FOR SHARE, so that a concurrent revocation or disabling
 * waits for it, or it for them): a key is never made for a device just revoked or a user just
 * disabled, and none survives their deletion (revokeDevice, disableUser). Two first requests at
 * once get the same key: insert on conflict do nothing, then select.
 */
export async function deviceKey(db: Kysely<Tables>, backend: 'sqlite' | 'postgres', p: Pick<Principal, 'userId' | 'deviceId'>): Promise<string> {
  return db.transaction().execute(async (trx) => {
    let dq = trx.selectFrom('devices').select('revoked_at').where('id', '=', p.deviceId);
    let uq = trx.selectFrom('users').select('disabled').where('id', '=', p.userId);
    // SQLite has no row locks (nor the syntax): its writes are serialized anyway.
    if (backend === 'postgres') {
      dq = dq.forShare();
      uq = uq.forShare();
    }
    const device = await dq.executeTakeFirst();
    if (!device || device.revoked_at) throw REVOKED();
    const user = await uq.executeTakeFirst();
    if (!user) throw new AuthError('unauthorized', '登录已过期，请重新登录 (session expired)');
    if (user.disabled) throw DISABLED();
    await trx
      .insertInto('device_keys')
      .values({ user_id: p.userId, device_id: p.deviceId, key: randomBytes(32).toString('base64url'), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['user_id', 'device_id']).doNothing())
      .execute();
    const row = await trx.selectFrom('device_keys').select('key').where('user_id', '=', p.userId).where('device_id', '=', p.deviceId).executeTakeFirstOrThrow();
    return row.key;
  });
}

/** Whether a village code lies in the principal's jurisdiction. */
export function inJurisdiction(p: Pick<Principal, 'areas' | 'role'>, villageCode: string): boolean {
  if (p.role === 'admin') return true;
  return p.areas.some((a) => villageCode.startsWith(a));
}

/**
 * The counties (6-digit codes) a principal's reads and writes stay in: null for the administrator,
 * who has every county. Every lookup of a record by id names them (sync/push.ts, filings.ts), so
 * that on a province's database it is one county's partition that is read; a record of another
 * county is, to this principal, not there.
 */
export function principalCounties(p: Pick<Principal, 'areas' | 'role'>): string[] | null {
  if (p.role === 'admin') return null;
  return [...new Set(p.areas.map((a) => a.slice(0, 6)))];
}

/** The next code of the same length (`141130101` → `141130102`), or null after all nines. */
function nextCode(prefix: string): string | null {
  if (/^9*$/.test(prefix)) return null;
  return (BigInt(prefix) + 1n).toString().padStart(prefix.length, '0');
}

/**
 * A condition on `records` (or any table with county_code and village_code) for the rows under
 * these area codes: the county (on PostgreSQL, its partition) and, below a county, the village
 * codes as a range, which an index serves whatever the database's collation (LIKE 'x%' uses one
 * only under the C collation). A code that is not 6 to 12 digits is matched as a plain prefix.
 */
export function inAreas(areas: readonly string[]) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    if (areas.length === 0) return eb.lit(false);
    return eb.or(
      areas.map((a) => {
        if (!/^[0-9]{6,12}$/.test(a)) return eb('village_code', 'like', `${a}%`);
        const county = eb('county_code', '=', a.slice(0, 6));
        if (a.length === 6) return county;
        if (a.length === 12) return eb.and([county, eb('village_code', '=', a)]);
        const next = nextCode(a);
        return eb.and([county, eb('village_code', '>=', a), ...(next ? [eb('village_code', '<', next)] : [])]);
      }),
    );
  };
}

/** inAreas for a principal: everything for the administrator. */
export function inScope(p: Pick<Principal, 'areas' | 'role'>) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => (p.role === 'admin' ? eb.lit(true) : inAreas(p.areas)(eb));
}

/** Narrows a lookup by id to the principal's counties (nothing for the administrator). */
export function inCounties(p: Pick<Principal, 'areas' | 'role'>) {
  const counties = principalCounties(p);
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => (counties === null ? eb.lit(true) : counties.length === 0 ? eb.lit(false) : eb('county_code', 'in', counties));
}
