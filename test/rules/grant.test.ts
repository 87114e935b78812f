import { describe, expect, it } from 'vitest';
import { builtinPack, builtinPackIds, grantEligibility, type PersonStatus } from '../../src/rules/index.ts';

const sx = builtinPack('CN-140000-2017');
const poor: PersonStatus = { registeredPoor: true, poorClass: null, assistance: null };
const q = { date: '2018-05-01', status: poor, disease: 'C34.1', lateStage: true, received: [] as string[] };

describe("Shanxi's one-time 5,000 critical-illness care grant", () => {
  it('a registered poor person with a listed disease at a late stage is eligible for 5,000', () => {
    const [g] = grantEligibility(sx, q);
    expect(g).toMatchObject({ grant: 'critical-care-grant', eligible: true, amount: 500_000, disease: 'lung-cancer', reasons: [] });
  });
  it('each missing condition is named', () => {
    const checks: [Partial<typeof q>, RegExp][] = [
      [{ status: { registeredPoor: false, poorClass: null, assistance: null } }, /身份不符/],
      [{ lateStage: false }, /晚期/],
      [{ disease: 'J44' }, /J44 不在本包所列病种内/],
      [{ received: ['critical-care-grant'] }, /已领取过/],
      [{ date: '2017-06-30' }, /不在政策 CN-140000-2017 有效期内/],
    ];
    for (const [change, reason] of checks) {
      const [g] = grantEligibility(sx, { ...q, ...change });
      expect(g!.eligible).toBe(false);
      expect(g!.amount).toBe(0);
      expect(g!.reasons.join(' ')).toMatch(reason);
    }
  });
  it('other packs publish no such grant', () => {
    for (const id of builtinPackIds().filter((x) => x !== 'CN-140000-2017')) {
      expect(grantEligibility(builtinPack(id), { ...q, date: '2020-01-01' })).toEqual([]);
    }
  });
});
