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
