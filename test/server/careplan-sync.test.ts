/**
 * The care plan through the sync protocol, on SQLite and PostgreSQL: household visits, 两病
 * follow-ups and family-doctor contracts are pushed, checked, scoped and pulled like the roster.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRecord } from '../../src/model/records.ts';
import type { Mutation, PulledRecord } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { migrate } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb } from './backends.ts';
import { contractOf, followupOf, visitOf } from './careplan-records.ts';
import { county, fixture, membersOf, mine, photo, theirs, type Auth, type Fixture } from './fixture.ts';

const now = () => new Date().toISOString();
const mutation = (entity: Mutation['entity'], op: Mutation['op'], entityId: string, data: object, baseRev: number | null = null): Mutation => ({ id: ulid(), entity, entityId, op, baseRev, data: data as Record<string, unknown>, createdAt: now() });

for (const backend of BACKENDS) {
  describe(`the care plan over sync on ${backend}`, () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await fixture(backend);
    });
    afterAll(async () => {
      await f.close();
    });

    const pullAll = async (auth: Auth, since = 0) => {
      const out: PulledRecord[] = [];
      let checkpoint = since;
      for (;;) {
        const r = await f.app.inject({ method: 'GET', url: `/api/sync/pull?since=${checkpoint}&limit=500`, headers: auth });
        expect(r.statusCode, r.body).toBe(200);
        const b = r.json();
        out.push(...b.records);
        checkpoint = b.checkpoint;
        if (b.remaining === 0) return { records: out, checkpoint };
      }
    };
    const [m1, m2] = membersOf(mine.id);
    const stranger = membersOf(theirs.id)[0]!;

    it("pulls a doctor's follow-up on another device of the area, and not in another township", async () => {
      const doctor = await f.signIn('doctor');
      const watchers = { tablet2: await f.signIn('doctor'), township: await f.signIn('township'), county: await f.signIn('county'), doctor2: await f.signIn('doctor2'), township2: await f.signIn('township2') };
      const marks = Object.fromEntries(await Promise.all(Object.entries(watchers).map(async ([k, a]) => [k, (await pullAll(a)).checkpoint] as const)));
      const fu = followupOf(m1!, ulid());
      const contract = contractOf(m1!, ulid());
      const visit = visitOf(m1!, ulid(), { checklist: [{ memberId: m1!.id, items: { insured: { answer: 'yes' }, needsProxyFiling: { answer: 'no' } } }] });
      const results = await f.push(doctor, [mutation('followup', 'create', fu.id, fu), mutation('contract', 'create', contract.id, contract), mutation('visit', 'create', visit.id, visit)]);
      expect(results.map((r) => r.status), JSON.stringify(results)).toEqual(['applied', 'applied', 'applied']);
      const seen = async (who: keyof typeof watchers) => (await pullAll(watchers[who], marks[who])).records.filter((r) => [fu.id, contract.id, visit.id].includes(r.id));
      for (const who of ['tablet2', 'township', 'county'] as const) {
        const got = await seen(who);
        expect(got.map((r) => r.entity).sort(), who).toEqual(['contract', 'followup', 'visit']);
        expect(got.find((r) => r.entity === 'followup')!.data).toEqual(fu);
      }
      for (const who of ['doctor2', 'township2'] as const) expect(await seen(who), who).toEqual([]);
      // Its history names who recorded it, like any record's.
      const h = await f.app.inject({ method: 'GET', url: `/api/records/followup/${fu.id}/history`, headers: watchers.township });
      expect(h.json()).toMatchObject({ entity: 'followup', changes: [{ op: 'create', username: 'doctor', role: 'village-doctor' }] });
    });

    it('takes a visit with photos only once this device has sent them whole, and shows them to the area alone', async () => {
      const cadre = await f.signIn('cadre');
      const other = await f.signIn('cadre');
      const [a, b] = [photo(), photo()];
      const ref = (p: typeof a) => ({ sha256: p.sha, size: p.bytes.length, mime: p.mime as 'image/png' });
      // Not sent at all, sent by another device, sent with another size: refused by the photo's index.
      await f.upload(other, b);
      const notSent = visitOf(m1!, ulid(), { photos: [ref(a)] });
      const elsewhere = visitOf(m1!, ulid(), { photos: [ref(b)] });
      const [r1, r2] = await f.push(cadre, [mutation('visit', 'create', notSent.id, notSent), mutation('visit', 'create', elsewhere.id, elsewhere)]);
      expect(r1).toMatchObject({ status: 'rejected', code: 'document-missing', path: 'data.photos.0' });
      expect(r1!.message).toContain('照片尚未从这台设备上传完整');
      expect(r2).toMatchObject({ status: 'rejected', code: 'document-missing', path: 'data.photos.0' });
      await f.upload(cadre, a);
      const wrongSize = visitOf(m1!, ulid(), { photos: [{ ...ref(a), size: a.bytes.length + 1 }] });
      expect((await f.push(cadre, [mutation('visit', 'create', wrongSize.id, wrongSize)]))[0]).toMatchObject({ status: 'rejected', code: 'document-missing' });
      const good = visitOf(m1!, ulid(), { photos: [ref(a)] });
      expect((await f.push(cadre, [mutation('visit', 'create', good.id, good)]))[0]).toMatchObject({ status: 'applied' });
      // The township sees it; another township and a photo the visit does not name: not found.
      const seen = await f.app.inject({ method: 'GET', url: `/api/visits/${good.id}/photos/${a.sha}`, headers: await f.signIn('township') });
      expect(seen.statusCode).toBe(200);
      expect(seen.headers['content-type']).toBe('image/png');
      expect(Buffer.from(seen.rawPayload).equals(Buffer.from(a.bytes))).toBe(true);
      expect((await f.app.inject({ method: 'GET', url: `/api/visits/${good.id}/photos/${a.sha}`, headers: await f.signIn('township2') })).statusCode).toBe(404);
      expect((await f.app.inject({ method: 'GET', url: `/api/visits/${good.id}/photos/${b.sha}`, headers: await f.signIn('township') })).statusCode).toBe(404);
    });

    it("refuses a cadre's follow-up and contract by their kind, and takes the cadre's household visit", async () => {
      const cadre = await f.signIn('cadre');
      const fu = followupOf(m1!, ulid());
      const contract = contractOf(m1!, ulid());
      const visit = visitOf(m1!, ulid(), { visitors: [{ name: '李主任', role: 'cadre' }] });
      const results = await f.push(cadre, [mutation('followup', 'create', fu.id, fu), mutation('contract', 'create', contract.id, contract), mutation('visit', 'create', visit.id, visit)]);
      expect(results[0]).toMatchObject({ status: 'rejected', code: 'forbidden', path: 'entity', message: 'entity: the role village-cadre does not write followup records' });
      expect(results[1]).toMatchObject({ status: 'rejected', code: 'forbidden', path: 'entity' });
      expect(results[2]).toMatchObject({ status: 'applied', rev: 1 });
      const stored = await f.sdb.db.selectFrom('records').select('id').where('id', 'in', [fu.id, contract.id]).execute();
      expect(stored).toEqual([]);
      // Reviewers read the follow-ups of their area, and write none.
      const township = await f.signIn('township');
      const [r] = await f.push(township, [mutation('followup', 'create', fu.id, fu)]);
      expect(r).toMatchObject({ status: 'rejected', code: 'forbidden', path: 'entity' });
    });

    it('refuses impossible readings and a classification that is not the pack’s, naming the field', async () => {
      const doctor = await f.signIn('doctor');
      const reading = (r: object, over: object = {}) => followupOf(m1!, ulid(), { readings: { sbp: 130, dbp: 80, heartRate: 72, weightTenthKg: 652, heightCm: 165, glucoseTenthMmol: null, ...r }, ...over } as never);
      const cases = [reading({ sbp: 300, dbp: 20 }), reading({ sbp: 120, dbp: 130 }), reading({ sbp: 120, dbp: null }), reading({ sbp: 162, dbp: 96 }), reading({}, { carePackId: 'CN-nowhere-1999' })];
      const results = await f.push(doctor, cases.map((c) => mutation('followup', 'create', c.id, c)));
      expect(results.map((r) => [r.code, (r as { path?: string }).path])).toEqual([
        ['invalid', 'data.readings.sbp'],
        ['invalid', 'data.readings.dbp'],
        ['invalid', 'data.readings.dbp'],
        ['invalid', 'data.classification'],
        ['invalid', 'data.carePackId'],
      ]);
      expect(results[0]!.message).toBe('data.readings.sbp: above 280 mmHg is no living person\'s reading');
      expect(results[1]!.message).toBe('data.readings.dbp: must be below the systolic pressure');
      expect(results[3]!.message).toMatch(/must be unsatisfactory/);
      // 162/96 classified as the pack does, with the doctor's own view beside it, is taken.
      const poor = reading({ sbp: 162, dbp: 96 }, { classification: 'unsatisfactory', override: { classification: 'satisfactory', reason: '家中自测正常' }, nextDue: '2026-03-15' });
      expect((await f.push(doctor, [mutation('followup', 'create', poor.id, poor)]))[0]).toMatchObject({ status: 'applied' });
      // An update that would leave the readings and the class apart is refused too.
      const [u] = await f.push(doctor, [mutation('followup', 'update', poor.id, { readings: { ...poor.readings, sbp: 128, dbp: 78 } }, 1)]);
      expect(u).toMatchObject({ status: 'rejected', code: 'invalid', path: 'data.classification' });
    });

    it('keeps care-plan records in their member’s village and household, and a visit’s members in its household', async () => {
      const doctor = await f.signIn('doctor');
      const other = membersOf(mine.id).find((m) => m.householdId !== m1!.householdId) ?? county.members.find((m) => m.householdId !== m1!.householdId)!;
      const cases = [
        followupOf(m1!, ulid(), { villageId: theirs.id }),
        contractOf(m1!, ulid(), { householdId: other.householdId }),
        visitOf(m1!, ulid(), { villageId: theirs.id }),
        visitOf(m1!, ulid(), { met: [m1!.id, other.id] }),
        visitOf(m1!, ulid(), { checklist: [{ memberId: ulid(), items: {} }] }),
      ];
      const entities: Mutation['entity'][] = ['followup', 'contract', 'visit', 'visit', 'visit'];
      const results = await f.push(doctor, cases.map((c, i) => mutation(entities[i]!, 'create', c.id, c)));
      expect(results.map((r) => [r.code, (r as { path?: string }).path])).toEqual([
        ['invalid', 'data.villageId'],
        ['invalid', 'data.householdId'],
        ['invalid', 'data.villageId'],
        ['invalid', 'data.met.1'],
        ['invalid', 'data.checklist.0.memberId'],
      ]);
      // Another township's household is outside the doctor's villages.
      const far = followupOf(stranger, ulid());
      const farVisit = visitOf(stranger, ulid());
      const out = await f.push(doctor, [mutation('followup', 'create', far.id, far), mutation('visit', 'create', farVisit.id, farVisit)]);
      expect(out.map((r) => r.code)).toEqual(['forbidden', 'forbidden']);
    });

    it('applies a replayed follow-up once, and refuses its id for another change', async () => {
      const doctor = await f.signIn('doctor');
      const fu = followupOf(m2!, ulid());
      const m = mutation('followup', 'create', fu.id, fu);
      const [first] = await f.push(doctor, [m]);
      const [again, twice] = await f.push(doctor, [m, m]);
      expect(first).toEqual({ id: m.id, status: 'applied', rev: 1 });
      expect(again).toEqual(first);
      expect(twice).toEqual(first);
      const rows = await f.sdb.db.selectFrom('records').select(['rev']).where('entity', '=', 'followup').where('id', '=', fu.id).execute();
      expect(rows).toEqual([{ rev: 1 }]);
      const changes = await f.sdb.db.selectFrom('record_changes').select('id').where('entity_id', '=', fu.id).execute();
      expect(changes).toHaveLength(1);
      const [reused] = await f.push(doctor, [{ ...m, data: { ...m.data, date: '2026-03-02' } }]);
      expect(reused).toMatchObject({ status: 'rejected', code: 'id-reused' });
    });

    it('merges edits of a follow-up on two tablets and reports the same field changed on both', async () => {
      const a = await f.signIn('doctor');
      const b = await f.signIn('doctor');
      const fu = followupOf(m2!, ulid(), { date: '2026-04-01', nextDue: '2026-07-01' });
      expect((await f.push(a, [mutation('followup', 'create', fu.id, fu)]))[0]).toMatchObject({ status: 'applied', rev: 1 });
      expect((await f.push(a, [mutation('followup', 'update', fu.id, { adherence: 'intermittent' }, 1)]))[0]).toMatchObject({ status: 'applied', rev: 2 });
      // Tablet b saw revision 1: its other field applies, the same field conflicts with both values.
      expect((await f.push(b, [mutation('followup', 'update', fu.id, { symptomNote: '偶有头晕' }, 1)]))[0]).toMatchObject({ status: 'applied', rev: 3 });
      const [c] = await f.push(b, [mutation('followup', 'update', fu.id, { adherence: 'none' }, 1)]);
      expect(c).toMatchObject({ status: 'conflict', rev: 3, conflicts: [{ field: 'adherence', server: 'intermittent', client: 'none' }] });
      const row = await f.sdb.db.selectFrom('records').select(['data', 'rev']).where('entity', '=', 'followup').where('id', '=', fu.id).executeTakeFirstOrThrow();
      expect(row.rev).toBe(3);
      expect(JSON.parse(row.data)).toMatchObject({ adherence: 'intermittent', symptomNote: '偶有头晕' });
      // What would apply alone must still be a valid record: tablet a brought the readings under
      // control, tablet b (still on revision 1) reports an adverse reaction with the class it makes.
      const poor = followupOf(m2!, ulid(), { readings: { sbp: 162, dbp: 96, heartRate: 72, weightTenthKg: 652, heightCm: 165, glucoseTenthMmol: null }, classification: 'unsatisfactory', nextDue: '2026-03-15' });
      await f.push(a, [mutation('followup', 'create', poor.id, poor)]);
      expect((await f.push(a, [mutation('followup', 'update', poor.id, { readings: { ...poor.readings, sbp: 130, dbp: 80 }, classification: 'satisfactory' }, 1)]))[0]).toMatchObject({ status: 'applied', rev: 2 });
      const [both] = await f.push(b, [mutation('followup', 'update', poor.id, { adverseReaction: { present: true, note: '踝部水肿' }, classification: 'adverse-reaction' }, 1)]);
      expect(both).toMatchObject({ status: 'conflict', rev: 2 });
      expect((both as unknown as { conflicts: { field: string }[] }).conflicts.map((c) => c.field).sort()).toEqual(['adverseReaction', 'classification']);
      const kept = JSON.parse((await f.sdb.db.selectFrom('records').select('data').where('entity', '=', 'followup').where('id', '=', poor.id).executeTakeFirstOrThrow()).data);
      expect(kept).toMatchObject({ classification: 'satisfactory', adverseReaction: { present: false } });
      // Placing fields never change; a contract is ended, not deleted; a follow-up entered by mistake is.
      const contract = contractOf(m2!, ulid());
      await f.push(a, [mutation('contract', 'create', contract.id, contract)]);
      const results = await f.push(a, [mutation('followup', 'update', fu.id, { memberId: m1!.id }, 3), mutation('contract', 'delete', contract.id, {}), mutation('contract', 'update', contract.id, { endedOn: '2026-05-01' }, 1), mutation('followup', 'delete', fu.id, {})]);
      expect(results.map((r) => r.code ?? r.status)).toEqual(['immutable-field', 'forbidden', 'applied', 'applied']);
      expect(results[1]).toMatchObject({ path: 'op' });
    });
  });

  describe(`migration 0006-careplan on ${backend}`, () => {
    it('converts the visits of protocol 1 into household visits that tablets pull again', async () => {
      // As a server of 0005 left it, with a visit of protocol 1 stored and recorded by a doctor.
      const sdb = await freshDb(backend, '0005-device-keys');
      try {
        const m = membersOf(mine.id)[0]!;
        const household = county.households.find((h) => h.id === m.householdId)!;
        // The records it needs, in the shape of 0005 (no county code yet).
        let seq = 0;
        for (const [entity, r] of [['village', mine], ['household', household], ['member', m]] as const) {
          await sql`insert into records (entity, id, village_code, data, rev, field_revs, seq, deleted, updated_at) values (${entity}, ${r.id}, ${mine.code}, ${JSON.stringify(r)}, 1, '{}', ${++seq}, 0, ${now()})`.execute(sdb.db);
        }
        await sql`update counters set value = ${seq} where name = 'seq'`.execute(sdb.db);
        const id = ulid();
        const t = now();
        const seqBefore = Number((await sdb.db.updateTable('counters').set({ value: sql`value + 1` }).where('name', '=', 'seq').returning('value').executeTakeFirstOrThrow()).value);
        await sql`insert into records (entity, id, village_code, data, rev, field_revs, seq, deleted, updated_at) values ('visit', ${id}, ${mine.code}, ${JSON.stringify({ id, memberId: m.id, householdId: m.householdId, date: '2025-12-01', note: '血压平稳', createdAt: t })}, 1, '{}', ${seqBefore}, 0, ${t})`.execute(sdb.db);
        await sql`insert into users (id, username, display_name, role, password_hash, created_at, disabled) values ('u1', 'wang', '王医生', 'village-doctor', 'x', ${t}, 0)`.execute(sdb.db);
        await sql`insert into record_changes (id, entity, entity_id, rev, op, fields, user_id, username, role, device_id, mutation_id, at) values (${ulid()}, 'visit', ${id}, 1, 'create', '[]', 'u1', 'wang', 'village-doctor', 'd', null, ${t})`.execute(sdb.db);
        await migrate(sdb.db, backend);
        const row = await sdb.db.selectFrom('records').selectAll().where('entity', '=', 'visit').where('id', '=', id).executeTakeFirstOrThrow();
        expect(row.rev).toBe(2);
        expect(Number(row.seq)).toBeGreaterThan(seqBefore);
        const data = JSON.parse(row.data);
        expect(checkRecord('visit', data)).toBeNull();
        expect(data).toMatchObject({ householdId: m.householdId, villageId: m.villageId, date: '2025-12-01', visitors: [{ name: '王医生', role: 'doctor' }], met: [m.id], checklist: [], findings: [], note: '血压平稳', createdAt: t });
        const change = await sdb.db.selectFrom('record_changes').selectAll().where('entity_id', '=', id).where('rev', '=', 2).executeTakeFirstOrThrow();
        expect(change).toMatchObject({ op: 'update', username: 'migration', county_code: mine.code.slice(0, 6) });
      } finally {
        await sdb.drop();
      }
    });
  });
}
