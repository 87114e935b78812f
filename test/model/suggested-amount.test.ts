import { describe, expect, it } from 'vitest';
import { builtinPack } from '../../src/rules/index.ts';
import { filingType, suggestedAmount } from '../../src/model/filing.ts';

const pack = builtinPack('CN-140000-2017')!;
const type = (id: string) => filingType(pack, id)!;
const payers = { basic: 2_120_000, critical: 10_000, backstop: 480_000, supplementary: 255_000, assistance: 30_000, hospital: 5_000 };

describe('the amount a reviewer approves by default', () => {
  it('an out-of-county reimbursement: what the insurance layers pay, not assistance nor the hospital', () => {
    expect(suggestedAmount(type('out-of-county'), null, payers)).toBe(2_120_000 + 10_000 + 480_000 + 255_000);
  });
  it('medical assistance: the assistance layer', () => {
    expect(suggestedAmount(type('medical-assistance'), null, payers)).toBe(30_000);
  });
  it("a grant: the grant's amount, with or without a re-settlement", () => {
    expect(suggestedAmount(type('critical-care-grant'), 500_000, null)).toBe(500_000);
  });
  it('nothing without a re-settlement, and nothing for a decision', () => {
    expect(suggestedAmount(type('out-of-county'), null, null)).toBeNull();
    expect(suggestedAmount(type('chronic-certification'), null, payers)).toBeNull();
  });
});
