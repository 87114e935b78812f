import type { FastifyInstance } from 'fastify';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { PROTOCOL_VERSION, type Mutation, type PulledRecord } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser, revokeDevice } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb, MANY_LOGINS } from './backends.ts';
import { visitOf } from './careplan-records.ts';

const county = generateCounty({ seed: 9, members: 400 });
const villages = [...county.villages].sort((a, b) => a.code.localeCompare(b.code));
const mine = villages[0]!;
const other = villages.find((v) => v.townshipCode !== mine.townshipCode)!;
const PASSWORD = 'a-good-password';


function dist(): string {
  const d = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>t</title>');
  return d;
}

for (const backend of BACKENDS) {
  describe(`county server on ${backend}`, () => {
    let app: FastifyInstance;
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };

    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, county);
      await createUser(sdb.db, { username: 'doctor', displayName: 'd', role: 'village-doctor', password: PASSWORD, areas: [mine.code] });
      await createUser(sdb.db, { username: 'county', displayName: 'c', role: 'county-reviewer', password: PASSWORD, areas: ['141130'] });
      app = await buildApp({ db: sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS });
    });
    afterAll(async () => {
      await app?.close();
      await sdb?.drop();
    });

    const login = async (username = 'doctor', deviceId = ulid()) => {
      const r = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username, password: PASSWORD, deviceId, deviceName: 'test tablet' } });
      expect(r.statusCode, r.body).toBe(200);
      return { token: r.json().token as string, deviceId, auth: { ...H, authorization: `Bearer ${r.json().token}` } };
    };
    const pullAll = async (auth: Record<string, string>, since = 0) => {
      const out: PulledRecord[] = [];
      let checkpoint = since;
      for (;;) {
        const r = await app.inject({ method: 'GET', url: `/api/sync/pull?since=${checkpoint}&limit=97`, headers: auth });
        expect(r.statusCode, r.body).toBe(200);
        const b = r.json();
        out.push(...b.records);
        checkpoint = b.checkpoint;
        if (b.remaining === 0) return { records: out, checkpoint };
      }
    };
    const push = async (auth: Record<string, string>, mutations: Partial<Mutation>[]) => {
      const r = await app.inject({ method: 'POST', url: '/api/sync/push', headers: auth, payload: { protocol: PROTOCOL_VERSION, mutations } });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().results;
    };

    it('reports its storage backend', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/health' });
      expect(r.json()).toMatchObject({ status: 'ok', storage: { backend } });
    });

    it('refuses a wrong password, an unknown user and a missing token alike', async () => {
      for (const payload of [{ username: 'doctor', password: 'nope-nope' }, { username: 'nobody', password: PASSWORD }]) {
        const r = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { ...payload, deviceId: ulid() } });
        expect(r.statusCode).toBe(401);
        expect(r.json().error.code).toBe('unauthorized');
      }
      expect((await app.inject({ method: 'GET', url: '/api/sync/pull?since=0', headers: H })).statusCode).toBe(401);
    });

    it('tells an outdated client to update and refuses a newer protocol cleanly', async () => {
      const { auth } = await login();
      expect((await app.inject({ method: 'GET', url: '/api/sync/pull', headers: { ...auth, 'x-cunyi-protocol': '0' } })).json().error.code).toBe('client-too-old');
      expect((await app.inject({ method: 'GET', url: '/api/sync/pull', headers: { ...auth, 'x-cunyi-protocol': String(PROTOCOL_VERSION + 1) } })).json().error.code).toBe('server-too-old');
    });

    it('lets an outdated client flush its outbox, then tells it to update', async () => {
      const strict = await buildApp({ db: sdb, distDir: dist(), version: 'test', minClientProtocol: PROTOCOL_VERSION + 1, loginLimits: MANY_LOGINS });
      try {
        const deviceId = ulid();
        const login = await strict.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'doctor', password: PASSWORD, deviceId } });
        const auth = { ...H, authorization: `Bearer ${login.json().token}` };
        const member = county.members.find((x) => x.villageId === mine.id)!;
        const id = ulid();
        const r = await strict.inject({
          method: 'POST',
          url: '/api/sync/push',
          headers: auth,
          payload: { protocol: PROTOCOL_VERSION, mutations: [{ id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: visitOf(member, id), createdAt: new Date().toISOString() }] },
        });
        expect(r.json()).toMatchObject({ updateRequired: true, results: [{ status: 'applied' }] });
        const pulled = await strict.inject({ method: 'GET', url: '/api/sync/pull?since=0', headers: auth });
        expect(pulled.statusCode).toBe(426);
        expect(pulled.json().error.code).toBe('client-too-old');
      } finally {
        await strict.close();
      }
    });

    it('downloads only the user’s villages, in batches, resumable from any checkpoint', async () => {
      const { auth } = await login();
      const all = await pullAll(auth);
      const expected = county.households.filter((h) => h.villageId === mine.id).length;
      expect(all.records.filter((r) => r.entity === 'household')).toHaveLength(expected);
      expect(all.records.every((r) => r.entity !== 'household' || (r.data as { villageId: string }).villageId === mine.id)).toBe(true);
      // resuming from the middle gives exactly the rest
      const half = all.records[Math.floor(all.records.length / 2)]!.seq;
      const rest = await pullAll(auth, half);
      expect(rest.records.map((r) => r.id)).toEqual(all.records.filter((r) => r.seq > half).map((r) => r.id));
      const countyUser = await login('county');
      expect((await pullAll(countyUser.auth)).records.length).toBeGreaterThan(all.records.length);
    });

    it('counts what is left only when asked, and says 0 on the last page', async () => {
      const { auth } = await login();
      const all = await pullAll(auth);
      const first = (await app.inject({ method: 'GET', url: '/api/sync/pull?since=0&limit=10', headers: auth })).json();
      expect(first.remaining).toBe(all.records.length - 10);
      const uncounted = (await app.inject({ method: 'GET', url: '/api/sync/pull?since=0&limit=10&count=0', headers: auth })).json();
      expect(uncounted).toMatchObject({ remaining: -1, checkpoint: first.checkpoint });
      const last = (await app.inject({ method: 'GET', url: `/api/sync/pull?since=${all.records.at(-3)!.seq}&limit=10&count=0`, headers: auth })).json();
      expect(last.records).toHaveLength(2);
      expect(last.remaining).toBe(0);
    });

    it('applies a mutation once however often it is sent, and stores rejections', async () => {
      const { auth } = await login();
      const id = ulid();
      const t = new Date().toISOString();
      const m = { id: ulid(), entity: 'household' as const, entityId: id, op: 'create' as const, baseRev: null, data: { id, villageId: mine.id, number: '7001', address: '测试', phone: null, headMemberId: null, createdAt: t, updatedAt: t, rev: 1 }, createdAt: t };
      const [first] = await push(auth, [m]);
      const [again] = await push(auth, [m]);
      expect(first).toEqual({ id: m.id, status: 'applied', rev: 1 });
      expect(again).toEqual(first);
      const otherId = ulid();
      const outside = { ...m, id: ulid(), entityId: otherId, data: { ...m.data, id: otherId, villageId: other.id } };
      const [no] = await push(auth, [outside]);
      expect(no).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect((await push(auth, [outside]))[0]).toEqual(no);
      const pulled = (await pullAll(auth)).records.filter((r) => r.id === id);
      expect(pulled).toHaveLength(1);
    });

    it('merges edits of different fields and shows both values when the same field changed on both sides', async () => {
      const a = await login();
      const b = await login();
      const member = county.members.find((x) => x.villageId === mine.id)!;
      const edit = (deviceAuth: Record<string, string>, data: Record<string, unknown>) =>
        push(deviceAuth, [{ id: ulid(), entity: 'member', entityId: member.id, op: 'update', baseRev: 1, data, createdAt: new Date().toISOString() }]);
      expect((await edit(a.auth, { phone: '13900000001' }))[0]).toMatchObject({ status: 'applied', rev: 2 });
      expect((await edit(b.auth, { name: '改名' }))[0]).toMatchObject({ status: 'applied', rev: 3 });
      const [c] = await edit(b.auth, { phone: '13900000002' });
      expect(c).toMatchObject({ status: 'conflict', conflicts: [{ field: 'phone', server: '13900000001', client: '13900000002' }] });
      const rec = (await pullAll(a.auth)).records.filter((r) => r.id === member.id).at(-1)!;
      expect(rec.data).toMatchObject({ phone: '13900000001', name: '改名' });
      const conflicts = await sdb.db.selectFrom('conflicts').selectAll().where('entity_id', '=', member.id).execute();
      expect(conflicts).toHaveLength(1);
    });

    it('never lets a user change or delete a record outside their villages', async () => {
      const { auth } = await login();
      const h = county.households.find((x) => x.villageId === other.id)!;
      const m = county.members.find((x) => x.villageId === other.id)!;
      const visitId = ulid();
      const results = await push(auth, [
        { id: ulid(), entity: 'household', entityId: h.id, op: 'update', baseRev: 1, data: { address: '改' }, createdAt: new Date().toISOString() },
        { id: ulid(), entity: 'member', entityId: m.id, op: 'delete', baseRev: null, data: {}, createdAt: new Date().toISOString() },
        { id: ulid(), entity: 'visit', entityId: visitId, op: 'create', baseRev: null, data: visitOf(m, visitId), createdAt: new Date().toISOString() },
      ]);
      expect(results.map((r: { status: string; code: string }) => [r.status, r.code])).toEqual([
        ['rejected', 'forbidden'],
        ['rejected', 'forbidden'],
        ['rejected', 'forbidden'],
      ]);
      const row = await sdb.db.selectFrom('records').select(['rev', 'deleted']).where('entity', '=', 'member').where('id', '=', m.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ rev: 1, deleted: 0 });
    });

    it('sends deletions as tombstones', async () => {
      const { auth } = await login();
      const member = county.members.filter((x) => x.villageId === mine.id)[1]!;
      const status = county.statuses.find((s) => s.memberId === member.id)!;
      const before = (await pullAll(auth)).checkpoint;
      expect((await push(auth, [{ id: ulid(), entity: 'status', entityId: status.id, op: 'delete', baseRev: null, data: {}, createdAt: new Date().toISOString() }]))[0].status).toBe('applied');
      const after = await pullAll(auth, before);
      expect(after.records).toEqual([expect.objectContaining({ entity: 'status', id: status.id, deleted: true, data: null })]);
    });

    it('shuts out a revoked device', async () => {
      const { auth, deviceId } = await login();
      await revokeDevice(sdb.db, deviceId);
      const r = await app.inject({ method: 'GET', url: '/api/sync/pull?since=0', headers: auth });
      // Told apart from an expired session: the tablet wipes the profile.
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('device-revoked');
      const again = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'doctor', password: PASSWORD, deviceId } });
      expect(again.json().error.code).toBe('device-revoked');
    });

    it('imports all of a county or none of it', async () => {
      const before = await sdb.db.selectFrom('records').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const broken = generateCounty({ seed: 10, members: 50 });
      broken.members[3] = { ...broken.members[3]!, villageId: 'NOT-A-VILLAGE' };
      await expect(importCounty(sdb.db, broken)).rejects.toThrow(/^member 4 villageId: /);
      const orphan = generateCounty({ seed: 11, members: 50 });
      orphan.members[3] = { ...orphan.members[3]!, villageId: ulid() };
      await expect(importCounty(sdb.db, orphan)).rejects.toThrow(/household is not in the import, or in another village/);
      const after = await sdb.db.selectFrom('records').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });
  });
}
