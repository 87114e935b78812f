import { describe, expect, it } from 'vitest';
import { builtinPack } from '../../src/rules/index.ts';
import { checkIdNumber, crossCheckId } from '../../src/model/idcard.ts';
import { namePinyin } from '../../src/model/pinyin.ts';
import { isRegisteredPoor, RELATIONS, type Member, type StatusRecord } from '../../src/model/roster.ts';
import { isUlid } from '../../src/model/ulid.ts';
import { DEMO_COUNTY, generateCounty, GIVEN, SURNAMES, TOWNSHIPS, type DemoCounty } from '../../src/model/demo/index.ts';

const county = generateCounty();
const TODAY = '2026-01-01';
const pack = builtinPack('CN-140000-2017');
const entries = new Map(pack.outpatient!.entries.map((e) => [e.id, e]));

function byId<T extends { id: string }>(xs: T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.id, x]));
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const l = m.get(k);
    if (l) l.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** Whole years of age on 2026-01-01. */
function age(birthDate: string): number {
  const y = 2026 - Number(birthDate.slice(0, 4));
  return birthDate.slice(5) > '01-01' ? y - 1 : y;
}

function currentStatus(c: DemoCounty): Map<string, StatusRecord> {
  const m = new Map<string, StatusRecord>();
  for (const s of c.statuses) m.set(s.memberId, s); // records are in date order per member
  return m;
}

describe('generateCounty: the default county', () => {
  it('is 交口县 under the Shanxi pack, about 10,000 members in about 3,000 households', () => {
    expect(county.county).toEqual({ code: '141130', name: '交口县', packId: 'CN-140000-2017' });
    expect(county.members.length).toBeGreaterThanOrEqual(9_000);
    expect(county.members.length).toBeLessThanOrEqual(11_000);
    expect(county.households.length).toBeGreaterThan(2_700);
    expect(county.households.length).toBeLessThan(3_300);
  });

  it('has 7 townships of 10-15 villages with well-formed, unique codes and names', () => {
    expect(TOWNSHIPS.length).toBe(7);
    const byTownship = groupBy(county.villages, (v) => v.townshipCode);
    expect(byTownship.size).toBe(7);
    for (const [code, vs] of byTownship) {
      expect(code).toMatch(/^141130[12]\d{2}000$/);
      expect(vs.length).toBeGreaterThanOrEqual(10);
      expect(vs.length).toBeLessThanOrEqual(15);
      for (const v of vs) {
        expect(v.code).toMatch(/^141130\d{6}$/);
        expect(v.code.slice(0, 9)).toBe(code.slice(0, 9));
        expect(v.name).toMatch(/^\p{Script=Han}{2,4}村$/u);
        expect(v.townshipName).toMatch(/^\p{Script=Han}{2,3}[镇乡]$/u);
        expect(v).toMatchObject({ countyCode: '141130', countyName: '交口县', packId: 'CN-140000-2017' });
      }
    }
    expect(new Set(county.villages.map((v) => v.code)).size).toBe(county.villages.length);
    expect(new Set(county.villages.map((v) => v.name)).size).toBe(county.villages.length);
  });

  it('gives every record a unique ULID-shaped id', () => {
    const all = [...county.villages, ...county.households, ...county.members, ...county.statuses, ...county.enrolments].map((x) => x.id);
    for (const id of all) expect(isUlid(id)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
  });

  it('stamps every record with `now` and revision 1', () => {
    for (const x of [...county.households, ...county.members]) expect(x).toMatchObject({ createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', rev: 1 });
    for (const s of county.statuses) expect(s.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('gives every member a valid, unique ID number matching birth date and sex', () => {
    const seen = new Set<string>();
    let elsewhere = 0;
    for (const m of county.members) {
      const c = checkIdNumber(m.idNumber, TODAY);
      expect(c, `${m.name} ${m.idNumber}`).toMatchObject({ ok: true, id: m.idNumber, birthDate: m.birthDate, sex: m.sex });
      expect(crossCheckId(m.idNumber, { birthDate: m.birthDate, sex: m.sex })).toEqual([]);
      if (!m.idNumber.startsWith('141130')) elsewhere++;
      seen.add(m.idNumber);
    }
    expect(seen.size).toBe(county.members.length);
    // mostly registered in 交口, some (married-in spouses mostly) in neighbouring counties
    expect(elsewhere / county.members.length).toBeGreaterThan(0.02);
    expect(elsewhere / county.members.length).toBeLessThan(0.2);
  });

  it('gives every household exactly one head, 1-6 members and a unique number in its village', () => {
    const members = groupBy(county.members, (m) => m.householdId);
    const villages = byId(county.villages);
    for (const h of county.households) {
      const ms = members.get(h.id) ?? [];
      expect(ms.length).toBeGreaterThanOrEqual(1);
      expect(ms.length).toBeLessThanOrEqual(6);
      const heads = ms.filter((m) => m.relation === 'head');
      expect(heads.length).toBe(1);
      expect(h.headMemberId).toBe(heads[0]!.id);
      expect(ms.every((m) => m.villageId === h.villageId)).toBe(true);
      const v = villages.get(h.villageId)!;
      expect(h.address).toMatch(new RegExp(`^${v.name}[1-9]组\\d+号$`));
    }
    for (const [, hs] of groupBy(county.households, (h) => h.villageId)) {
      const numbers = hs.map((h) => h.number);
      for (const n of numbers) expect(n).toMatch(/^\d{4}$/);
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(new Set(hs.map((h) => h.address)).size).toBe(hs.length);
    }
    const sizes = [...members.values()].map((ms) => ms.length);
    expect(new Set(sizes)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });

  it('keeps ages and sexes consistent with relations', () => {
    for (const [, ms] of groupBy(county.members, (m) => m.householdId)) {
      const head = ms.find((m) => m.relation === 'head')!;
      const spouse = ms.find((m) => m.relation === 'spouse');
      const ha = age(head.birthDate);
      expect(ha).toBeGreaterThanOrEqual(25);
      if (spouse) {
        expect(spouse.sex).not.toBe(head.sex);
        expect(age(spouse.birthDate)).toBeGreaterThanOrEqual(20);
      }
      const parentsAge = Math.min(ha, spouse ? age(spouse.birthDate) : Infinity);
      for (const m of ms) {
        const a = age(m.birthDate);
        expect(RELATIONS).toContain(m.relation);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(100);
        switch (m.relation) {
          case 'son':
          case 'daughter':
            expect(m.sex).toBe(m.relation === 'son' ? 'M' : 'F');
            expect(parentsAge - a).toBeGreaterThanOrEqual(18);
            break;
          case 'daughterInLaw':
            expect(m.sex).toBe('F');
            expect(a).toBeGreaterThanOrEqual(20);
            expect(ha - a).toBeGreaterThanOrEqual(15);
            break;
          case 'sonInLaw':
            expect(m.sex).toBe('M');
            expect(a).toBeGreaterThanOrEqual(20);
            break;
          case 'grandchild':
            expect(parentsAge - a).toBeGreaterThanOrEqual(36);
            break;
          case 'parent':
            expect(a - ha).toBeGreaterThanOrEqual(18);
            break;
        }
      }
      // a son's wife only where there is a son
      if (ms.some((m) => m.relation === 'daughterInLaw')) expect(ms.some((m) => m.relation === 'son')).toBe(true);
    }
  });

  it('gives realistic Chinese names whose pinyin comes from the tables', () => {
    for (const m of county.members) {
      expect(m.name).toMatch(/^\p{Script=Han}{2,4}$/u);
      expect(m.pinyin).toMatch(/^[a-z]+$/);
      expect(m.initials).toMatch(/^[a-z]{2,4}$/);
    }
    const names = groupBy(county.members, (m) => m.name);
    expect(names.size).toBeGreaterThan(county.members.length * 0.6);
    // compound surnames appear, rarely
    const compound = county.members.filter((m) => /^(欧阳|司马|令狐|尉迟|上官|诸葛)/.test(m.name)).length;
    expect(compound).toBeGreaterThan(0);
    expect(compound / county.members.length).toBeLessThan(0.02);
  });

  it('agrees with pinyin-pro (surname mode) for a sample of 300 members', async () => {
    const step = Math.floor(county.members.length / 300);
    const sample = Array.from({ length: 300 }, (_, i) => county.members[i * step]!);
    // plus every surname with the heavy polyphones
    const special = county.members.filter((m) => /^[曾单解仇区查翟要]/.test(m.name)).slice(0, 50);
    const { pinyin } = await import('pinyin-pro');
    for (const m of [...sample, ...special]) {
      // pinyin-pro itself, surname mode, toneless, ü as v …
      const syllables = pinyin(m.name, { surname: 'head', toneType: 'none', type: 'array', v: true });
      expect(syllables.join(''), m.name).toBe(m.pinyin);
      expect(syllables.map((x) => x[0]).join(''), m.name).toBe(m.initials);
      // … and through the app's own function
      expect(await namePinyin(m.name), m.name).toEqual({ pinyin: m.pinyin, initials: m.initials });
    }
  });

  it('has every name-table character reading as pinyin-pro reads it in a name', async () => {
    for (const s of SURNAMES.parts) {
      expect(await namePinyin(`${s.text}建国`), s.text).toEqual({ pinyin: `${s.pinyin}jianguo`, initials: `${s.initials}jg` });
    }
    for (const gen of Object.values(GIVEN)) {
      for (const t of Object.values(gen)) {
        for (const p of [...t.first, ...t.second, ...t.single]) {
          expect(await namePinyin(`王${p.text}`), p.text).toEqual({ pinyin: `wang${p.pinyin}`, initials: `w${p.initials}` });
        }
      }
    }
  });

  it('has phones for about 70% of heads and some other adults', () => {
    const heads = county.members.filter((m) => m.relation === 'head');
    const withPhone = heads.filter((m) => m.phone !== null).length / heads.length;
    expect(withPhone).toBeGreaterThan(0.6);
    expect(withPhone).toBeLessThan(0.8);
    const others = county.members.filter((m) => m.relation !== 'head' && m.phone !== null);
    expect(others.length).toBeGreaterThan(0);
    for (const m of county.members) {
      if (m.phone !== null) {
        expect(m.phone).toMatch(/^1(3\d|5[0-35-9]|8\d|9[135-9])\d{8}$/);
        expect(age(m.birthDate)).toBeGreaterThanOrEqual(16);
      }
    }
    const members = byId(county.members);
    for (const h of county.households) {
      if (h.phone !== null) expect(county.members.some((m) => m.householdId === h.id && m.phone === h.phone) || members.get(h.headMemberId!)?.phone === h.phone).toBe(true);
    }
  });

  it('has a status history of one or two dated records per member, from birth on', () => {
    const members = byId(county.members);
    const byMember = groupBy(county.statuses, (s) => s.memberId);
    expect(byMember.size).toBe(county.members.length);
    for (const [id, recs] of byMember) {
      const m = members.get(id)!;
      expect(recs.length).toBeGreaterThanOrEqual(1);
      expect(recs.length).toBeLessThanOrEqual(2);
      expect(recs[0]!.from >= m.birthDate).toBe(true);
      if (recs.length === 2) expect(recs[0]!.from < recs[1]!.from).toBe(true);
      for (const r of recs) {
        expect(r.poorClass).toBeNull();
        expect(r.from >= '2014-01-01' || r.from === m.birthDate).toBe(true);
        expect(r.from < TODAY).toBe(true);
      }
    }
    // the household shares its poverty status
    const current = currentStatus(county);
    for (const [, ms] of groupBy(county.members, (m) => m.householdId)) {
      expect(new Set(ms.map((m) => current.get(m.id)!.poverty)).size).toBe(1);
    }
  });

  it('has the intended mix of poverty and assistance status', () => {
    const current = currentStatus(county);
    const n = county.members.length;
    const share = (f: (s: StatusRecord) => boolean) => [...current.values()].filter(f).length / n;
    expect(share((s) => s.poverty === 'poor')).toBeCloseTo(0.45, 1);
    expect(Math.abs(share((s) => s.poverty === 'poor') - 0.45)).toBeLessThan(0.03);
    expect(Math.abs(share((s) => s.poverty === 'lifted') - 0.35)).toBeLessThan(0.03);
    expect(Math.abs(share((s) => s.poverty === 'monitored') - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(share((s) => s.poverty === 'none') - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(share((s) => s.assistance === 'dibao') - 0.12)).toBeLessThan(0.03);
    expect(Math.abs(share((s) => s.assistance === 'tekun') - 0.03)).toBeLessThan(0.015);
    // tekun: mostly elderly people living alone
    const sizes = groupBy(county.members, (m) => m.householdId);
    const tekun = county.members.filter((m) => current.get(m.id)!.assistance === 'tekun');
    const aloneOld = tekun.filter((m) => sizes.get(m.householdId)!.length === 1 && age(m.birthDate) >= 60).length;
    expect(aloneOld / tekun.length).toBeGreaterThan(0.6);
    for (const m of tekun) expect(isRegisteredPoor(current.get(m.id)!)).toBe(true);
    // lifted out in 2016-2020 after being registered (or born into a lifted household since)
    const members = byId(county.members);
    for (const [id, recs] of groupBy(county.statuses, (s) => s.memberId)) {
      const last = recs[recs.length - 1]!;
      if (last.poverty === 'lifted') {
        const born = members.get(id)!.birthDate;
        expect((last.from >= '2016-01-01' && last.from <= '2020-12-31') || last.from === born).toBe(true);
        if (recs.length === 2) expect(recs[0]!.poverty).toBe('poor');
        else expect(last.from).toBe(born);
      }
    }
  });

  it('insures almost everyone under the resident scheme for 2025 or 2026', () => {
    const n = county.members.length;
    const resident = county.members.filter((m) => m.insured.scheme === 'resident');
    expect(resident.length / n).toBeGreaterThan(0.95);
    const none = county.members.filter((m) => m.insured.scheme === 'none');
    expect(none.length).toBeGreaterThan(0);
    expect(none.length / n).toBeLessThan(0.03);
    for (const m of none) expect(m.insured.year).toBeNull();
    for (const m of county.members) {
      if (m.insured.scheme !== 'none' && m.state === 'active') expect([2025, 2026]).toContain(m.insured.year);
    }
  });

  it('has a few deceased and moved-out members with a date', () => {
    const gone = county.members.filter((m) => m.state !== 'active');
    expect(gone.some((m) => m.state === 'deceased')).toBe(true);
    expect(gone.some((m) => m.state === 'movedOut')).toBe(true);
    expect(gone.length / county.members.length).toBeLessThan(0.05);
    for (const m of county.members) {
      if (m.state === 'active') expect(m.stateDate).toBeNull();
      else {
        expect(m.stateDate! > m.birthDate && m.stateDate! < TODAY).toBe(true);
        expect(m.relation).not.toBe('head');
      }
    }
  });

  it('enrols about 20% of adults over 40, against real entries of the Shanxi pack', () => {
    const members = byId(county.members);
    const current = currentStatus(county);
    const enrolled = new Set(county.enrolments.map((e) => e.memberId));
    const over40 = county.members.filter((m) => age(m.birthDate) > 40);
    const share = over40.filter((m) => enrolled.has(m.id)).length / over40.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.25);
    const seen = new Set<string>();
    for (const e of county.enrolments) {
      const entry = entries.get(e.entryId);
      expect(entry, e.entryId).toBeDefined();
      const m = members.get(e.memberId)!;
      expect(e.packId).toBe('CN-140000-2017');
      expect(e.villageId).toBe(m.villageId);
      expect(e.category).toBe(entry!.category);
      expect(e.annualLimit).toBe(entry!.annualLimit.v);
      expect(e.icd).toMatch(/^[A-Z]\d{2}(\.\d)?$/);
      const cat = e.icd.slice(0, 3);
      expect(entry!.ranges.some(([a, b]) => cat >= a && cat <= b)).toBe(true);
      // the engine's pick: no earlier entry of the table holds the code
      for (const other of pack.outpatient!.entries) {
        if (other.index >= entry!.index) break;
        expect(other.ranges.some(([a, b]) => cat >= a && cat <= b), `${e.icd} → ${e.entryId}`).toBe(false);
      }
      // Shanxi covers the registered poor only
      if (e.category === 'special') expect(isRegisteredPoor(current.get(m.id)!)).toBe(true);
      expect(e.certifiedOn >= '2017-07-01' && e.certifiedOn <= '2025-12-31').toBe(true);
      expect(e.certifiedOn > m.birthDate).toBe(true);
      expect(e.hospital).toMatch(/医院$/);
      expect(e.endedOn).toBe(m.state === 'active' ? null : m.stateDate);
      expect(seen.has(`${e.memberId}/${e.entryId}`)).toBe(false);
      seen.add(`${e.memberId}/${e.entryId}`);
    }
    const byEntry = groupBy(county.enrolments, (e) => e.entryId);
    expect(byEntry.get('hypertension-3')!.length).toBeGreaterThan(byEntry.get('diabetes-complications')!.length);
    for (const id of ['tumour', 'dialysis', 'schizophrenia', 'coronary', 'copd', 'other-chronic']) expect(byEntry.has(id), id).toBe(true);
    const codes = new Set(county.enrolments.map((e) => e.icd.slice(0, 3)));
    for (const c of ['I10', 'E11', 'I25', 'J44', 'C16', 'C34', 'N18', 'F20', 'K74', 'M05']) expect(codes.has(c), c).toBe(true);
  });
});

describe('generateCounty: options', () => {
  it('gives the same county for the same seed, and another for another seed', () => {
    const a = generateCounty({ seed: 42, members: 2_000 });
    const b = generateCounty({ seed: 42, members: 2_000 });
    expect(b).toEqual(a);
    const c = generateCounty({ seed: 43, members: 2_000 });
    expect(c.members.map((m) => m.name)).not.toEqual(a.members.map((m) => m.name));
    expect(c.members[0]!.id).not.toBe(a.members[0]!.id);
    // the villages stay, only the people change
    expect(c.villages.map((v) => v.code)).toEqual(a.villages.map((v) => v.code));
  });

  it('takes its timestamps and dates from `now`', () => {
    const c = generateCounty({ seed: 3, members: 500, now: '2027-06-15T02:00:00.000Z' });
    expect(c.members[0]!.createdAt).toBe('2027-06-15T02:00:00.000Z');
    for (const m of c.members) {
      expect(checkIdNumber(m.idNumber, '2027-06-15').ok).toBe(true);
      if (m.insured.year !== null && m.state === 'active') expect([2026, 2027]).toContain(m.insured.year);
    }
  });

  it('scales to small counties', () => {
    const c = generateCounty({ seed: 5, members: 10 });
    expect(c.members.length).toBeGreaterThanOrEqual(10);
    expect(c.members.length).toBeLessThanOrEqual(15);
    expect(c.villages.length).toBe(87);
  });

  it('refuses bad options', () => {
    expect(() => generateCounty({ members: 0 })).toThrow(RangeError);
    expect(() => generateCounty({ members: 1.5 })).toThrow(RangeError);
    expect(() => generateCounty({ seed: 0.5 })).toThrow(RangeError);
    expect(() => generateCounty({ now: 'yesterday' })).toThrow(RangeError);
  });

  it('generates 100,000 members quickly', () => {
    const t0 = performance.now();
    const c = generateCounty({ seed: 9, members: 100_000 });
    const ms = performance.now() - t0;
    expect(c.members.length).toBeGreaterThanOrEqual(90_000);
    expect(c.members.length).toBeLessThanOrEqual(110_000);
    expect(new Set(c.members.map((m: Member) => m.idNumber)).size).toBe(c.members.length);
    expect(ms).toBeLessThan(10_000);
  }, 30_000);

  it('names the county in DEMO_COUNTY', () => {
    expect(DEMO_COUNTY.code).toBe('141130');
  });
});
