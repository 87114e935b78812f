/** Small valid care-plan records to vary in the tests. */
import type { Contract, Followup, HouseholdVisit } from '../../../src/model/careplan/index.ts';

export const ID = (n: number) => `01HZ${String(n).padStart(22, '0')}`;
export const AT = '2026-03-01T08:00:00.000Z';

export function followup(over: Partial<Followup> = {}): Followup {
  return {
    id: ID(1),
    memberId: ID(2),
    villageId: ID(3),
    disease: 'hypertension',
    date: '2026-03-01',
    way: 'clinic',
    readings: { sbp: 132, dbp: 84, heartRate: 72, weightTenthKg: 652, heightCm: 165, glucoseTenthMmol: null },
    symptoms: ['none'],
    lifestyle: { cigarettesPerDay: 0, alcoholLiangPerDay: 0, exerciseMinutesPerWeek: 150, salt: 'medium' },
    medications: [{ name: '氨氯地平', dosage: '5mg qd' }],
    adherence: 'regular',
    adverseReaction: { present: false },
    complication: { present: false },
    classification: 'satisfactory',
    override: null,
    referral: null,
    nextDue: '2026-06-01',
    carePackId: 'CN-national-2017',
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

export function visit(over: Partial<HouseholdVisit> = {}): HouseholdVisit {
  return {
    id: ID(10),
    householdId: ID(11),
    villageId: ID(3),
    date: '2026-03-01',
    visitors: [{ name: '王医生', role: 'doctor' }],
    met: [ID(2)],
    checklist: [{ memberId: ID(2), items: { insured: { answer: 'yes' }, subsidy: { answer: 'unknown', note: '要问村委会' } } }],
    findings: [],
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

export function contract(over: Partial<Contract> = {}): Contract {
  return {
    id: ID(20),
    memberId: ID(2),
    householdId: ID(11),
    villageId: ID(3),
    signedOn: '2026-01-10',
    doctor: { name: '王医生', team: '石泉镇卫生院一团队' },
    packageId: 'basic',
    validUntil: '2027-01-09',
    endedOn: null,
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}
