import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { beforeEach, describe, expect, it } from 'vitest';
import { CunyiDb, db, DB_NAME } from '../../src/client/db/schema.ts';
import { newDataKey, toBase64, unwrapWithPin, unwrapWithServer, wrapWithPin, wrapWithServer } from '../../src/client/profiles/keys.ts';
import { weakPin } from '../../src/client/profiles/PinPad.tsx';
import {
  adoptLegacyStore,
  checkPin,
  deviceId,
  listProfiles,
  newAccountProfile,
  openStore,
  registry,
  removeProfile,
  setPin,
  takeWipeNotice,
} from '../../src/client/profiles/registry.ts';
import { boot, enter, gateState, lockNow, switchUser, unlock, wipe } from '../../src/client/profiles/store.ts';

async function clearAll(): Promise<void> {
  registry().close();
  for (const name of await Dexie.getDatabaseNames()) await Dexie.delete(name);
  await registry().open();
}

const recovery = () => toBase64(crypto.getRandomValues(new Uint8Array(32))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('keys', () => {
  it('a PIN unwraps the data key, a wrong PIN does not; so does the county recovery key', async () => {
    const k = newDataKey();
    const w = await wrapWithPin(k, '205813', 1_000);
    expect(await unwrapWithPin(w, '205813')).toEqual(k);
    expect(await unwrapWithPin(w, '205814')).toBeNull();
    expect(await unwrapWithPin(w, '12345')).toBeNull();
    const r = recovery();
    const s = await wrapWithServer(k, r);
    expect(await unwrapWithServer(s, r)).toEqual(k);
    expect(await unwrapWithServer(s, recovery())).toBeNull();
    expect(w.data).not.toContain(toBase64(k));
  });

  it('refuses PINs anyone would guess', () => {
    for (const p of ['000000', '111111', '123456', '654321', '345678']) expect(weakPin(p)).toBe(true);
    for (const p of ['205813', '190372']) expect(weakPin(p)).toBe(false);
  });
});

describe('profiles', () => {
  beforeEach(clearAll);

  it('two accounts on one tablet share the device id and keep separate stores', async () => {
    const dev = await deviceId();
    const a = newAccountProfile('doctor', 'village-doctor');
    const b = newAccountProfile('cadre', 'village-cadre');
    const pa = await setPin(a.profile, a.key, '205813', null);
    const pb = await setPin(b.profile, b.key, '190372', null);
    const da = await openStore(pa, a.key);
    await da.villages.put({ id: 'v1', code: '1', name: '甲村', township: 't', county: 'c' } as never);
    const dbb = await openStore(pb, b.key);
    expect(await dbb.villages.count()).toBe(0);
    expect(pa.dbName).not.toBe(pb.dbName);
    expect(await deviceId()).toBe(dev);
    da.close();
    dbb.close();
    expect((await listProfiles()).map((p) => p.username).sort()).toEqual(['cadre', 'doctor']);
  });

  it('five wrong PINs leave the profile to the password; its data stays', async () => {
    const a = newAccountProfile('doctor', 'village-doctor');
    const p = await setPin(a.profile, a.key, '205813', null);
    const d = await openStore(p, a.key);
    await d.meta.put({ key: 'x', value: 1 });
    d.close();
    for (let i = 4; i >= 1; i--) expect(await checkPin(p.id, '999991')).toEqual({ ok: false, left: i });
    expect(await checkPin(p.id, '999991')).toEqual({ ok: false, left: 0 });
    // The right PIN no longer opens it.
    expect((await checkPin(p.id, '205813')).ok).toBe(false);
    expect((await registry().profiles.get(p.id))!.needsPassword).toBe(true);
    expect(await Dexie.exists(p.dbName)).toBe(true);
  });

  it('a right PIN resets the count', async () => {
    const a = newAccountProfile('doctor', 'village-doctor');
    const p = await setPin(a.profile, a.key, '205813', null);
    await checkPin(p.id, '000001');
    await checkPin(p.id, '000001');
    expect((await checkPin(p.id, '205813')).ok).toBe(true);
    expect((await registry().profiles.get(p.id))!.pinFailures).toBe(0);
  });

  it('adopts the single-user store: the demo as the demo profile, sealed on first open', async () => {
    const old = new CunyiDb(DB_NAME);
    await old.meta.put({ key: 'device', value: { id: 'DEV1' } });
    await old.meta.put({ key: 'mode', value: { demo: true } });
    await old.members.put({ id: 'm1', householdId: 'h1', villageId: 'v1', idNumber: '141130199001014913', name: '王芳' } as never);
    old.close();
    await adoptLegacyStore();
    const [p] = await listProfiles();
    expect(p).toMatchObject({ kind: 'demo', dbName: DB_NAME, unsealed: true });
    expect(await deviceId()).toBe('DEV1');
    await boot();
    expect(gateState().phase).toBe('open');
    expect((await db().members.get('m1'))!.idNumber).toBe('141130199001014913');
    const raw = new Dexie(DB_NAME);
    await raw.open();
    expect(JSON.stringify(await raw.table('members').toArray())).not.toContain('141130199001014913');
    raw.close();
    expect((await registry().profiles.get(p!.id))!.unsealed).toBe(false);
  });

  it('adopts a signed-in store as an account profile that asks for a PIN; an empty one is dropped', async () => {
    const old = new CunyiDb(DB_NAME);
    await old.meta.put({ key: 'session', value: { token: 't', username: 'doctor', role: 'village-doctor' } });
    old.close();
    await adoptLegacyStore();
    const [p] = await listProfiles();
    expect(p).toMatchObject({ kind: 'account', username: 'doctor', keys: {} });
    await boot();
    expect(gateState()).toMatchObject({ phase: 'locked', profile: { id: p!.id } });

    await clearAll();
    await new CunyiDb(DB_NAME).open().then((d) => d.close());
    await adoptLegacyStore();
    expect(await listProfiles()).toEqual([]);
    expect(await Dexie.exists(DB_NAME)).toBe(false);
  });

  it('locks, unlocks, switches without deleting, and a sign-out deletes only its profile', async () => {
    const a = newAccountProfile('doctor', 'village-doctor');
    const b = newAccountProfile('cadre', 'village-cadre');
    const pa = await setPin(a.profile, a.key, '205813', null);
    const pb = await setPin(b.profile, b.key, '190372', null);
    await enter(pa, a.key);
    await db().meta.put({ key: 'mine', value: 'doctor' });
    lockNow();
    expect(gateState().overlay).toBe(true);
    expect(await unlock('111112')).toEqual({ ok: false, left: 4 });
    expect(await unlock('205813')).toEqual({ ok: true });
    expect(gateState().overlay).toBe(false);
    await switchUser();
    expect(gateState()).toMatchObject({ phase: 'locked', profile: null });
    await enter(pb, b.key);
    expect(await db().meta.get('mine')).toBeUndefined();
    await removeProfile(pb.id);
    expect(await Dexie.exists(pb.dbName)).toBe(false);
    expect(await Dexie.exists(pa.dbName)).toBe(true);
  });

  it('a revoked device wipes every account profile and says why; a disabled user only theirs', async () => {
    const a = newAccountProfile('doctor', 'village-doctor');
    const b = newAccountProfile('cadre', 'village-cadre');
    const pa = await setPin(a.profile, a.key, '205813', null);
    const pb = await setPin(b.profile, b.key, '190372', null);
    await (await openStore(pa, a.key)).close();
    await (await openStore(pb, b.key)).close();
    await enter(pa, a.key);
    await wipe('user-disabled');
    expect(gateState().phase).toBe('blank');
    expect(await Dexie.exists(pa.dbName)).toBe(false);
    expect(await Dexie.exists(pb.dbName)).toBe(true);
    expect(await takeWipeNotice()).toMatchObject({ reason: 'user-disabled', username: 'doctor' });
    await wipe('device-revoked', null);
    expect(await Dexie.exists(pb.dbName)).toBe(false);
    expect(await listProfiles()).toEqual([]);
    expect(await takeWipeNotice()).toMatchObject({ reason: 'device-revoked' });
    expect(await takeWipeNotice()).toBeNull();
  });
});
