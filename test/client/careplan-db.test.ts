/**
 * The care plan's data layer on the tablet (src/client/db/careplan.ts): each write with its audit
 * and outbox rows, checked as the county checks it; on a store in the clear and a sealed one; the
 * v7 upgrade; and a round trip through the real county server.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addFollowUp, addVisit, addVisitPhoto, dropVisitPhoto, contractsInForce, contractsOfMember, followupsOfMember, signContracts, visitsOfHousehold, workList, type NewFollowup } from '../../src/client/db/careplan.ts';
import { importRoster } from '../../src/client/db/import.ts';
import { InputError } from '../../src/client/db/repo.ts';
import { CunyiDb, SCHEMA_V6 } from '../../src/client/db/schema.ts';
import { api, setApiBase } from '../../src/client/sync/api.ts';
import { syncNow } from '../../src/client/sync/engine.ts';
import { deviceId } from '../../src/client/sync/session.ts';
import { addDays } from '../../src/model/careplan/index.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { localToday } from '../../src/model/idcard.ts';
import type { Enrolment, Member } from '../../src/model/roster.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import { png } from '../server/photos.ts';
import { openDb, type ServerDb } from '../../src/server/db.ts';
import { importCounty } from '../../src/server/sync/index.ts';

let n = 0;
const fresh = () => `careplan-${Date.now()}-${n++}`;
const county = generateCounty({ seed: 12, members: 300 });
const today = localToday();
const active = county.members.filter((m) => m.state === 'active');
/** A household with at least two active members, and its members. */
const home = county.households.find((h) => active.filter((m) => m.householdId === h.id).length >= 2)!;
const [p1, p2] = active.filter((m) => m.householdId === home.id) as [Member, Member];
const outsider = active.find((m) => m.householdId !== home.id)!;

const readings = (sbp: number | null, dbp: number | null) => ({ sbp, dbp, heartRate: 76, weightTenthKg: 640, heightCm: 162, glucoseTenthMmol: null });
const followup = (over: Partial<NewFollowup> = {}): NewFollowup => ({
  memberId: p1.id,
  disease: 'hypertension',
  date: today,
  way: 'home',
  readings: readings(162, 96),
  symptoms: ['headache-dizziness'],
  symptomNote: '晨起头晕明显',
  lifestyle: { cigarettesPerDay: 10, alcoholLiangPerDay: 1, exerciseMinutesPerWeek: 60, salt: 'heavy' },
  medications: [{ name: '硝苯地平缓释片', dosage: '20mg bid' }],
  adherence: 'intermittent',
  adverseReaction: { present: false },
  complication: { present: false },
  referral: null,
  ...over,
});
const visitor = { name: '赵支书', role: 'cadre' as const };

async function refusal(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe.each([
  ['in the clear', null],
  ['sealed', crypto.getRandomValues(new Uint8Array(32))],
] as const)('care-plan writes (%s)', (_label, key) => {
  let d: CunyiDb;
  beforeEach(async () => {
    d = new CunyiDb(fresh(), { key });
    await importRoster({ ...county }, undefined, d);
  });

  it('classifies a follow-up by the pack, keeps the doctor’s override, and queues it with its audit row', async () => {
    const { row, evaluation } = await addFollowUp(followup({ override: { classification: 'adverse-reaction', reason: '服药后踝部水肿' } }), d);
    expect(row).toMatchObject({ villageId: p1.villageId, classification: 'unsatisfactory', override: { classification: 'adverse-reaction', reason: '服药后踝部水肿' }, carePackId: 'CN-national-2017' });
    // Poor control: the re-check is due in two weeks.
    expect(row.nextDue).toBe(addDays(today, 14));
    expect(evaluation.controlled).toBe(false);
    expect(evaluation.thresholds.map((t) => t.param)).toEqual(expect.arrayContaining([expect.stringMatching(/sbpBelow/), expect.stringMatching(/dbpBelow/)]));
    expect(await d.followups.get(row.id)).toEqual(row);
    expect(await d.audit.where('[entity+entityId]').equals(['followup', row.id]).count()).toBe(1);
    const out = await d.outbox.toArray();
    expect(out).toEqual([expect.objectContaining({ entity: 'followup', entityId: row.id, op: 'create', baseRev: null, data: row })]);
    // An override that says what the pack says is dropped; an appointment the doctor agreed is kept.
    const again = await addFollowUp(followup({ date: addDays(today, -30), readings: readings(128, 78), symptoms: ['none'], override: { classification: 'satisfactory', reason: 'x' }, nextDue: addDays(today, 20) }), d);
    expect(again.row).toMatchObject({ classification: 'satisfactory', override: null, nextDue: addDays(today, 20) });
    expect((await followupsOfMember(p1.id, 'hypertension', d)).map((f) => f.id)).toEqual([row.id, again.row.id]);
    expect(await followupsOfMember(p1.id, 'diabetes2', d)).toEqual([]);
  });

  it('flags danger readings for urgent referral', async () => {
    const { row, evaluation } = await addFollowUp(followup({ readings: readings(186, 112) }), d);
    expect(evaluation.urgentReferral).toBe(true);
    expect(evaluation.danger.map((x) => x.code)).toEqual(['sbp-high', 'dbp-high']);
    expect(row.classification).toBe('unsatisfactory');
  });

  it('refuses impossible readings by their field and stores nothing', async () => {
    expect((await refusal(addFollowUp(followup({ readings: readings(300, 20) }), d))).field).toBe('readings.sbp');
    const swapped = await refusal(addFollowUp(followup({ readings: readings(90, 140) }), d));
    expect(swapped.field).toBe('readings.dbp');
    expect(swapped.message).toMatch(/below the systolic/);
    expect((await refusal(addFollowUp(followup({ date: addDays(today, 1) }), d))).problem).toBe('future');
    expect((await refusal(addFollowUp(followup({ memberId: ulid() }), d))).field).toBe('memberId');
    expect((await refusal(addFollowUp(followup({ carePackId: 'CN-nowhere-1999' }), d))).field).toBe('carePackId');
    expect(await d.followups.count()).toBe(0);
    expect(await d.outbox.count()).toBe(0);
    expect(await d.audit.count()).toBe(0);
  });

  it('records a household visit in its household’s village, with ids for its findings', async () => {
    const v = await addVisit(
      {
        householdId: home.id,
        date: today,
        visitors: [visitor],
        met: [p1.id, p2.id],
        checklist: [
          { memberId: p1.id, items: { insured: { answer: 'yes' }, contract: { answer: 'no' } } },
          { memberId: p2.id, items: { needsProxyFiling: { answer: 'yes', note: '住院费用待报销' } } },
        ],
        findings: [{ memberId: p2.id, problem: '住院费用未报销', measure: '代办报销', due: addDays(today, 3) }],
        note: '家中无人外出务工',
      },
      d,
    );
    expect(v).toMatchObject({ villageId: home.villageId, findings: [{ id: expect.stringMatching(/^[0-9A-Z]{26}$/), doneOn: null }] });
    expect(await visitsOfHousehold(home.id, d)).toEqual([v]);
    expect(await d.outbox.toArray()).toEqual([expect.objectContaining({ entity: 'visit', entityId: v.id, op: 'create', data: v })]);
    // The members a visit names live in its household.
    expect((await refusal(addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [outsider.id], checklist: [] }, d))).field).toBe('met.0');
    expect((await refusal(addVisit({ householdId: home.id, date: today, visitors: [], met: [], checklist: [] }, d))).field).toBe('visitors');
    expect(await d.visits.count()).toBe(1);
    // The work list takes the visit's measure, and the filing it asked for.
    const items = await workList(today, { villageIds: [home.villageId], kinds: ['measure', 'filing-needed', 'household-visit'] }, d);
    expect(items.filter((i) => i.householdId === home.id).map((i) => i.kind).sort()).toEqual(['filing-needed', 'measure']);
  });

  it('signs several members of a household in one go, or none', async () => {
    const rows = await signContracts({ householdId: home.id, memberIds: [p1.id, p2.id], signedOn: '2026-01-10', doctor: { name: '王医生', team: '一团队' }, packageId: 'basic' }, d);
    expect(rows.map((r) => [r.memberId, r.validUntil, r.villageId])).toEqual([
      [p1.id, '2027-01-09', home.villageId],
      [p2.id, '2027-01-09', home.villageId],
    ]);
    expect((await d.outbox.toArray()).map((o) => [o.entity, o.entityId])).toEqual(rows.map((r) => ['contract', r.id]));
    expect((await contractsOfMember(p1.id, d)).map((c) => c.id)).toEqual([rows[0]!.id]);
    expect([...(await contractsInForce(home.id, '2026-06-01', d)).keys()].sort()).toEqual([p1.id, p2.id].sort());
    expect((await contractsInForce(home.id, '2027-02-01', d)).size).toBe(0);
    const bad = await refusal(signContracts({ householdId: home.id, memberIds: [p1.id, outsider.id], signedOn: '2026-01-10', doctor: { name: '王医生', team: '' }, packageId: 'basic' }, d));
    expect(bad.field).toBe('memberIds.1');
    expect(await d.contracts.count()).toBe(2);
    expect(await d.outbox.count()).toBe(2);
  });

  it('puts the two-week re-check of a poorly controlled patient on the work list, and a new follow-up settles it', async () => {
    const e: Enrolment = { id: ulid(), memberId: p1.id, villageId: p1.villageId, packId: county.villages[0]!.packId, entryId: 'hypertension', icd: 'I10', category: 'two-diseases', certifiedOn: '2025-01-01', hospital: '县医院', annualLimit: 0, endedOn: null, createdAt: `${today}T00:00:00.000Z`, updatedAt: `${today}T00:00:00.000Z` };
    await d.enrolments.add(e);
    const first = await addFollowUp(followup({ date: addDays(today, -14) }), d);
    const items = await workList(today, { villageIds: [p1.villageId], kinds: ['recheck', 'followup'] }, d);
    expect(items.find((i) => i.memberId === p1.id)).toMatchObject({ kind: 'recheck', due: today, state: 'due', reason: { code: 'recheck-unsatisfactory', params: { followupId: first.row.id } } });
    await addFollowUp(followup({ readings: readings(132, 82), symptoms: ['none'] }), d);
    const after = await workList(today, { villageIds: [p1.villageId], kinds: ['recheck', 'followup'] }, d);
    expect(after.find((i) => i.memberId === p1.id)).toBeUndefined();
  });

  it('says before anything is stored that a cadre records visits but no follow-ups or contracts', async () => {
    await d.meta.put({ key: 'session', value: { token: 't', expiresAt: '2099-01-01T00:00:00.000Z', username: 'cadre', role: 'village-cadre', areas: [] } });
    expect((await refusal(addFollowUp(followup(), d))).field).toBe('entity');
    expect((await refusal(signContracts({ householdId: home.id, memberIds: [p1.id], signedOn: '2026-01-10', doctor: { name: '王医生', team: '' }, packageId: 'basic' }, d))).field).toBe('entity');
    await addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [p1.id], checklist: [] }, d);
    expect((await d.outbox.toArray()).map((o) => o.entity)).toEqual(['visit']);
  });
});

/** Every stored row of every table, as IndexedDB holds it (no middleware), as text. */
async function rawDump(name: string): Promise<string> {
  const raw = new Dexie(name);
  await raw.open();
  let out = '';
  for (const t of raw.tables) for (const row of await t.toArray()) out += JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  raw.close();
  return out;
}

describe('a sealed store of care-plan records', () => {
  it('keeps ids and dates in the clear, and no reading, disease, symptom, medication or name', async () => {
    const d = new CunyiDb(fresh(), { key: crypto.getRandomValues(new Uint8Array(32)) });
    await importRoster({ ...county }, undefined, d);
    const { row } = await addFollowUp(followup({ readings: { ...readings(162, 96), glucoseTenthMmol: 83 } }), d);
    await addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [p1.id], checklist: [], findings: [{ memberId: p1.id, problem: '未参保缴费', measure: '动员缴费', due: addDays(today, 5) }] }, d);
    await signContracts({ householdId: home.id, memberIds: [p1.id], signedOn: '2026-01-10', doctor: { name: '钱医生', team: '石泉一团队' }, packageId: 'basic' }, d);
    d.close();
    const dump = await rawDump(d.name);
    for (const secret of ['hypertension', '"sbp"', '"readings"', '晨起头晕明显', 'headache-dizziness', '硝苯地平', 'unsatisfactory', '赵支书', '未参保缴费', '钱医生', '石泉一团队', 'basic']) expect(dump, secret).not.toContain(secret);
    // What IndexedDB needs to find the rows stays readable: ids and dates.
    expect(dump).toContain(`"memberId":"${p1.id}"`);
    expect(dump).toContain(`"id":"${row.id}"`);
    const again = new CunyiDb(d.name, { key: d.key });
    expect((await again.followups.get(row.id))?.readings.sbp).toBe(162);
    again.close();
  });
});

describe('v6 → v7', () => {
  it('drops the visits of protocol 1 and keeps the rest', async () => {
    const name = fresh();
    const v6 = new Dexie(name);
    v6.version(6).stores(SCHEMA_V6);
    await v6.table('visits').bulkAdd([
      { id: 'OLD', memberId: p1.id, householdId: home.id, date: '2025-12-01', note: 'x', createdAt: '2025-12-01T00:00:00.000Z' },
      { id: 'NEW', householdId: home.id, villageId: home.villageId, date: '2026-01-02', visitors: [visitor], met: [], checklist: [], findings: [], createdAt: '2026-01-02T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z' },
    ]);
    await v6.table('members').add(p1);
    v6.close();
    const d = new CunyiDb(name);
    await d.open();
    expect(d.verno).toBe(9);
    expect((await d.visits.toArray()).map((v) => v.id)).toEqual(['NEW']);
    expect(await d.visits.where('villageId').equals(home.villageId).count()).toBe(1);
    expect(await d.members.count()).toBe(1);
    d.close();
  });
});

describe('the care plan through the county server', () => {
  let app: FastifyInstance;
  let sdb: ServerDb;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunyi-careplan-client-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    sdb = await openDb({ dataDir: dir });
    await importCounty(sdb.db, county);
    for (const [username, role] of [
      ['doctor', 'village-doctor'],
      ['cadre', 'village-cadre'],
    ] as const) {
      await createUser(sdb.db, { username, displayName: username, role, password: 'password-1', areas: [county.county.code] });
    }
    app = await buildApp({ db: sdb, distDir: dir, version: 'test', loginLimits: { perAddress: { max: 10_000, windowMs: 60_000 }, perUsername: { max: 10_000, windowMs: 60_000 }, lockout: { failures: 10_000, windowMs: 60_000, lockMs: 60_000 } } });
    setApiBase(await app.listen({ port: 0, host: '127.0.0.1' }));
  });
  afterAll(async () => {
    await app?.close();
  });

  async function device(username: string): Promise<CunyiDb> {
    const d = new CunyiDb(fresh());
    const r = await api.login(username, 'password-1', await deviceId(d), username);
    await d.meta.put({ key: 'session', value: { token: r.token, expiresAt: r.expiresAt, username, role: r.user.role, areas: r.user.areas } });
    expect((await syncNow(undefined, d))?.error).toBeNull();
    return d;
  }

  it('sends visits, follow-ups and contracts from one tablet to another, with the county’s revision', async () => {
    const doctor = await device('doctor');
    const cadre = await device('cadre');
    const { row: fu } = await addFollowUp(followup(), doctor);
    const contracts = await signContracts({ householdId: home.id, memberIds: [p1.id, p2.id], signedOn: '2026-01-10', doctor: { name: '王医生', team: '一团队' }, packageId: 'basic' }, doctor);
    const visit = await addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [p2.id], checklist: [{ memberId: p2.id, items: { insured: { answer: 'no' } } }] }, cadre);
    const sent = await syncNow(undefined, doctor);
    expect(sent).toMatchObject({ pushed: 3, rejected: 0, conflicts: 0, error: null });
    expect(await doctor.outbox.count()).toBe(0);
    expect((await doctor.followups.get(fu.id))?.rev).toBe(1);
    expect((await syncNow(undefined, cadre))).toMatchObject({ pushed: 1, rejected: 0, setAside: 0, error: null });
    // The cadre's tablet now holds the doctor's records as the doctor saved them, and the doctor's the cadre's visit.
    expect(await cadre.followups.get(fu.id)).toEqual({ ...fu, rev: 1 });
    expect((await cadre.contracts.bulkGet(contracts.map((c) => c.id))).map((c) => c?.memberId)).toEqual([p1.id, p2.id]);
    await syncNow(undefined, doctor);
    expect(await doctor.visits.get(visit.id)).toEqual({ ...visit, rev: 1 });
    // A follow-up the cadre's tablet sends anyway (its outbox written by hand) is refused by the county and kept aside.
    const forged = { ...fu, id: ulid() };
    await cadre.outbox.add({ id: ulid(), createdAt: new Date().toISOString(), entity: 'followup', entityId: forged.id, op: 'create', baseRev: null, data: forged });
    expect(await syncNow(undefined, cadre)).toMatchObject({ pushed: 0, rejected: 1 });
    expect((await cadre.outbox.toArray())[0]).toMatchObject({ state: 'rejected', result: { code: 'forbidden', path: 'entity' } });
  });

  it("sends a visit's photos just before the visit, and sets the visit aside with the reason when the county refuses a photo", async () => {
    const cadre = await device('cadre');
    // A photo not kept on this tablet is refused by its index before anything is stored.
    const stray = { sha256: 'a'.repeat(64), size: 100, mime: 'image/png' as const };
    expect((await refusal(addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [], checklist: [], photos: [stray] }, cadre))).field).toBe('photos.0');
    expect(await cadre.outbox.count()).toBe(0);
    const ref = await addVisitPhoto(new Blob([new Uint8Array(png(40, 30, 7))], { type: 'image/png' }), cadre);
    const visit = await addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [], checklist: [], photos: [ref] }, cadre);
    expect(await syncNow(undefined, cadre)).toMatchObject({ pushed: 1, photos: 1, rejected: 0, error: null });
    expect(await cadre.outbox.count()).toBe(0);
    const stored = await sdb.db.selectFrom('records').select('data').where('entity', '=', 'visit').where('id', '=', visit.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.data).photos).toEqual([ref]);
    // Bytes that are no image: the county refuses the photo, the visit waits aside with the reason, the next change still goes.
    const fake = await addVisitPhoto(new Blob([new TextEncoder().encode('not a picture at all')], { type: 'image/jpeg' }), cadre);
    await addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [], checklist: [], photos: [fake] }, cadre);
    await addVisit({ householdId: home.id, date: today, visitors: [visitor], met: [p1.id], checklist: [] }, cadre);
    expect(await syncNow(undefined, cadre)).toMatchObject({ pushed: 1, rejected: 1, error: null });
    const aside = await cadre.outbox.toArray();
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatchObject({ entity: 'visit', state: 'rejected', result: { path: 'photos' } });
    // A photo left out of a visit is forgotten; one a visit names stays.
    await dropVisitPhoto(ref.sha256, cadre);
    expect(await cadre.attachments.where('sha256').equals(ref.sha256).count()).toBe(1);
    const unused = await addVisitPhoto(new Blob([new Uint8Array(png(40, 30, 8))], { type: 'image/png' }), cadre);
    await dropVisitPhoto(unused.sha256, cadre);
    expect(await cadre.attachments.where('sha256').equals(unused.sha256).count()).toBe(0);
  });
});
