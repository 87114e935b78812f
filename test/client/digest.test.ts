/**
 * The roster digest the work list and 村情 read (src/client/db/digest.ts): by property, after any
 * sequence of writes (roster edits, rows put and deleted as a pull does), on a store in the clear and
 * a sealed one, the work list and the figures from the digest are those of the pure generator over
 * every row of the store; the digest opens only what was written since it was made.
 */
import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workList, worklistInput } from '../../src/client/db/careplan.ts';
import { digestStored, readDigest } from '../../src/client/db/digest.ts';
import { importRoster } from '../../src/client/db/import.ts';
import { addEnrolment, addStatus, deleteStatus, endEnrolment, updateMember } from '../../src/client/db/repo.ts';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { builtinCarePack, generateWorklist, villageFigures, type WorklistInput } from '../../src/model/careplan/index.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { localToday } from '../../src/model/idcard.ts';
import { ulid } from '../../src/model/ulid.ts';

const pack = builtinCarePack();
const today = localToday();
let n = 0;

/** Every row of the store, read the slow way: what the generator is given without the digest. */
async function everything(d: CunyiDb): Promise<WorklistInput> {
  const [members, households, statuses, enrolments, followups, visits, contracts, filings] = await Promise.all([d.members.toArray(), d.households.toArray(), d.statuses.toArray(), d.enrolments.toArray(), d.followups.toArray(), d.visits.toArray(), d.contracts.toArray(), d.filings.toArray()]);
  return { today, pack, members, households, statuses, enrolments, followups, visits, contracts, filings };
}

type Op =
  | { kind: 'state'; m: number; state: 'active' | 'deceased' | 'movedOut' }
  | { kind: 'insured'; m: number; year: number | null }
  | { kind: 'status'; m: number; poverty: 'poor' | 'lifted' | 'monitored' | 'none' }
  | { kind: 'unstatus'; s: number }
  | { kind: 'enrol'; m: number; icd: string }
  | { kind: 'end'; e: number }
  | { kind: 'pull-delete'; m: number }
  | { kind: 'pull-put'; m: number; village: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('state' as const), m: fc.nat(), state: fc.constantFrom('active' as const, 'deceased' as const, 'movedOut' as const) }),
  fc.record({ kind: fc.constant('insured' as const), m: fc.nat(), year: fc.constantFrom(null, Number(today.slice(0, 4)), Number(today.slice(0, 4)) + 1) }),
  fc.record({ kind: fc.constant('status' as const), m: fc.nat(), poverty: fc.constantFrom('poor' as const, 'lifted' as const, 'monitored' as const, 'none' as const) }),
  fc.record({ kind: fc.constant('unstatus' as const), s: fc.nat() }),
  fc.record({ kind: fc.constant('enrol' as const), m: fc.nat(), icd: fc.constantFrom('I10', 'E11.9', 'J45') }),
  fc.record({ kind: fc.constant('end' as const), e: fc.nat() }),
  fc.record({ kind: fc.constant('pull-delete' as const), m: fc.nat() }),
  fc.record({ kind: fc.constant('pull-put' as const), m: fc.nat(), village: fc.nat() }),
);

async function apply(d: CunyiDb, o: Op): Promise<void> {
  const members = await d.members.toArray();
  const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
  const m = 'm' in o ? pick(members, o.m) : undefined;
  switch (o.kind) {
    case 'state':
      if (m) await updateMember(m.id, { state: o.state, stateDate: o.state === 'active' ? null : today }, d);
      return;
    case 'insured':
      if (m) await updateMember(m.id, { insured: { scheme: o.year === null ? 'none' : 'resident', year: o.year } }, d);
      return;
    case 'status':
      if (m) await addStatus(m.id, { from: today, poverty: o.poverty, poorClass: null, assistance: null, note: null }, d);
      return;
    case 'unstatus': {
      const s = pick(await d.statuses.toArray(), o.s);
      if (s) await deleteStatus(s.id, d);
      return;
    }
    case 'enrol':
      if (m) await addEnrolment({ memberId: m.id, villageId: m.villageId, packId: 'CN-140000-2017', entryId: 'x', icd: o.icd, category: 'two-diseases', certifiedOn: '2025-01-01', hospital: '', annualLimit: 0 }, d);
      return;
    case 'end': {
      const e = pick((await d.enrolments.toArray()).filter((x) => x.endedOn === null), o.e);
      if (e) await endEnrolment(e.id, today, d);
      return;
    }
    case 'pull-delete':
      // As the sync engine applies a deletion from the county: rows gone, no roster function.
      if (m) await d.transaction('rw', [d.members, d.statuses], async () => {
        await d.members.bulkDelete([m.id]);
        await d.statuses.where('memberId').equals(m.id).delete();
      });
      return;
    case 'pull-put': {
      // As a pull applies the county's rows: a new member put straight into the table.
      const villages = await d.villages.toArray();
      const hh = pick(await d.households.toArray(), o.m);
      if (!hh || !m) return;
      await d.members.bulkPut([{ ...m, id: ulid(), householdId: hh.id, villageId: pick(villages, o.village)?.id ?? hh.villageId, rev: 1 }]);
      return;
    }
  }
}

describe('the roster digest', () => {
  for (const sealed of [false, true]) {
    it(`gives the work list and 村情 of the pure generator over every row, after any writes (${sealed ? 'sealed' : 'in the clear'})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 1000 }), fc.array(op, { maxLength: 12 }), fc.boolean(), async (seed, ops, readBetween) => {
          const county = generateCounty({ seed, members: 60 });
          const d = new CunyiDb(`digest-${Date.now()}-${n++}`, { key: sealed ? crypto.getRandomValues(new Uint8Array(32)) : null });
          await importRoster(county, undefined, d);
          const villages = county.villages.slice(0, 1).map((v) => v.id);
          const check = async () => {
            const all = await everything(d);
            expect(await workList(today, {}, d)).toEqual(generateWorklist(all));
            expect(await workList(today, { villageIds: villages }, d)).toEqual(generateWorklist(all, { villageIds: villages }));
            expect(villageFigures(await worklistInput(today, undefined, pack, d))).toEqual(villageFigures(all));
          };
          await check();
          for (const o of ops) {
            await apply(d, o);
            if (readBetween) await check();
          }
          await check();
          d.close();
          await d.delete();
        }),
        { numRuns: 12 },
      );
    }, 120_000);
  }

  it('is made by the import, opens only the rows written since it was made, and keeps the stamp out of the rows the app reads', async () => {
    const d = new CunyiDb(`digest-${Date.now()}-${n++}`);
    const county = generateCounty({ seed: 3, members: 80 });
    await importRoster(county, undefined, d);
    const opened: string[] = [];
    d.members.hook('reading', (x) => {
      opened.push(x.id);
      return x;
    });
    // Made by the import from the rows in hand.
    expect((await readDigest(d)).members).toHaveLength(county.members.length);
    expect(opened).toEqual([]);
    const m = (await d.members.toArray())[5]!;
    expect(m).not.toHaveProperty('chg');
    await d.members.each((x) => expect(x).not.toHaveProperty('chg'));
    await updateMember(m.id, { insured: { scheme: 'none', year: null } }, d);
    opened.length = 0;
    const digest = await readDigest(d);
    expect(opened).toEqual([m.id]);
    expect(digest.members.find((x) => x.id === m.id)!.insured).toEqual({ scheme: 'none', year: null });
    opened.length = 0;
    await readDigest(d);
    expect(opened).toEqual([]);
    // Another connection (the app opened again) starts from the stored digest and opens what it lacks.
    await updateMember(m.id, { insured: { scheme: 'resident', year: 2030 } }, d);
    const again = new CunyiDb(d.name);
    const all = await everything(again);
    expect(await workList(today, {}, again)).toEqual(generateWorklist(all));
    expect((await readDigest(again)).members.find((x) => x.id === m.id)!.insured).toEqual({ scheme: 'resident', year: 2030 });
    again.close();
  });
});

describe('the roster digest read as the screens read it', () => {
  it('is made inside a liveQuery (where Dexie refuses writes) and stored after it', async () => {
    const d = new CunyiDb(`digest-${Date.now()}-${n++}`);
    const county = generateCounty({ seed: 5, members: 40 });
    await importRoster(county, undefined, d);
    await d.digest.clear();
    d.close();
    // Opened again with no digest stored: the work list in a liveQuery must make it.
    const again = new CunyiDb(d.name);
    const items = await new Promise<unknown[]>((resolve, reject) => {
      const sub = liveQuery(() => workList(today, {}, again)).subscribe({
        next: (v) => {
          sub.unsubscribe();
          resolve(v);
        },
        error: reject,
      });
    });
    expect(items).toEqual(generateWorklist(await everything(again)));
    await digestStored(again);
    expect(await again.digest.get('care')).toBeDefined();
    again.close();
  });
});
