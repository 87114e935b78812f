import { describe, expect, it } from 'vitest';
import { checkFollowupClassification, checkVisitMembers, visitMemberIds } from '../../../src/model/careplan/index.ts';
import { ID, followup, visit } from './fixtures.ts';

describe('a follow-up against its pack', () => {
  it('takes the classification the pack computes, and refuses another', () => {
    expect(checkFollowupClassification(followup(), '1960-05-01')).toBeNull();
    const poor = followup({ readings: { sbp: 162, dbp: 96, heartRate: 72, weightTenthKg: 652, heightCm: 165, glucoseTenthMmol: null } });
    expect(checkFollowupClassification(poor, '1960-05-01')).toMatchObject({ path: 'classification' });
    expect(checkFollowupClassification({ ...poor, classification: 'unsatisfactory' }, '1960-05-01')).toBeNull();
    // The doctor's own class is kept beside the computed one, which stays what the pack says.
    expect(checkFollowupClassification({ ...poor, classification: 'unsatisfactory', override: { classification: 'satisfactory', reason: '白大衣高血压' } } as never, '1960-05-01')).toBeNull();
  });

  it('uses the target of the age on the follow-up date', () => {
    // 145/85 is above the general target, below the one from 65.
    const f = followup({ readings: { sbp: 145, dbp: 85, heartRate: 72, weightTenthKg: 652, heightCm: 165, glucoseTenthMmol: null } });
    expect(checkFollowupClassification(f, '1950-01-01')).toBeNull();
    expect(checkFollowupClassification(f, '1980-01-01')?.path).toBe('classification');
  });

  it('refuses a pack the app does not ship', () => {
    expect(checkFollowupClassification(followup({ carePackId: 'CN-nowhere-1999' }), null)).toEqual({ path: 'carePackId', message: 'is no care-plan pack of this app' });
  });
});

describe("a visit's members", () => {
  const homes = new Map([
    [ID(2), ID(11)],
    [ID(5), ID(12)],
  ]);
  const householdOf = (id: string) => homes.get(id) ?? null;

  it('must live in the visited household', () => {
    expect(checkVisitMembers(visit(), householdOf)).toBeNull();
    expect(checkVisitMembers(visit({ met: [ID(2), ID(5)] }), householdOf)).toEqual({ path: 'met.1', message: 'is a member of another household' });
    expect(checkVisitMembers(visit({ checklist: [{ memberId: ID(9), items: {} }] }), householdOf)).toEqual({ path: 'checklist.0.memberId', message: 'is no member on the roster' });
    const finding = { id: ID(30), memberId: ID(5), problem: '未参保', measure: '动员缴费', due: '2026-03-15', doneOn: null };
    expect(checkVisitMembers(visit({ findings: [finding] }), householdOf)?.path).toBe('findings.0.memberId');
    expect(checkVisitMembers(visit({ findings: [{ ...finding, memberId: null }] }), householdOf)).toBeNull();
  });

  it('lists every member a visit names, whatever its shape', () => {
    expect(visitMemberIds(visit({ findings: [{ id: ID(30), memberId: ID(5), problem: 'p', measure: 'm', due: '2026-03-15', doneOn: null }] }))).toEqual([ID(2), ID(2), ID(5)]);
    expect(visitMemberIds({ met: 'x', checklist: [null, 3], findings: {} })).toEqual([]);
  });
});
