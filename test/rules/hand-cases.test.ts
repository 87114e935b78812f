import { describe, expect, it } from 'vitest';
import { builtinPack, builtinPackIds, runScenario } from '../../src/rules/index.ts';
import { CASES } from './cases.ts';

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
