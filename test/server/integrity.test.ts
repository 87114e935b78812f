/**
 * What the county server refuses, on SQLite and PostgreSQL: records of the wrong shape (named by
 * their field), records in another village than their member, writes by a role that may not write,
 * a mutation id reused with other content, malformed requests (deep JSON, repeated parameters, NUL
 * bytes, very long ids) that must never give a 5xx, and a full disk that answers 507 while reads
 * go on. And who changed each record, queryable per record.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { makeIdNumber } from '../../src/model/idcard.ts';
import type { Member } from '../../src/model/roster.ts';
import { PROTOCOL_VERSION, type Mutation } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser, LAST_SEEN_EVERY_MS } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb, MANY_LOGINS } from './backends.ts';
import { visitOf } from './careplan-records.ts';

const county = generateCounty({ seed: 21, members: 600 });
const membersOf = (villageId: string) => county.members.filter((m) => m.villageId === villageId);
// The two villages with the most people, of one township.
const villages = [...county.villages].sort((a, b) => membersOf(b.id).length - membersOf(a.id).length);
const mine = villages[0]!;
const second = villages.find((v) => v.id !== mine.id && v.townshipCode === mine.townshipCode)!;
const PASSWORD = 'a-good-password';
const H = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };
const now = () => new Date().toISOString();

function dist(): string {
  const d = mkdtempSync(join(tmpdir(), 'cunyi-dist-'));
  writeFileSync(join(d, 'index.html'), '<!doctype html><title>t</title>');
  return d;
}

function mutation(entity: Mutation['entity'], op: Mutation['op'], entityId: string, data: Record<string, unknown>, baseRev: number | null = null): Mutation {
  return { id: ulid(), entity, entityId, op, baseRev, data, createdAt: now() };
}

function newMember(household: { id: string; villageId: string }, seq: number): Member {
  const t = now();
  return {
    id: ulid(),
    householdId: household.id,
    villageId: household.villageId,
    name: '测试',
    pinyin: 'ceshi',
    initials: 'cs',
    idNumber: makeIdNumber('141130', '1966-04-03', seq),
    sex: seq % 2 === 1 ? 'M' : 'F',
    birthDate: '1966-04-03',
    relation: 'other',
    phone: null,
    state: 'active',
    stateDate: null,
    insured: { scheme: 'resident', year: 2026 },
    createdAt: t,
    updatedAt: t,
    rev: 1,
  };
}

for (const backend of BACKENDS) {
  describe(`integrity on ${backend}`, () => {
    let app: FastifyInstance;
    let sdb: Awaited<ReturnType<typeof freshDb>>;

    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, county);
      await createUser(sdb.db, { username: 'doctor', displayName: '王医生', role: 'village-doctor', password: PASSWORD, areas: [mine.code, second.code] });
      await createUser(sdb.db, { username: 'cadre', displayName: '李主任', role: 'village-cadre', password: PASSWORD, areas: [mine.code] });
      await createUser(sdb.db, { username: 'township', displayName: '镇审核', role: 'township-reviewer', password: PASSWORD, areas: [mine.townshipCode.slice(0, 9)] });
      await createUser(sdb.db, { username: 'county', displayName: '县审核', role: 'county-reviewer', password: PASSWORD, areas: ['141130'] });
      app = await buildApp({ db: sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS });
    });
    afterAll(async () => {
      await app?.close();
      await sdb?.drop();
    });

    const login = async (username = 'doctor', deviceId = ulid()) => {
      const r = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username, password: PASSWORD, deviceId } });
      expect(r.statusCode, r.body).toBe(200);
      return { deviceId, auth: { ...H, authorization: `Bearer ${r.json().token}` } };
    };
    const push = async (auth: Record<string, string>, mutations: unknown[]) => {
      const r = await app.inject({ method: 'POST', url: '/api/sync/push', headers: auth, payload: { protocol: PROTOCOL_VERSION, mutations } });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().results as { id: string; status: string; code?: string; message?: string; path?: string; rev?: number }[];
    };
    const stored = (entity: string, id: string) => sdb.db.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id).executeTakeFirst();

    it('refuses a record of the wrong shape, naming the field, and stores nothing', async () => {
      const { auth } = await login();
      const h = county.households.find((x) => x.villageId === mine.id)!;
      const cases: [string, (m: Member) => Record<string, unknown>][] = [
        ['data.idNumber', (m) => ({ ...m, idNumber: 123 })],
        ['data.idNumber', (m) => ({ ...m, idNumber: '141130196604031235' })],
        ['data.idNumber', ({ idNumber: _i, ...m }) => m],
        ['data.sex', (m) => ({ ...m, sex: 'X' })],
        ['data.birthDate', (m) => ({ ...m, birthDate: '1966-04-04' })],
        ['data.insured.year', (m) => ({ ...m, insured: { scheme: 'resident', year: 'soon' } })],
        ['data.name', (m) => ({ ...m, name: '' })],
        ['data.name', (m) => ({ ...m, name: 'a\u0000b' })],
        ['data.extra', (m) => ({ ...m, extra: { deep: [1, 2, 3] } })],
      ];
      for (const [i, [path, shape]] of cases.entries()) {
        const m = newMember(h, 100 + i);
        const [r] = await push(auth, [mutation('member', 'create', m.id, shape(m))]);
        expect(r, path).toMatchObject({ status: 'rejected', code: 'invalid', path });
        expect(r!.message).toContain(path);
        expect(await stored('member', m.id)).toBeUndefined();
      }
      // The same member, well formed, is taken.
      const good = newMember(h, 199);
      expect((await push(auth, [mutation('member', 'create', good.id, { ...good })]))[0]).toMatchObject({ status: 'applied' });
      // An update that would make the record invalid is refused too.
      const [u] = await push(auth, [mutation('member', 'update', good.id, { sex: 'X' }, 1)]);
      expect(u).toMatchObject({ status: 'rejected', code: 'invalid', path: 'data.sex' });
      const [v] = await push(auth, [mutation('member', 'update', good.id, { nickname: 'x' }, 1)]);
      expect(v).toMatchObject({ status: 'rejected', code: 'invalid', path: 'data.nickname' });
    });

    it('refuses a malformed envelope by its field', async () => {
      const { auth } = await login();
      const base = mutation('visit', 'create', ulid(), {});
      const results = await push(auth, [
        { ...base, id: ulid(), entity: 'spaceship' },
        { ...base, id: ulid(), op: 'upsert' },
        { ...base, id: ulid(), entityId: 'x'.repeat(5_000) },
        { ...base, id: ulid(), data: [1, 2] },
        { ...base, id: ulid(), createdAt: 'yesterday' },
        { ...base, id: 'not-a-ulid' },
        'a string',
        null,
      ]);
      expect(results.map((r) => [r.code, r.path]), JSON.stringify(results)).toEqual([
        ['invalid', 'entity'],
        ['invalid', 'op'],
        ['invalid', 'entityId'],
        ['invalid', 'data'],
        ['invalid', 'createdAt'],
        ['invalid', 'id'],
        ['invalid', 'id'],
        ['invalid', 'id'],
      ]);
    });

    it('keeps an enrolment, status, ledger row and visit in the village and household of their member', async () => {
      const { auth } = await login();
      const m = membersOf(mine.id)[0]!;
      const elsewhere = membersOf(second.id)[0]!;
      const enrolment = county.enrolments[0]!;
      const t = now();
      const e = { ...enrolment, id: ulid(), memberId: m.id, villageId: second.id, createdAt: t, updatedAt: t };
      const [r1] = await push(auth, [mutation('enrolment', 'create', e.id, e)]);
      expect(r1).toMatchObject({ status: 'rejected', code: 'invalid', path: 'data.villageId' });
      const visit = visitOf(m, ulid(), { householdId: elsewhere.householdId });
      const [r2] = await push(auth, [mutation('visit', 'create', visit.id, visit)]);
      expect(r2).toMatchObject({ status: 'rejected', code: 'invalid', path: 'data.villageId' });
      // A household visit meets the members of its household only.
      const met = visitOf(m, ulid(), { met: [elsewhere.id] });
      expect((await push(auth, [mutation('visit', 'create', met.id, met)]))[0]).toMatchObject({ status: 'rejected', code: 'invalid', path: 'data.met.0' });
      // Moving a status or enrolment to another member is refused as a change of an immutable field.
      const s = county.statuses.find((x) => x.memberId === m.id)!;
      const [r3] = await push(auth, [mutation('status', 'update', s.id, { memberId: elsewhere.id })]);
      expect(r3).toMatchObject({ status: 'rejected', code: 'immutable-field', path: 'data.memberId' });
      const ok = { ...e, villageId: m.villageId };
      expect((await push(auth, [mutation('enrolment', 'create', ok.id, ok)]))[0]).toMatchObject({ status: 'applied' });
      const ledger = { id: ulid(), memberId: m.id, date: '2026-03-01', packId: 'CN-140000-2017', kind: 'inpatient', facilityClass: 'county', facilityName: '县医院', disease: null, total: 100_000, outOfCatalog: 200_000, paid: {}, createdAt: t, updatedAt: t };
      const [r4] = await push(auth, [mutation('ledger', 'create', ledger.id, ledger)]);
      expect(r4).toMatchObject({ status: 'rejected', code: 'invalid', path: 'data.outOfCatalog' });
    });

    it('lets doctors and cadres write the roster of their villages, and reviewers none of it', async () => {
      const cadre = await login('cadre');
      const h = county.households.find((x) => x.villageId === mine.id)!;
      const m = membersOf(mine.id)[1]!;
      expect((await push(cadre.auth, [mutation('household', 'update', h.id, { address: '村委会旁' }, 1)]))[0]).toMatchObject({ status: 'applied' });
      for (const who of ['township', 'county']) {
        const { auth } = await login(who);
        const s = county.statuses.find((x) => x.memberId === m.id)!;
        const t = now();
        const newStatus = { id: ulid(), memberId: m.id, from: '2026-01-01', poverty: 'lifted', poorClass: null, assistance: null, note: null, createdAt: t };
        const visit = visitOf(m, ulid());
        const enrolment = { ...county.enrolments[0]!, id: ulid(), memberId: m.id, villageId: m.villageId, createdAt: t, updatedAt: t };
        const ledger = { id: ulid(), memberId: m.id, date: '2026-03-01', packId: 'CN-140000-2017', kind: 'inpatient', facilityClass: 'county', facilityName: '县医院', disease: null, total: 100_000, outOfCatalog: 0, paid: { basic: 50_000 }, createdAt: t, updatedAt: t };
        const enrolled = county.enrolments.find((e) => e.villageId === mine.id)!;
        const results = await push(auth, [
          mutation('enrolment', 'create', enrolment.id, enrolment),
          mutation('enrolment', 'update', enrolled.id, { endedOn: '2026-06-30' }),
          mutation('ledger', 'create', ledger.id, ledger),
          mutation('household', 'update', h.id, { address: '改了' }, 1),
          mutation('member', 'update', m.id, { phone: '13900001111' }, 1),
          mutation('status', 'create', newStatus.id, newStatus),
          mutation('status', 'delete', s.id, {}),
          mutation('visit', 'create', visit.id, visit),
          mutation('household', 'create', ulid(), { ...h, id: undefined, number: 'R-1' }),
        ]);
        expect(results.map((r) => r.code), who).toEqual(Array(9).fill('forbidden'));
      }
      expect(JSON.parse((await stored('member', m.id))!.data).phone).toBe(m.phone);
      expect((await stored('status', county.statuses.find((x) => x.memberId === m.id)!.id))!.deleted).toBe(0);
      // Households and members are never deleted, by anyone but the administrator.
      const doctor = await login('doctor');
      expect((await push(doctor.auth, [mutation('member', 'delete', m.id, {})]))[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
    });

    it('keeps who changed each record and when, queryable per record', async () => {
      const a = await login('doctor');
      const b = await login('cadre');
      const m = membersOf(mine.id)[2]!;
      await push(a.auth, [mutation('member', 'update', m.id, { phone: '13800002222' }, 1)]);
      await push(b.auth, [mutation('member', 'update', m.id, { name: '改名' }, 2)]);
      const r = await app.inject({ method: 'GET', url: `/api/records/member/${m.id}/history`, headers: a.auth });
      expect(r.statusCode, r.body).toBe(200);
      const changes = r.json().changes as { op: string; username: string; deviceId: string; fields: string[]; rev: number; at: string }[];
      expect(changes.map((c) => [c.op, c.username, c.rev])).toEqual([
        ['import', 'system', 1],
        ['update', 'doctor', 2],
        ['update', 'cadre', 3],
      ]);
      expect(changes[1]).toMatchObject({ deviceId: a.deviceId, fields: ['phone'] });
      expect(changes[2]).toMatchObject({ deviceId: b.deviceId, fields: ['name'] });
      expect(JSON.stringify(changes)).not.toContain('13800002222');
      // Outside the reader's villages the record does not exist.
      const outside = county.members.find((x) => x.villageId !== mine.id && x.villageId !== second.id)!;
      expect((await app.inject({ method: 'GET', url: `/api/records/member/${outside.id}/history`, headers: b.auth })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: `/api/records/nothing/${outside.id}/history`, headers: b.auth })).statusCode).toBe(404);
    });

    it('refuses a mutation id used again with other content, and keeps the first', async () => {
      const { auth } = await login();
      const m = membersOf(mine.id)[3]!;
      const first = mutation('member', 'update', m.id, { phone: '13811110000' }, 1);
      expect((await push(auth, [first]))[0]).toMatchObject({ status: 'applied' });
      // The very same mutation again: the stored result, whatever the order of its keys.
      const reordered = Object.fromEntries(Object.entries(first).reverse());
      expect((await push(auth, [reordered]))[0]).toMatchObject({ status: 'applied' });
      const [again] = await push(auth, [{ ...first, data: { phone: '13822220000' } }]);
      expect(again).toMatchObject({ id: first.id, status: 'rejected', code: 'id-reused' });
      expect(JSON.parse((await stored('member', m.id))!.data).phone).toBe('13811110000');
    });

    it('never lets one bad mutation stop the ones behind it', async () => {
      const { auth } = await login();
      const m = membersOf(mine.id)[4]!;
      const results = await push(auth, [
        mutation('member', 'update', m.id, { sex: 7 }, 1),
        { id: ulid(), garbage: true },
        mutation('member', 'update', m.id, { phone: '13833330000' }, 1),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'applied']);
    });

    it('answers malformed requests with a 4xx, never a 5xx', async () => {
      const { auth } = await login();
      let deep = '0';
      for (let i = 0; i < 5_000; i++) deep = `{"a":${deep}}`;
      const deepPush = await app.inject({ method: 'POST', url: '/api/sync/push', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"protocol":1,"mutations":[{"id":"${ulid()}","data":${deep}}]}` });
      expect(deepPush.statusCode, deepPush.body).toBe(400);
      const deepArray = await app.inject({ method: 'POST', url: '/api/login', headers: { ...H, 'content-type': 'application/json' }, payload: '['.repeat(100_000) });
      expect(deepArray.statusCode).toBe(400);
      const county = await login('county');
      const twice = await app.inject({ method: 'GET', url: '/api/review/filings?status=submitted&status=approved', headers: county.auth });
      expect(twice.statusCode, twice.body).toBe(400);
      expect(twice.json().error.path).toBe('status');
      for (const payload of [
        { username: 'doc\u0000tor', password: PASSWORD, deviceId: ulid() },
        { username: 'doctor', password: 'pass\u0000word', deviceId: ulid() },
        { username: 'doctor', password: PASSWORD, deviceId: `${ulid()}\u0000` },
        { username: 'doctor', password: PASSWORD, deviceId: ulid(), deviceName: 'tab\u0000let' },
        { username: 'x'.repeat(10_000), password: PASSWORD, deviceId: ulid() },
        { username: 'doctor', password: PASSWORD, deviceId: 'x'.repeat(10_000) },
      ]) {
        const r = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload });
        expect(r.statusCode, JSON.stringify(payload).slice(0, 60)).toBeGreaterThanOrEqual(400);
        expect(r.statusCode).toBeLessThan(500);
      }
      const longId = 'A'.repeat(8_000);
      for (const url of [`/api/review/filings/${longId}`, `/api/review/filings/${ulid()}%00`, `/api/filings/${longId}/documents/${'a'.repeat(64)}`, `/api/records/member/${longId}/history`]) {
        const r = await app.inject({ method: 'GET', url, headers: county.auth });
        expect(r.statusCode, url.slice(0, 60)).toBe(404);
      }
      const results = await push(auth, [mutation('status', 'create', `${ulid()}\u0000`, {}), { ...mutation('visit', 'create', ulid(), {}), id: 'Z'.repeat(9_000) }]);
      expect(results.map((r) => r.code)).toEqual(['invalid', 'invalid']);
      expect(results[1]!.id).toBe('');
    });

    it('writes a device\'s last-seen time at most once a minute', async () => {
      const { auth, deviceId } = await login();
      const seen = async () => (await sdb.db.selectFrom('devices').select('last_seen_at').where('id', '=', deviceId).executeTakeFirstOrThrow()).last_seen_at;
      const at = await seen();
      for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'GET', url: '/api/me', headers: auth })).statusCode).toBe(200);
      expect(await seen()).toBe(at);
      const old = new Date(Date.now() - LAST_SEEN_EVERY_MS - 1_000).toISOString();
      await sdb.db.updateTable('devices').set({ last_seen_at: old }).where('id', '=', deviceId).execute();
      await app.inject({ method: 'GET', url: '/api/me', headers: auth });
      expect(await seen()).not.toBe(old);
    });

    if (backend === 'sqlite') {
      it('answers 507 on a full disk, keeps the tablet\'s change to send again, and goes on serving reads', async () => {
        const { auth } = await login();
        const m = membersOf(second.id)[0]!;
        const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(sdb.db);
        const full = rows[0]!.page_count;
        // Make the device's last-seen time due, so that the reads below would write if they still did.
        await sdb.db.updateTable('devices').set({ last_seen_at: '2020-01-01T00:00:00.000Z' }).execute();
        await sql.raw(`pragma max_page_count = ${full}`).execute(sdb.db);
        try {
          // Enough to need a new page.
          const big = Array.from({ length: 40 }, (_, i) => mutation('member', 'update', m.id, { name: `很长的名字${i}`.padEnd(40, '测') }, 1));
          const r = await app.inject({ method: 'POST', url: '/api/sync/push', headers: auth, payload: { protocol: PROTOCOL_VERSION, mutations: big } });
          expect(r.statusCode, r.body).toBe(507);
          expect(r.json().error.code).toBe('storage-full');
          expect(r.json().error.message).toMatch(/存储空间已满/);
          const pull = await app.inject({ method: 'GET', url: '/api/sync/pull?since=0&limit=50', headers: auth });
          expect(pull.statusCode).toBe(200);
          expect((await app.inject({ method: 'GET', url: '/api/me', headers: auth })).statusCode).toBe(200);
          const c = await login('county');
          expect((await app.inject({ method: 'GET', url: '/api/review/filings', headers: c.auth })).statusCode).toBe(200);
        } finally {
          await sql.raw('pragma max_page_count = 1073741823').execute(sdb.db);
        }
        // With room again, the same mutations go through, each once.
        const again = Array.from({ length: 2 }, (_, i) => mutation('member', 'update', m.id, { name: `新名字${i}` }, null));
        expect((await push(auth, again)).map((r) => r.status)).toEqual(['applied', 'applied']);
      });
    }
  });
}
