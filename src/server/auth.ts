/**
 * Accounts: passwords under scrypt (memory-hard: N=2^15, r=8 → 32 MiB a hash), session tokens
 * that expire, devices registered at sign-in and revocable, and each user's jurisdiction as
 * administrative code prefixes (a village's 12 digits, a township's 9, a county's 6).
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { ROLES, type Role } from '../model/sync.ts';
import { ulid } from '../model/ulid.ts';
import type { Tables } from './db.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const KDF = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export const SESSION_DAYS = 30;

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

export class AuthError extends Error {
  constructor(
    readonly code: 'unauthorized' | 'forbidden' | 'device-revoked' | 'invalid',
    message: string,
  ) {
    super(message);
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

export async function createUser(db: Kysely<Tables>, u: { username: string; displayName: string; role: Role; password: string; areas: string[] }): Promise<string> {
  if (!USERNAME.test(u.username)) throw new AuthError('invalid', 'username: 3-32 lower-case letters, digits, dot, dash or underscore');
  if (!ROLES.includes(u.role)) throw new AuthError('invalid', `role: one of ${ROLES.join(', ')}`);
  if (u.password.length < 8) throw new AuthError('invalid', 'password: at least 8 characters');
  for (const a of u.areas) if (!/^[0-9]{6}([0-9]{3}([0-9]{3})?)?$/.test(a)) throw new AuthError('invalid', `areas: "${a}" is not a county (6), township (9) or village (12) code`);
  const id = ulid();
  const hash = await hashPassword(u.password);
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values({ id, username: u.username, display_name: u.displayName, role: u.role, password_hash: hash, created_at: new Date().toISOString(), disabled: 0 }).execute();
    if (u.areas.length) await trx.insertInto('user_areas').values(u.areas.map((a) => ({ user_id: id, area_code: a }))).execute();
  });
  return id;
}

export async function setAreas(db: Kysely<Tables>, username: string, areas: string[]): Promise<void> {
  const user = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  if (!user) throw new AuthError('invalid', `no user "${username}"`);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('user_areas').where('user_id', '=', user.id).execute();
    if (areas.length) await trx.insertInto('user_areas').values(areas.map((a) => ({ user_id: user.id, area_code: a }))).execute();
  });
}

export async function resetPassword(db: Kysely<Tables>, username: string, password: string): Promise<void> {
  if (password.length < 8) throw new AuthError('invalid', 'password: at least 8 characters');
  const r = await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('username', '=', username).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new AuthError('invalid', `no user "${username}"`);
  const user = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  await db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
}

export async function revokeDevice(db: Kysely<Tables>, deviceId: string): Promise<void> {
  const r = await db.updateTable('devices').set({ revoked_at: new Date().toISOString() }).where('id', '=', deviceId).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new AuthError('invalid', `no device "${deviceId}"`);
  await db.deleteFrom('sessions').where('device_id', '=', deviceId).execute();
}

/** Signs in on a device (registered on first sign-in); returns a session token. */
export async function login(db: Kysely<Tables>, username: string, password: string, deviceId: string, deviceName: string): Promise<{ token: string; expiresAt: string; principal: Principal }> {
  // A name no account can have is not looked up (nor is its text sent to the database).
  const user = USERNAME.test(username) ? await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst() : undefined;
  // Verify against a dummy hash when the user is unknown, so timing does not tell who exists.
  const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  if (!user || !ok || user.disabled) throw new AuthError('unauthorized', '用户名或密码不对 (wrong username or password)');
  const now = new Date();
  const device = await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (device?.revoked_at) throw new AuthError('device-revoked', '这台设备已被停用，请联系县里的管理员 (this device was revoked)');
  if (device && device.user_id !== user.id) throw new AuthError('forbidden', 'this device is registered to another user');
  if (!device) {
    await db.insertInto('devices').values({ id: deviceId, user_id: user.id, name: deviceName, registered_at: now.toISOString(), last_seen_at: now.toISOString(), revoked_at: null }).execute();
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString();
  await db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: user.id, device_id: deviceId, created_at: now.toISOString(), expires_at: expiresAt }).execute();
  return { token, expiresAt, principal: await principalOf(db, user.id, deviceId) };
}

async function principalOf(db: Kysely<Tables>, userId: string, deviceId: string): Promise<Principal> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  const areas = await db.selectFrom('user_areas').select('area_code').where('user_id', '=', userId).execute();
  return { userId, username: user.username, displayName: user.display_name, role: user.role as Role, deviceId, areas: areas.map((a) => a.area_code) };
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

/** The principal behind a bearer token, or AuthError. */
export async function authenticate(db: Kysely<Tables>, token: string | undefined): Promise<Principal> {
  if (!token) throw new AuthError('unauthorized', '请先登录 (sign in first)');
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AuthError('unauthorized', '登录已过期，请重新登录 (session expired)');
  const s = await db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();
  if (!s || s.expires_at < new Date().toISOString()) throw new AuthError('unauthorized', '登录已过期，请重新登录 (session expired)');
  const device = await db.selectFrom('devices').selectAll().where('id', '=', s.device_id).executeTakeFirst();
  if (!device || device.revoked_at) throw new AuthError('device-revoked', '这台设备已被停用 (this device was revoked)');
  await touchDevice(db, device.id, device.last_seen_at);
  return principalOf(db, s.user_id, s.device_id);
}

/** Whether a village code lies in the principal's jurisdiction. */
export function inJurisdiction(p: Pick<Principal, 'areas' | 'role'>, villageCode: string): boolean {
  if (p.role === 'admin') return true;
  return p.areas.some((a) => villageCode.startsWith(a));
}
