/**
 * Profiles: each account signed in on this tablet, and the demo, has a store of its own (a Dexie
 * database `cunyi-<id>`), sealed under its own data key (db/seal.ts). The registry, a small
 * database of its own, lists them with their wrapped keys, and holds the device id the county
 * knows this tablet by (one device, several users). Switching profile closes one store and opens
 * another; nothing is deleted except by an explicit sign-out or a wipe ordered by the county.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { Role } from '../../model/sync.ts';
import { ulid } from '../../model/ulid.ts';
import { CunyiDb, DB_NAME, useDb } from '../db/schema.ts';
import { sealBlob } from '../db/seal.ts';
import { fromBase64, newDataKey, toBase64, unwrapWithPin, wrapWithPin, wrapWithServer, type PinWrapped, type Wrapped } from './keys.ts';

export const REGISTRY_DB = 'cunyi-profiles';
/** Five wrong PINs in a row, and only the online password opens the profile again. */
export const PIN_ATTEMPTS = 5;

export interface ProfileRow {
  id: string;
  kind: 'demo' | 'account';
  /** The county account (null for the demo, and for a store kept from before profiles without a session). */
  username: string | null;
  role: Role | null;
  dbName: string;
  createdAt: string;
  usedAt: string;
  keys: {
    /** The demo's key, unwrapped: its data is synthetic, and trying the app asks for no PIN. */
    demo?: string;
    pin?: PinWrapped;
    /** Wrapped by the county's recovery key for this user and device (absent until fetched once online). */
    server?: Wrapped;
  };
  pinFailures: number;
  needsPassword: boolean;
  /** A store from before encryption whose rows are sealed when it is first opened with its key. */
  unsealed?: boolean;
}

interface MetaRow {
  key: string;
  value: unknown;
}

export class RegistryDb extends Dexie {
  profiles!: EntityTable<ProfileRow, 'id'>;
  meta!: EntityTable<MetaRow, 'key'>;
  constructor(name = REGISTRY_DB) {
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({ profiles: 'id, username', meta: 'key' });
  }
}

let reg: RegistryDb | null = null;
export function registry(): RegistryDb {
  reg ??= new RegistryDb();
  return reg;
}

const nowIso = () => new Date().toISOString();

/** The id the county knows this tablet by, the same for every profile on it. */
export async function deviceId(): Promise<string> {
  const r = registry();
  return r.transaction('rw', r.meta, async () => {
    const row = await r.meta.get('device');
    if (row) return (row.value as { id: string }).id;
    const id = ulid();
    await r.meta.put({ key: 'device', value: { id, createdAt: nowIso() } });
    return id;
  });
}

export async function listProfiles(): Promise<ProfileRow[]> {
  return (await registry().profiles.toArray()).sort((a, b) => (a.usedAt < b.usedAt ? 1 : -1));
}

export async function activeProfileId(): Promise<string | null> {
  return ((await registry().meta.get('active'))?.value as string | undefined) ?? null;
}

export async function setActiveProfile(id: string | null): Promise<void> {
  if (id) await registry().meta.put({ key: 'active', value: id });
  else await registry().meta.delete('active');
}

/** Why the tablet last removed a profile on the county's word (shown on the sign-in screen once). */
export interface WipeNotice {
  reason: 'device-revoked' | 'user-disabled';
  username: string | null;
  at: string;
}
export async function takeWipeNotice(): Promise<WipeNotice | null> {
  const r = registry();
  const row = await r.meta.get('wiped');
  if (row) await r.meta.delete('wiped');
  return (row?.value as WipeNotice | undefined) ?? null;
}

/**
 * The store of the single-user versions (database `cunyi`) becomes a profile, once: the demo's, or
 * the signed-in account's (which asks for a PIN on next start, then seals its rows); a store with
 * nothing in it is dropped. Its device id stays the tablet's.
 */
export async function adoptLegacyStore(): Promise<void> {
  const r = registry();
  if (!(await Dexie.exists(DB_NAME))) return;
  if ((await r.profiles.toArray()).some((p) => p.dbName === DB_NAME)) return;
  const old = new CunyiDb(DB_NAME);
  try {
    const [device, mode, session, villages, outbox] = await Promise.all([old.meta.get('device'), old.meta.get('mode'), old.meta.get('session'), old.villages.count(), old.outbox.count()]);
    if (device && !(await r.meta.get('device'))) await r.meta.put({ key: 'device', value: device.value });
    const s = session?.value as { username?: string; role?: Role } | undefined;
    const base = { id: ulid(), dbName: DB_NAME, createdAt: nowIso(), usedAt: nowIso(), pinFailures: 0, needsPassword: false, unsealed: true };
    if (mode && !s) {
      await r.profiles.add({ ...base, kind: 'demo', username: null, role: null, keys: { demo: toBase64(newDataKey()) } });
      await setActiveProfile(base.id);
    } else if (s || villages > 0 || outbox > 0) {
      await r.profiles.add({ ...base, kind: 'account', username: s?.username ?? null, role: s?.role ?? null, keys: {} });
      await setActiveProfile(base.id);
    } else {
      old.close();
      await Dexie.delete(DB_NAME);
    }
  } finally {
    old.close();
  }
}

/** Opens a profile's store with its data key, sealing any rows left from before encryption. */
export async function openStore(p: ProfileRow, key: Uint8Array, durability: 'strict' | 'relaxed' = 'strict'): Promise<CunyiDb> {
  const d = new CunyiDb(p.dbName, { key, durability });
  await d.open();
  if (p.unsealed) {
    await sealAll(d);
    await registry().profiles.update(p.id, { unsealed: false });
    p.unsealed = false;
  }
  return d;
}

/** Writes every row again through the sealing middleware, and seals every photo. */
async function sealAll(d: CunyiDb): Promise<void> {
  const photoKey = await d.photoKey();
  for (const t of d.tables) {
    if (t.name === 'attachments') continue;
    let last: unknown = null;
    for (;;) {
      const chunk: Record<string, unknown>[] = await (last === null ? t.orderBy(':id') : t.where(':id').above(last)).limit(2_000).toArray();
      if (chunk.length === 0) break;
      await t.bulkPut(chunk);
      last = (t.schema.primKey.keyPath as string | null) ? chunk[chunk.length - 1]![t.schema.primKey.keyPath as string] : null;
      if (last === null) break;
    }
  }
  for (const id of (await d.attachments.toCollection().primaryKeys()) as string[]) {
    const a = await d.attachments.get(id);
    if (!a || a.sealed || !a.blob) continue;
    const sealed = await sealBlob(photoKey, a.blob);
    await d.attachments.put({ ...a, blob: sealed, sealed: true });
  }
}

/** The demo's profile, made when first asked for. */
export async function demoProfile(): Promise<{ profile: ProfileRow; key: Uint8Array }> {
  const r = registry();
  const found = (await r.profiles.toArray()).find((p) => p.kind === 'demo');
  if (found) return { profile: found, key: fromBase64(found.keys.demo!) };
  const key = newDataKey();
  const id = ulid();
  const profile: ProfileRow = { id, kind: 'demo', username: null, role: null, dbName: `cunyi-${id}`, createdAt: nowIso(), usedAt: nowIso(), keys: { demo: toBase64(key) }, pinFailures: 0, needsPassword: false };
  await r.profiles.add(profile);
  return { profile, key };
}

export async function profileOf(username: string): Promise<ProfileRow | null> {
  return (await registry().profiles.toArray()).find((p) => p.kind === 'account' && p.username === username) ?? null;
}

/** A new account profile, listed once its PIN is set (setPin); its store is created when first opened. */
export function newAccountProfile(username: string, role: Role): { profile: ProfileRow; key: Uint8Array } {
  const id = ulid();
  const profile: ProfileRow = { id, kind: 'account', username, role, dbName: `cunyi-${id}`, createdAt: nowIso(), usedAt: nowIso(), keys: {}, pinFailures: 0, needsPassword: false };
  return { profile, key: newDataKey() };
}

/** Sets (or replaces) the PIN of a profile, and its recovery wrap when the county's key is at hand. */
export async function setPin(p: ProfileRow, key: Uint8Array, pin: string, recoveryKey: string | null): Promise<ProfileRow> {
  const keys: ProfileRow['keys'] = { ...p.keys, pin: await wrapWithPin(key, pin) };
  if (recoveryKey) keys.server = await wrapWithServer(key, recoveryKey);
  const next: ProfileRow = { ...p, keys, pinFailures: 0, needsPassword: false };
  await registry().profiles.put(next);
  return next;
}

export async function saveRecoveryWrap(p: ProfileRow, key: Uint8Array, recoveryKey: string): Promise<void> {
  await registry().profiles.update(p.id, { keys: { ...p.keys, server: await wrapWithServer(key, recoveryKey) } });
}

export type PinCheck = { ok: true; key: Uint8Array } | { ok: false; left: number };

/** Checks a PIN; the fifth wrong one in a row leaves the profile to the online password. */
export async function checkPin(id: string, pin: string): Promise<PinCheck> {
  const r = registry();
  const p = await r.profiles.get(id);
  if (!p?.keys.pin || p.needsPassword) return { ok: false, left: 0 };
  const key = await unwrapWithPin(p.keys.pin, pin);
  if (key) {
    await r.profiles.update(id, { pinFailures: 0, usedAt: nowIso() });
    return { ok: true, key };
  }
  const failures = p.pinFailures + 1;
  await r.profiles.update(id, { pinFailures: failures, needsPassword: failures >= PIN_ATTEMPTS });
  return { ok: false, left: Math.max(0, PIN_ATTEMPTS - failures) };
}

/** Deletes a profile and its store (sign-out, or the county's wipe). */
export async function removeProfile(id: string, wiped?: WipeNotice): Promise<void> {
  const r = registry();
  const p = await r.profiles.get(id);
  if (!p) return;
  if ((await activeProfileId()) === id) {
    useDb(null);
    await setActiveProfile(null);
  }
  await Dexie.delete(p.dbName);
  await r.profiles.delete(id);
  if (wiped) await r.meta.put({ key: 'wiped', value: wiped });
}
