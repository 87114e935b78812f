/**
 * Every item of 待办, once the form it links to is saved, leaves the list, offline: by property over
 * random histories (enrolments, follow-ups good and poor, visits with measures and with a filing
 * asked for, contracts about to end, filings returned by the county), each due or overdue item is
 * settled through the same tablet functions its form calls, and the list made again has no due or
 * overdue item of that id (it may come back as upcoming, with a later due date: the next follow-up).
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addFollowUp, addVisit, signContracts, workList, type NewFollowup } from '../../src/client/db/careplan.ts';
import { addPhoto, createFiling, editReturned, patchContent, queueFiling, setConsent, setField } from '../../src/client/db/filings.ts';
import { importRoster } from '../../src/client/db/import.ts';
import { addEnrolment, updateMember } from '../../src/client/db/repo.ts';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { addDays, builtinCarePack, contributionPeriod, ITEM_KINDS, type WorkItem } from '../../src/model/careplan/index.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { localToday } from '../../src/model/idcard.ts';
import type { Member } from '../../src/model/roster.ts';
import { JPEG, png } from '../server/photos.ts';

const today = localToday();
let n = 0;

const readings = (sbp: number, dbp: number, glucose: number | null) => ({ sbp, dbp, heartRate: 76, weightTenthKg: 640, heightCm: 162, glucoseTenthMmol: glucose });
const followup = (memberId: string, disease: 'hypertension' | 'diabetes2', date: string, good: boolean): NewFollowup => ({
  memberId,
  disease,
  date,
  way: 'home',
  readings: good ? readings(128, 80, disease === 'diabetes2' ? 60 : null) : readings(158, 96, disease === 'diabetes2' ? 92 : null),
  symptoms: ['none'],
  symptomNote: '',
  lifestyle: { cigarettesPerDay: 0, alcoholLiangPerDay: 0, exerciseMinutesPerWeek: 150, salt: 'light' },
  medications: [],
  adherence: 'regular',
  adverseReaction: { present: false },
  complication: { present: false },
  referral: null,
});
const visitor = [{ name: '赵支书', role: 'cadre' as const }];
const jpeg = () => new Blob([new Uint8Array(JPEG)], { type: 'image/jpeg' });
const pngBlob = (seed: number) => new Blob([new Uint8Array(png(40, 30, seed))], { type: 'image/png' });

/** What happened before today, as indices into the roster (taken modulo its length). */
type Past =
  | { kind: 'enrol'; m: number; icd: 'I10' | 'E11.9'; daysAgo: number }
  | { kind: 'followup'; m: number; daysAgo: number; good: boolean }
  | { kind: 'visit'; h: number; daysAgo: number; measureIn: number | null; askFiling: boolean }
  | { kind: 'contract'; h: number; daysAgo: number }
  | { kind: 'returned'; m: number };

const past: fc.Arbitrary<Past> = fc.oneof(
  fc.record({ kind: fc.constant('enrol' as const), m: fc.nat(), icd: fc.constantFrom('I10' as const, 'E11.9' as const), daysAgo: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('followup' as const), m: fc.nat(), daysAgo: fc.integer({ min: 1, max: 120 }), good: fc.boolean() }),
  fc.record({ kind: fc.constant('visit' as const), h: fc.nat(), daysAgo: fc.integer({ min: 0, max: 200 }), measureIn: fc.option(fc.integer({ min: 0, max: 30 })), askFiling: fc.boolean() }),
  fc.record({ kind: fc.constant('contract' as const), h: fc.nat(), daysAgo: fc.integer({ min: 300, max: 400 }) }),
  fc.record({ kind: fc.constant('returned' as const), m: fc.nat() }),
);

/** A complete care-grant filing (Shanxi), queued, then returned by the county as a pull writes it. */
async function returnedFiling(d: CunyiDb, memberId: string, seed: number): Promise<void> {
  const f = await createFiling(memberId, 'critical-care-grant', d);
  await setField(f.id, 'grantDisease', 'lung-cancer', d);
  await setField(f.id, 'lateStage', 'yes', d);
  await setField(f.id, 'diagnosisDate', addDays(today, -40), d);
  await setField(f.id, 'payee', '本人', d);
  await addPhoto(f.id, 'id-card', jpeg(), d);
  await addPhoto(f.id, 'diagnosis', pngBlob(seed + 2), d);
  await addPhoto(f.id, 'application', pngBlob(seed + 3), d);
  await setConsent(f.id, 'signature', '本人', pngBlob(seed + 4), d);
  await patchContent(f.id, (c) => ({ ...c, villageConfirmation: { by: '村委会 王主任', date: addDays(today, -30) } }), d);
  const at = `${addDays(today, -3)}T08:00:00.000Z`;
  await d.filings.update(f.id, { status: 'returned', rev: 2, local: null, updatedAt: at, events: [{ at, action: 'returned', by: 'township', role: 'township-reviewer', reason: '诊断书不清楚' }] } as never);
}

async function record(d: CunyiDb, p: Past, members: Member[], households: { id: string }[], seed: number): Promise<void> {
  const m = members[('m' in p ? p.m : 0) % members.length]!;
  const h = households[('h' in p ? p.h : 0) % households.length]!;
  const inHousehold = members.filter((x) => x.householdId === h.id);
  switch (p.kind) {
    case 'enrol':
      await addEnrolment({ memberId: m.id, villageId: m.villageId, packId: 'CN-140000-2017', entryId: p.icd === 'I10' ? 'hypertension-3' : 'diabetes-3', icd: p.icd, category: 'special', certifiedOn: addDays(today, -p.daysAgo), hospital: '交口县人民医院', annualLimit: 0 }, d);
      return;
    case 'followup': {
      const e = (await d.enrolments.where('memberId').equals(m.id).toArray()).find((x) => x.endedOn === null && (x.icd.startsWith('I1') || x.icd.startsWith('E11')));
      if (!e) return;
      await addFollowUp(followup(m.id, e.icd.startsWith('I1') ? 'hypertension' : 'diabetes2', addDays(today, -p.daysAgo), p.good), d);
      return;
    }
    case 'visit':
      if (inHousehold.length === 0) return;
      await addVisit(
        {
          householdId: h.id,
          date: addDays(today, -p.daysAgo),
          visitors: visitor,
          met: [inHousehold[0]!.id],
          checklist: p.askFiling ? [{ memberId: inHousehold[0]!.id, items: { needsProxyFiling: { answer: 'yes' } } }] : [],
          findings: p.measureIn === null ? [] : [{ memberId: null, problem: '未参保缴费', measure: '动员缴费', due: addDays(today, -p.daysAgo + p.measureIn) }],
        },
        d,
      );
      return;
    case 'contract':
      if (inHousehold.length === 0) return;
      await signContracts({ householdId: h.id, memberIds: [inHousehold[0]!.id], signedOn: addDays(today, -p.daysAgo), doctor: { name: '王医生', team: '' }, packageId: 'basic' }, d);
      return;
    case 'returned':
      if (!(await d.filings.where('memberId').equals(m.id).count())) await returnedFiling(d, m.id, seed);
      return;
  }
}

/** What the item's form saves, through the same function the form calls. */
async function settle(d: CunyiDb, i: WorkItem): Promise<void> {
  const disease = i.reason.params.disease as 'hypertension' | 'diabetes2' | undefined;
  switch (i.kind) {
    case 'followup':
    case 'recheck':
      await addFollowUp(followup(i.memberId!, disease!, today, true), d);
      return;
    case 'household-visit':
      await addVisit({ householdId: i.householdId!, date: today, visitors: visitor, met: [], checklist: [] }, d);
      return;
    case 'measure': {
      // The visit form carries the earlier finding with its id, done on the visit's date.
      const findingId = i.id.slice('measure:'.length);
      const f = (await d.visits.where('householdId').equals(i.householdId!).toArray()).flatMap((v) => v.findings).find((x) => x.id === findingId)!;
      await addVisit({ householdId: i.householdId!, date: today, visitors: visitor, met: [], checklist: [], findings: [{ ...f, doneOn: today }] }, d);
      return;
    }
    case 'insurance':
      await updateMember(i.memberId!, { insured: { scheme: 'resident', year: Number(i.reason.params.year) } }, d);
      return;
    case 'contract-renewal':
      await signContracts({ householdId: i.householdId!, memberIds: [i.memberId!], signedOn: today, doctor: { name: '王医生', team: '' }, packageId: 'basic' }, d);
      return;
    case 'filing-returned': {
      const id = String(i.reason.params.filingId);
      await editReturned(id, d);
      await queueFiling(id, today, d);
      return;
    }
    case 'filing-needed':
      await createFiling(i.memberId!, 'critical-care-grant', d);
      return;
  }
}

describe('待办: a saved form settles its item', () => {
  it('takes every due or overdue item off the list once its form is saved, whatever came before', async () => {
    const settledKinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.array(past, { minLength: 4, maxLength: 24 }), fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), async (seed, history, picks) => {
        const county = generateCounty({ seed, members: 50 });
        const d = new CunyiDb(`settled-${Date.now()}-${n++}`);
        await importRoster(county, undefined, d);
        const members = county.members.filter((m) => m.state === 'active');
        for (const p of history) await record(d, p, members, county.households, seed);
        const open = (await workList(today, {}, d)).filter((i) => i.state !== 'upcoming');
        // A few items of each kind, as fast-check picks them.
        const byKind = new Map<string, WorkItem[]>();
        for (const i of open) byKind.set(i.kind, [...(byKind.get(i.kind) ?? []), i]);
        const chosen = [...byKind.values()].flatMap((xs) => [...new Set(picks.slice(0, 2).map((p) => xs[p % xs.length]!))]);
        for (const item of chosen) {
          const still = (await workList(today, {}, d)).find((x) => x.id === item.id);
          if (!still || still.state === 'upcoming') continue; // settled on the way by another item's form
          await settle(d, still);
          settledKinds.add(still.kind);
          const after = (await workList(today, {}, d)).find((x) => x.id === item.id);
          expect(after === undefined || (after.state === 'upcoming' && after.due > still.due), `${item.kind} ${item.id} after its form: ${JSON.stringify(after)}`).toBe(true);
        }
        d.close();
        await d.delete();
      }),
      {
        numRuns: 15,
        // One history that reaches every kind, always run (the random ones may miss a kind).
        examples: [
          [
            7,
            [
              { kind: 'enrol', m: 0, icd: 'I10', daysAgo: 400 },
              { kind: 'followup', m: 0, daysAgo: 14, good: false },
              { kind: 'enrol', m: 1, icd: 'E11.9', daysAgo: 30 },
              { kind: 'visit', h: 0, daysAgo: 20, measureIn: 18, askFiling: true },
              { kind: 'contract', h: 1, daysAgo: 370 },
              { kind: 'returned', m: 2 },
            ],
            [0, 0, 0, 0, 0, 0],
          ],
        ],
      },
    );
    // The histories reached every kind the work list has.
    // The histories reached every kind the work list has (insurance only in the contribution period).
    const kinds = ITEM_KINDS.filter((k) => k !== 'insurance' || contributionPeriod(builtinCarePack(), today) !== null);
    expect([...settledKinds].sort()).toEqual([...kinds].sort());
  }, 240_000);
});
