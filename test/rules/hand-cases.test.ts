import { describe, expect, it } from 'vitest';
import { builtinPack, builtinPackIds, runScenario } from '../../src/rules/index.ts';
import { CASES } from './cases.ts';
import { gdUnequalCaps } from './revised-packs.ts';

const KEYS = ['basic', 'critical', 'backstop', 'supplementary', 'assistance', 'hospital'] as const;

describe('hand-checked settlements', () => {
  it('has at least six per pack', () => {
    for (const id of builtinPackIds()) expect(CASES.filter((c) => c.policy === id).length, id).toBeGreaterThanOrEqual(6);
  });
  for (const c of CASES) {
    it(c.name, () => {
      const out = runScenario({ policy: c.policy, person: c.person, claims: c.claims }, builtinPack);
      const got = out.claims.map((r) => [...KEYS.map((k) => r.payers[k]), r.patient]);
      expect(got).toEqual(c.expect);
      if (c.assumptions) expect([...out.policy.assumptions].sort()).toEqual([...c.assumptions].sort());
    });
  }
});

describe("where rule 6 does not hold (docs/rules.md)", () => {
  it('Xianning class 1: more in-catalogue cost can lower the patient share through the 10% control limit', () => {
    const person = { registeredPoor: true, poorClass: 1, assistance: null };
    const claim = (total: string) => ({ date: '2017-06-01', kind: 'inpatient', facility: { class: 'outOfArea' }, total, outOfCatalog: '20000' });
    // T 100,000, O 20,000: E = 10,000, X = 10,000 all on the patient (out of area).
    // T 150,000, O 20,000: E = 15,000, X = 5,000: the in-catalogue 50,000 more is covered above the
    // 3,000 thresholds, and 5,000 of X moved into E, so the patient pays 5,000 less.
    const a = runScenario({ policy: 'CN-421200-2017', person, claims: [claim('100000')] }, builtinPack).claims[0]!;
    const b = runScenario({ policy: 'CN-421200-2017', person, claims: [claim('150000')] }, builtinPack).claims[0]!;
    expect(a.patient).toBe('13000.00');
    expect(b.patient).toBe('8000.00');
  });
});

describe('a revised pack whose later group has a smaller cap (revised-packs.ts)', () => {
  it('Guangdong, tekun then dibao: assistance and 二次救助 already past the dibao caps pay nothing, never less', () => {
    const pack = gdUnequalCaps();
    const person = { registeredPoor: false, poorClass: null, assistance: 'tekun', history: [{ from: '2018-06-01', registeredPoor: false, poorClass: null, assistance: 'dibao' }] };
    const claims = [
      { date: '2018-01-15', kind: 'inpatient', facility: { class: 'level3' }, total: '1000000', outOfCatalog: '50000' },
      { date: '2018-07-15', kind: 'inpatient', facility: { class: 'level3' }, total: '20000', outOfCatalog: '2000' },
    ];
    // 2018-01-15, tekun, level3, T 1,000,000, O 50,000, I 950,000: basic (950,000 − 1,000) × 60% =
    //   569,400; S1 380,600, critical (380,600 − 3,000) × 80% = 302,080; assistance 100% of the
    //   78,520 left → tekun cap 50,000; 二次救助 50% × 50,000 = 25,000 → tekun cap 20,000;
    //   patient 1,000,000 − 569,400 − 302,080 − 50,000 − 20,000 = 58,520.
    // 2018-07-15, dibao, level3, T 20,000, O 2,000, I 18,000: basic 17,000 × 60% = 10,200; S1 7,800,
    //   critical (dibao: threshold 4,500, 70%, no cap; base 380,600 → 388,400) 7,800 × 70% = 5,460;
    //   assistance 70% × 2,340 = 1,638 but the dibao cap 30,000 is passed by the 50,000 paid: 0
    //   (not −20,000); 二次救助 50% × 2,000 = 1,000 but the dibao cap 5,000 is passed by the 20,000
    //   paid: 0 (not −15,000); patient 20,000 − 10,200 − 5,460 = 4,340.
    const out = runScenario({ policy: pack.id, person, claims }, () => pack);
    const got = out.claims.map((r) => [...KEYS.map((k) => r.payers[k]), r.patient]);
    expect(got).toEqual([
      ['569400.00', '302080.00', '0.00', '0.00', '70000.00', '0.00', '58520.00'],
      ['10200.00', '5460.00', '0.00', '0.00', '0.00', '0.00', '4340.00'],
    ]);
  });
});
