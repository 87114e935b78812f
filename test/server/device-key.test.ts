/**
 * Recovery keys (`GET /api/device-key`), on SQLite and PostgreSQL: one key per (user, device), the
 * same on every request and for concurrent first requests, another for another user or device;
 * refused without a session; deleted, and refused, once the device is revoked or the user disabled
 * (so a stolen tablet's data cannot be recovered with the password afterwards); never cached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeviceKeyResponse } from '../../src/model/device-key.ts';
import { ulid } from '../../src/model/ulid.ts';
import { deviceKey, disableUser, enableUser, revokeDevice } from '../../src/server/auth.ts';
import { BACKENDS } from './backends.ts';
import { fixture, type Auth, type Fixture } from './fixture.ts';

for (const backend of BACKENDS) {
  describe(`recovery keys on ${backend}`, () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await fixture(backend);
    });
    afterAll(async () => f?.close());

    const get = (headers: Auth = {}) => f.app.inject({ method: 'GET', url: '/api/device-key', headers });
    /** The key of a session, checked against the wire schema. */
    const keyOf = async (headers: Auth): Promise<string> => {
      const r = await get(headers);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(checkDeviceKeyResponse(r.json())).toBeNull();
      expect(Buffer.from(r.json().key, 'base64url')).toHaveLength(32);
      return r.json().key as string;
    };
    const codeOf = (r: { statusCode: number; json(): { error?: { code?: string } } }) => [r.statusCode, r.json().error?.code];
    const rows = (by: { userId?: string; deviceId?: string }) => {
      let q = f.sdb.db.selectFrom('device_keys').select(['user_id', 'device_id', 'key']);
      if (by.userId) q = q.where('user_id', '=', by.userId);
      if (by.deviceId) q = q.where('device_id', '=', by.deviceId);
      return q.execute();
    };
    const userIdOf = async (username: string) => (await f.sdb.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

    it('gives one key per user and device: the same on every request and session, another for another user or device', async () => {
      const device = ulid();
      const doctor = await f.signIn('doctor', device);
      const key = await keyOf(doctor);
      expect(await keyOf(doctor)).toBe(key);
      // A new session of the same user on the same device: the same key.
      expect(await keyOf(await f.signIn('doctor', device))).toBe(key);
      // Another user on that device, the same user on another device: other keys.
      const cadreKey = await keyOf(await f.signIn('cadre', device));
      const elsewhere = await keyOf(await f.signIn('doctor', ulid()));
      expect(new Set([key, cadreKey, elsewhere]).size).toBe(3);
      const stored = await rows({ deviceId: device });
      expect(stored.map((r) => r.key).sort()).toEqual([key, cadreKey].sort());
    });

    it('gives concurrent first requests the same key, stored once', async () => {
      const device = ulid();
      const doctor = await f.signIn('doctor', device);
      const answers = await Promise.all(Array.from({ length: 8 }, () => get(doctor)));
      for (const r of answers) expect(r.statusCode, r.body).toBe(200);
      expect(new Set(answers.map((r) => r.json().key)).size).toBe(1);
      expect(await rows({ deviceId: device })).toHaveLength(1);
    });

    it('refuses a request without a session, or with an unknown token, and makes no key', async () => {
      const before = (await rows({})).length;
      const none = await get();
      expect(codeOf(none)).toEqual([401, 'unauthorized']);
      expect(none.headers['cache-control']).toBe('no-store');
      expect(codeOf(await get({ authorization: `Bearer ${'x'.repeat(43)}` }))).toEqual([401, 'unauthorized']);
      expect(await rows({})).toHaveLength(before);
    });

    it('deletes the keys of a revoked device, for each of its users, and refuses it with device-revoked', async () => {
      const device = ulid();
      const doctor = await f.signIn('doctor', device);
      const cadre = await f.signIn('cadre', device);
      const otherDevice = await f.signIn('doctor', ulid());
      await keyOf(doctor);
      await keyOf(cadre);
      const kept = await keyOf(otherDevice);
      expect(await rows({ deviceId: device })).toHaveLength(2);
      await revokeDevice(f.sdb.db, device);
      for (const h of [doctor, cadre]) {
        const r = await get(h);
        expect(codeOf(r)).toEqual([403, 'device-revoked']);
        expect(r.headers['cache-control']).toBe('no-store');
      }
      expect(await rows({ deviceId: device })).toEqual([]);
      // Even asked past the session check (a request already under way): no key is made anew.
      await expect(deviceKey(f.sdb.db, f.sdb.backend, { userId: await userIdOf('doctor'), deviceId: device })).rejects.toMatchObject({ code: 'device-revoked' });
      expect(await rows({ deviceId: device })).toEqual([]);
      // The user's other device keeps its key.
      expect(await keyOf(otherDevice)).toBe(kept);
    });

    it('deletes the keys of a disabled user, on every device, and refuses them with user-disabled; enabled again, they get a new key', async () => {
      const shared = ulid();
      const cadreA = await f.signIn('cadre', shared);
      const cadreB = await f.signIn('cadre', ulid());
      const doctor = await f.signIn('doctor', shared);
      const before = await keyOf(cadreA);
      await keyOf(cadreB);
      const doctorKey = await keyOf(doctor);
      const cadreId = await userIdOf('cadre');
      expect((await rows({ userId: cadreId })).length).toBeGreaterThanOrEqual(2);
      await disableUser(f.sdb.db, 'cadre');
      for (const h of [cadreA, cadreB]) {
        const r = await get(h);
        expect(codeOf(r)).toEqual([403, 'user-disabled']);
        expect(r.headers['cache-control']).toBe('no-store');
      }
      expect(await rows({ userId: cadreId })).toEqual([]);
      await expect(deviceKey(f.sdb.db, f.sdb.backend, { userId: cadreId, deviceId: shared })).rejects.toMatchObject({ code: 'user-disabled' });
      expect(await rows({ userId: cadreId })).toEqual([]);
      // Another user of the shared device keeps theirs.
      expect(await keyOf(doctor)).toBe(doctorKey);
      // Enabled again: the old data stays unrecoverable, a new key is made.
      await enableUser(f.sdb.db, 'cadre');
      const after = await keyOf(await f.signIn('cadre', shared));
      expect(after).not.toBe(before);
    });
  });
}

describe('the answer of GET /api/device-key', () => {
  it('is 32 bytes as canonical unpadded base64url, and nothing else', () => {
    const good = Buffer.alloc(32, 0xab).toString('base64url');
    expect(checkDeviceKeyResponse({ key: good })).toBeNull();
    expect(checkDeviceKeyResponse({ key: `${good}=` })).toMatchObject({ path: 'key' });
    expect(checkDeviceKeyResponse({ key: Buffer.alloc(31).toString('base64url') })).toMatchObject({ path: 'key' });
    expect(checkDeviceKeyResponse({ key: Buffer.alloc(33).toString('base64url') })).toMatchObject({ path: 'key' });
    // The same bytes with the unused low bits of the last character set: not canonical.
    expect(checkDeviceKeyResponse({ key: `${good.slice(0, 42)}t` })).toMatchObject({ path: 'key' });
    // Standard base64's alphabet (+ and /) is not base64url.
    expect(checkDeviceKeyResponse({ key: `+${good.slice(1)}` })).toMatchObject({ path: 'key' });
    expect(checkDeviceKeyResponse({ key: 42 })).toMatchObject({ path: 'key' });
    expect(checkDeviceKeyResponse({})).toMatchObject({ path: 'key', message: 'is required' });
    expect(checkDeviceKeyResponse({ key: good, extra: 1 })).toMatchObject({ path: 'extra' });
    expect(checkDeviceKeyResponse(null)).not.toBeNull();
  });
});
