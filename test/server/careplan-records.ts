/** Complete care-plan records as the tablet sends them, for the server suites. */
import type { Contract, Followup, HouseholdVisit } from '../../src/model/careplan/index.ts';
import type { Member } from '../../src/model/roster.ts';

type Of = Pick<Member, 'id' | 'householdId' | 'villageId'>;

/** A household visit (entity `visit`) to a member's household, meeting that member. */
export function visitOf(m: Of, id: string, over: Partial<HouseholdVisit> = {}): HouseholdVisit {
  const t = new Date().toISOString();
  return { id, householdId: m.householdId, villageId: m.villageId, date: '2026-01-02', visitors: [{ name: '王医生', role: 'doctor' }], met: [m.id], checklist: [], findings: [], createdAt: t, updatedAt: t, ...over };
}

/** A satisfactory hypertension follow-up of a member (130/80). */
export function followupOf(m: Of, id: string, over: Partial<Followup> = {}): Followup {
  const t = new Date().toISOString();
  return {
    id,
    memberId: m.id,
    villageId: m.villageId,
    disease: 'hypertension',
    date: '2026-03-01',
    way: 'clinic',
    readings: { sbp: 130, dbp: 80, heartRate: 72, weightTenthKg: 652, heightCm: 165, glucoseTenthMmol: null },
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
    createdAt: t,
    updatedAt: t,
    ...over,
  };
}

/** A family-doctor contract of a member for a year. */
export function contractOf(m: Of, id: string, over: Partial<Contract> = {}): Contract {
  const t = new Date().toISOString();
  return { id, memberId: m.id, householdId: m.householdId, villageId: m.villageId, signedOn: '2026-01-10', doctor: { name: '王医生', team: '一团队' }, packageId: 'basic', validUntil: '2027-01-09', endedOn: null, createdAt: t, updatedAt: t, ...over };
}
