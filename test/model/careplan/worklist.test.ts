/**
 * The work list: each kind of item from hand-made records, sorting and filters, and by property:
 * saving the record that settles an item, dated today, takes it off the regenerated list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  builtinCarePack,
  contractValidUntil,
  generateWorklist,
  type Contract,
  type Followup,
  type HouseholdVisit,
  type WorkItem,
  type WorklistFiling,
  type WorklistInput,
} from '../../../src/model/careplan/index.ts';
import type { Enrolment, Household, Member, StatusRecord } from '../../../src/model/roster.ts';
import { AT, ID, contract, followup, visit } from './fixtures.ts';

const pack = builtinCarePack();
const V1 = ID(901);
const V2 = ID(902);

function member(n: number, hh: number, over: Partial<Member> = {}): Member {
  return { id: ID(n), householdId: ID(hh), villageId: V1, name: `成员${n}`, pinyin: '', initials: '', idNumber: '', sex: 'M', birthDate: '1960-01-01', relation: 'head', phone: null, state: 'active', stateDate: null, insured: { scheme: 'resident', year: 2026 }, createdAt: AT, updatedAt: AT, rev: 1, ...over };
}
function household(n: number, villageId = V1): Household {
  return { id: ID(n), villageId, number: String(n), address: '', headMemberId: null, phone: null, createdAt: AT, updatedAt: AT, rev: 1 };
}
function enrolment(n: number, memberId: string, icd: string, category: Enrolment['category'] = 'two-diseases'): Enrolment {
  return { id: ID(n), memberId, villageId: V1, packId: 'CN-140000-2017', entryId: 'x', icd, category, certifiedOn: '2025-01-01', hospital: '', annualLimit: 0, endedOn: null, createdAt: AT, updatedAt: AT };
}
function status(n: number, memberId: string, poverty: StatusRecord['poverty'], from = '2024-01-01'): StatusRecord {
  return { id: ID(n), memberId, from, poverty, poorClass: null, assistance: null, note: null, createdAt: AT };
}
const empty = (today: string): WorklistInput => ({ today, pack, members: [], households: [], statuses: [], enrolments: [], followups: [], visits: [], contracts: [], filings: [] });
const kinds = (l: WorkItem[]) => l.map((i) => `${i.kind}:${i.state}`);

describe('work list', () => {
  it('a follow-up never made is due today; a routine one shows two weeks before its due date; re-checks two weeks after poor control', () => {
    const base = { ...empty('2026-03-01'), members: [member(1, 100)], households: [household(100)], enrolments: [enrolment(200, ID(1), 'I10')] };
    expect(generateWorklist(base, { kinds: ['followup'] })).toMatchObject([{ kind: 'followup', due: '2026-03-01', state: 'due', reason: { code: 'no-followup-yet' } }]);
    const ok = followup({ memberId: ID(1), date: '2026-01-10', nextDue: '2026-04-10' });
    expect(generateWorklist({ ...base, followups: [ok] }, { kinds: ['followup'] })).toEqual([]);
    expect(generateWorklist({ ...base, today: '2026-03-27', followups: [ok] }, { kinds: ['followup'] })).toMatchObject([{ due: '2026-04-10', state: 'upcoming', urgency: 'normal' }]);
    expect(generateWorklist({ ...base, today: '2026-04-25', followups: [ok] }, { kinds: ['followup'] })).toMatchObject([{ state: 'overdue', urgency: 'high' }]);
    const poor = followup({ id: ID(2), memberId: ID(1), date: '2026-02-16', classification: 'unsatisfactory', nextDue: '2026-03-06' });
    expect(generateWorklist({ ...base, followups: [ok, poor] }, { kinds: ['followup', 'recheck'] })).toMatchObject([{ kind: 'recheck', due: '2026-03-02', state: 'upcoming', urgency: 'high', reason: { code: 'recheck-unsatisfactory' } }]);
    const referred = { ...poor, referral: { reason: '血压 185/112', to: '县医院' } };
    expect(generateWorklist({ ...base, followups: [referred] })[0]).toMatchObject({ kind: 'recheck', urgency: 'urgent', reason: { code: 'recheck-referral' } });
  });
  it('marks 两病 by category two-diseases or by ICD I10–I15 / E11 in any category, and ignores ended enrolments and inactive members', () => {
    const members = [member(1, 100), member(2, 100), member(3, 100), member(4, 100, { state: 'deceased' })];
    const enrolments = [enrolment(201, ID(1), 'E11.9', 'special'), enrolment(202, ID(2), 'I16'), { ...enrolment(203, ID(3), 'I15'), endedOn: '2026-01-01' }, enrolment(204, ID(4), 'I10')];
    const l = generateWorklist({ ...empty('2026-03-01'), members, households: [household(100)], enrolments }, { kinds: ['followup'] });
    expect(l.map((i) => i.id)).toEqual([`followup:${ID(1)}:diabetes2`]);
  });
  it('household visits by status interval: monitored monthly, others less often', () => {
    const members = [member(1, 100), member(2, 101)];
    const statuses = [status(300, ID(1), 'monitored'), status(301, ID(2), 'lifted')];
    const visits = [visit({ id: ID(400), householdId: ID(100), date: '2026-02-01', checklist: [], met: [] }), visit({ id: ID(401), householdId: ID(101), date: '2026-02-01', checklist: [], met: [] })];
    const input = { ...empty('2026-03-01'), members, households: [household(100), household(101)], statuses, visits };
    expect(generateWorklist(input, { kinds: ['household-visit'] })).toMatchObject([{ householdId: ID(100), due: '2026-03-03', state: 'upcoming', urgency: 'high' }]);
    expect(generateWorklist({ ...input, today: '2026-04-25' }, { kinds: ['household-visit'] }).map((i) => [i.householdId, i.state])).toEqual([
      [ID(100), 'overdue'],
      [ID(101), 'upcoming'],
    ]);
  });
  it('insurance for next year during the contribution period only', () => {
    const members = [member(1, 100, { insured: { scheme: 'resident', year: 2026 } }), member(2, 100, { insured: { scheme: 'resident', year: 2027 } }), member(3, 100, { insured: { scheme: 'employee', year: null } })];
    const input = { ...empty('2026-08-31'), members, households: [household(100)] };
    expect(generateWorklist(input, { kinds: ['insurance'] })).toEqual([]);
    expect(generateWorklist({ ...input, today: '2026-09-01' }, { kinds: ['insurance'] })).toMatchObject([{ memberId: ID(1), due: '2026-12-01', window: { from: '2026-09-01', until: '2026-12-31' }, state: 'upcoming', reason: { params: { year: 2027 } } }]);
    expect(generateWorklist({ ...input, today: '2026-12-01' }, { kinds: ['insurance'] })).toMatchObject([{ state: 'due', urgency: 'high' }]);
    expect(generateWorklist({ ...input, today: '2027-01-01' }, { kinds: ['insurance'] })).toEqual([]);
  });
  it('contracts to renew a month before they end, overdue a month after; an ended contract is not renewed', () => {
    const input = { ...empty('2026-12-09'), members: [member(2, 11)], households: [household(11)], contracts: [contract()] };
    expect(generateWorklist(input, { kinds: ['contract-renewal'] })).toEqual([]);
    expect(generateWorklist({ ...input, today: '2026-12-10' }, { kinds: ['contract-renewal'] })).toMatchObject([{ due: '2027-01-09', state: 'upcoming', reason: { code: 'contract-ends' } }]);
    expect(generateWorklist({ ...input, today: '2027-02-09' }, { kinds: ['contract-renewal'] })).toMatchObject([{ state: 'overdue', reason: { code: 'contract-lapsed' } }]);
    expect(generateWorklist({ ...input, today: '2026-12-20', contracts: [contract({ endedOn: '2026-12-01' })] }, { kinds: ['contract-renewal'] })).toEqual([]);
  });
  it('filings returned, and filings a visit asked for until one is made', () => {
    const returned: WorklistFiling = { id: ID(500), memberId: ID(2), householdId: ID(11), villageId: V1, status: 'returned', createdAt: '2026-02-10T02:00:00.000Z', events: [{ at: '2026-02-25T03:00:00.000Z', action: 'returned' }] };
    const asked = visit({ householdId: ID(11), date: '2026-02-20', createdAt: '2026-02-20T02:00:00.000Z', checklist: [{ memberId: ID(2), items: { needsProxyFiling: { answer: 'yes' } } }] });
    const input = { ...empty('2026-03-01'), members: [member(2, 11)], households: [household(11)], visits: [asked], filings: [returned] };
    expect(kinds(generateWorklist(input, { kinds: ['filing-returned', 'filing-needed'] }))).toEqual(['filing-returned:due', 'filing-needed:overdue']);
    // The returned filing was made before the visit: a new one is still needed.
    const filed: WorklistFiling = { ...returned, id: ID(501), status: 'queued', createdAt: '2026-03-01T01:00:00.000Z' };
    expect(kinds(generateWorklist({ ...input, filings: [returned, filed] }, { kinds: ['filing-needed'] }))).toEqual([]);
  });
  it('visit measures until done', () => {
    const f = { id: ID(600), memberId: ID(2), problem: '住院费用未报销', measure: '代办报销', due: '2026-03-05', doneOn: null };
    const v = visit({ householdId: ID(11), date: '2026-02-20', findings: [f] });
    const input = { ...empty('2026-03-01'), members: [member(2, 11)], households: [household(11)], visits: [v] };
    expect(generateWorklist(input, { kinds: ['measure'] })).toMatchObject([{ kind: 'measure', due: '2026-03-05', state: 'upcoming', reason: { params: { problem: '住院费用未报销' } } }]);
    expect(generateWorklist({ ...input, visits: [{ ...v, findings: [{ ...f, doneOn: '2026-03-01' }] }] }, { kinds: ['measure'] })).toEqual([]);
  });
  it('sorts by urgency, then overdue before due before upcoming, then due date; filters by village and kind', () => {
    const members = [member(1, 100), member(2, 101, { villageId: V2 }), member(3, 102)];
    const households = [household(100), household(101, V2), household(102)];
    const enrolments = [enrolment(200, ID(1), 'I10'), enrolment(201, ID(3), 'I11')];
    const followups = [followup({ memberId: ID(1), date: '2026-02-16', classification: 'unsatisfactory', referral: { reason: '危急', to: '县医院' }, nextDue: '2026-03-06' })];
    const l = generateWorklist({ ...empty('2026-03-01'), members, households, enrolments, followups });
    const rank = { urgent: 0, high: 1, normal: 2, low: 3 } as const;
    const st = { overdue: 0, due: 1, upcoming: 2 } as const;
    for (let i = 1; i < l.length; i++) {
      const a = l[i - 1]!;
      const b = l[i]!;
      expect([rank[a.urgency], st[a.state], a.due] <= [rank[b.urgency], st[b.state], b.due] || rank[a.urgency] < rank[b.urgency] || (rank[a.urgency] === rank[b.urgency] && st[a.state] <= st[b.state])).toBe(true);
    }
    expect(l[0]).toMatchObject({ kind: 'recheck', urgency: 'urgent' });
    expect(generateWorklist({ ...empty('2026-03-01'), members, households, enrolments, followups }, { villageIds: [V2] }).every((i) => i.villageId === V2)).toBe(true);
    expect(generateWorklist({ ...empty('2026-03-01'), members, households, enrolments, followups }, { kinds: ['household-visit'] }).every((i) => i.kind === 'household-visit')).toBe(true);
  });

  it("lists a household's visit in the household's own village only, whatever village a member is recorded in", () => {
    // A member recorded in V1 whose household is in V2 (as a pull may leave it for a moment).
    const members = [member(1, 101)];
    const households = [household(101, V2)];
    const input = { ...empty('2026-03-01'), members, households };
    expect(generateWorklist(input, { villageIds: [V1], kinds: ['household-visit'] })).toEqual([]);
    expect(generateWorklist(input, { villageIds: [V2], kinds: ['household-visit'] })).toEqual([]);
    expect(generateWorklist(input, { kinds: ['household-visit'] }).map((i) => i.villageId)).toEqual([V2]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the record that settles an item, saved today, takes it off the list.

const dateArb = fc.integer({ min: 0, max: 900 }).map((n) => addDays('2025-06-01', n));

const worldArb = fc.record({
  today: dateArb,
  nMembers: fc.integer({ min: 1, max: 8 }),
  seed: fc.array(
    fc.record({
      poverty: fc.constantFrom('monitored', 'poor', 'lifted', 'none') as fc.Arbitrary<StatusRecord['poverty']>,
      icd: fc.constantFrom('I10', 'I13', 'E11', 'C50', null),
      insuredYear: fc.constantFrom(2025, 2026, 2027, 2028, null),
      fuBack: fc.option(fc.integer({ min: 1, max: 200 })),
      cls: fc.constantFrom('satisfactory', 'unsatisfactory', 'adverse-reaction', 'complication') as fc.Arbitrary<Followup['classification']>,
      referred: fc.boolean(),
      visitBack: fc.option(fc.integer({ min: 1, max: 300 })),
      findingDueIn: fc.option(fc.integer({ min: -30, max: 30 })),
      askFiling: fc.boolean(),
      contractBack: fc.option(fc.integer({ min: 1, max: 500 })),
      returned: fc.boolean(),
    }),
    { minLength: 8, maxLength: 8 },
  ),
});

type World = { input: WorklistInput };

type WorldValue = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function build(w: WorldValue): World {
  const today = w.today;
  const input: WorklistInput = { ...empty(today), members: [], households: [], statuses: [], enrolments: [], followups: [], visits: [], contracts: [], filings: [] };
  const m = input as { [K in keyof WorklistInput]: WorklistInput[K] extends readonly (infer E)[] ? E[] : WorklistInput[K] };
  for (let i = 0; i < w.nMembers; i++) {
    const s = w.seed[i]!;
    const mid = ID(1000 + i);
    const hid = ID(2000 + i);
    m.households.push(household(2000 + i));
    m.members.push(member(1000 + i, 2000 + i, { insured: { scheme: 'resident', year: s.insuredYear } }));
    m.statuses.push(status(3000 + i, mid, s.poverty));
    if (s.icd) m.enrolments.push({ ...enrolment(4000 + i, mid, s.icd), certifiedOn: '2025-01-01' });
    if (s.fuBack !== null && s.icd) {
      const date = addDays(today, -s.fuBack);
      m.followups.push(followup({ id: ID(5000 + i), memberId: mid, disease: s.icd === 'E11' ? 'diabetes2' : 'hypertension', date, classification: s.cls, referral: s.referred ? { reason: 'r', to: '' } : null, nextDue: addDays(date, 90) }));
    }
    if (s.visitBack !== null) {
      const date = addDays(today, -s.visitBack);
      const findings = s.findingDueIn === null ? [] : [{ id: ID(6500 + i), memberId: mid, problem: 'p', measure: 'm', due: addDays(today, s.findingDueIn), doneOn: null }];
      m.visits.push(visit({ id: ID(6000 + i), householdId: hid, date, createdAt: `${date}T02:00:00.000Z`, findings, checklist: [{ memberId: mid, items: s.askFiling ? { needsProxyFiling: { answer: 'yes' } } : {} }] }));
    }
    if (s.contractBack !== null) {
      const signedOn = addDays(today, -s.contractBack);
      m.contracts.push(contract({ id: ID(7000 + i), memberId: mid, householdId: hid, signedOn, validUntil: contractValidUntil(pack, signedOn) }));
    }
    if (s.returned) m.filings.push({ id: ID(8000 + i), memberId: mid, householdId: hid, villageId: V1, status: 'returned', createdAt: `${addDays(today, -20)}T02:00:00.000Z`, events: [{ at: `${addDays(today, -3)}T02:00:00.000Z`, action: 'returned' }] });
  }
  return { input };
}

/** The record a user saves today to settle an item, applied to the world. */
function settle(input: WorklistInput, item: WorkItem): WorklistInput {
  const today = input.today;
  const now = `${today}T09:00:00.000Z`;
  switch (item.kind) {
    case 'followup':
    case 'recheck': {
      const disease = item.id.endsWith('diabetes2') ? 'diabetes2' : 'hypertension';
      return { ...input, followups: [...input.followups, followup({ id: ID(9001), memberId: item.memberId!, disease, date: today, nextDue: addDays(today, 90), classification: 'satisfactory', createdAt: now, updatedAt: now })] };
    }
    case 'household-visit':
      return { ...input, visits: [...input.visits, visit({ id: ID(9002), householdId: item.householdId!, date: today, checklist: [], met: [], createdAt: now, updatedAt: now })] };
    case 'measure': {
      const fid = item.id.slice('measure:'.length);
      return { ...input, visits: input.visits.map((v) => (v.findings.some((f) => f.id === fid) ? { ...v, updatedAt: now, findings: v.findings.map((f) => (f.id === fid ? { ...f, doneOn: today } : f)) } : v)) };
    }
    case 'insurance':
      return { ...input, members: input.members.map((mm) => (mm.id === item.memberId ? { ...mm, insured: { scheme: 'resident', year: item.reason.params.year as number } } : mm)) };
    case 'contract-renewal':
      return { ...input, contracts: [...input.contracts, contract({ id: ID(9003), memberId: item.memberId!, householdId: item.householdId!, signedOn: today, validUntil: contractValidUntil(pack, today), createdAt: now, updatedAt: now })] };
    case 'filing-returned':
      return { ...input, filings: input.filings.map((f) => (f.id === item.id.slice('filing-returned:'.length) ? { ...f, status: 'submitted', updatedAt: now } : f)) };
    case 'filing-needed':
      return { ...input, filings: [...input.filings, { id: ID(9004), memberId: item.memberId!, householdId: item.householdId!, villageId: item.villageId, status: 'queued', createdAt: now }] };
  }
}

describe('work list, by property', () => {
  it('saving the record that settles an item, dated today, removes it from the regenerated list', () => {
    fc.assert(
      fc.property(worldArb, fc.nat(), (w, pick) => {
        const { input } = build(w);
        const list = generateWorklist(input);
        if (list.length === 0) return;
        const item = list[pick % list.length]!;
        const after = generateWorklist(settle(input, item));
        expect(after.map((i) => i.id)).not.toContain(item.id);
      }),
      { numRuns: 500 },
    );
  });
  it('every item is in its window and in its state', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { input } = build(w);
        for (const i of generateWorklist(input)) {
          expect(i.window.from <= i.due && i.due <= i.window.until).toBe(true);
          expect(input.today >= i.window.from).toBe(true);
          expect(i.state).toBe(input.today < i.due ? 'upcoming' : input.today <= i.window.until ? 'due' : 'overdue');
        }
      }),
      { numRuns: 300 },
    );
  });
});
