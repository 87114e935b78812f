import { describe, expect, it } from 'vitest';
import { enrolmentDisease, quarterStart, villageFigures } from '../../../src/model/careplan/index.ts';
import { generateCounty } from '../../../src/model/demo/index.ts';
import { contract, followup, ID, visit } from './fixtures.ts';

const county = generateCounty({ seed: 4, members: 800, now: '2026-11-20T08:00:00.000Z' });
const today = '2026-11-20';
const base = { today, members: county.members, households: county.households, statuses: county.statuses, enrolments: county.enrolments, followups: [], visits: [], contracts: [], filings: [] };

describe('村情, the village figures', () => {
  it('counts households, members and 两病 patients per village; nothing followed up yet', () => {
    const figures = villageFigures(base);
    expect(figures.reduce((n, f) => n + f.households.ids.length, 0)).toBe(county.households.length);
    expect(figures.reduce((n, f) => n + f.members.ids.length, 0)).toBe(county.members.filter((m) => m.state === 'active').length);
    const patients = new Set(county.enrolments.filter((e) => e.endedOn === null && enrolmentDisease(e)).map((e) => e.memberId));
    const activePatients = county.members.filter((m) => m.state === 'active' && patients.has(m.id)).length;
    expect(figures.reduce((n, f) => n + f.twoDiseases.ids.length, 0)).toBe(activePatients);
    for (const f of figures) {
      expect(f.followedUpThisQuarter.ids).toEqual([]);
      expect(f.followedUpThisQuarter.of).toBe(f.twoDiseases.ids.length);
      expect(f.registeredPoor.ids.length).toBeLessThanOrEqual(f.members.ids.length);
    }
  });

  it('counts a follow-up of this quarter once per patient, not one of the last quarter; visits and contracts in force', () => {
    const patient = county.members.find((m) => m.state === 'active' && county.enrolments.some((e) => e.memberId === m.id && e.endedOn === null && enrolmentDisease(e)))!;
    const household = county.households.find((h) => h.id === patient.householdId)!;
    const figures = villageFigures(
      {
        ...base,
        followups: [
          followup({ id: ID(1), memberId: patient.id, villageId: patient.villageId, date: '2026-10-08' }),
          followup({ id: ID(2), memberId: patient.id, villageId: patient.villageId, date: '2026-11-02' }),
          followup({ id: ID(3), memberId: patient.id, villageId: patient.villageId, date: '2026-09-30' }),
        ],
        visits: [visit({ householdId: household.id, villageId: household.villageId, date: '2026-10-15' }), visit({ id: ID(12), householdId: household.id, villageId: household.villageId, date: '2026-06-15' })],
        contracts: [contract({ memberId: patient.id, householdId: household.id, villageId: household.villageId, signedOn: '2026-01-10', validUntil: '2027-01-09' }), contract({ id: ID(60), memberId: ID(61), signedOn: '2024-01-01', validUntil: '2025-01-01' })],
        filings: [
          { id: ID(70), memberId: patient.id, householdId: household.id, villageId: patient.villageId, status: 'paid', createdAt: '2026-05-01T00:00:00Z', events: [{ at: '2026-05-10T00:00:00Z', action: 'approved', amount: 500_000 }, { at: '2026-05-20T00:00:00Z', action: 'paid', amount: 500_000 }] },
          { id: ID(71), memberId: patient.id, householdId: household.id, villageId: patient.villageId, status: 'returned', createdAt: '2026-06-01T00:00:00Z' },
          { id: ID(72), memberId: patient.id, householdId: household.id, villageId: patient.villageId, status: 'approved', createdAt: '2025-06-01T00:00:00Z', events: [{ at: '2025-06-10T00:00:00Z', action: 'approved', amount: 90_000 }] },
        ],
      },
      [patient.villageId],
    );
    expect(figures).toHaveLength(1);
    const f = figures[0]!;
    expect(f.followedUpThisQuarter.ids).toEqual([patient.id]);
    expect(f.visitedThisQuarter.ids).toEqual([household.id]);
    expect(f.visitedThisQuarter.of).toBe(f.households.ids.length);
    expect(f.contracted.ids).toEqual([patient.id]);
    expect(f.filingsByStatus).toEqual({ paid: 1, returned: 1, approved: 1 });
    expect(f.approvedFen).toBe(500_000);
    expect(f.paidFen).toBe(500_000);
  });

  it('starts quarters in January, April, July and October', () => {
    expect(['2026-01-01', '2026-03-31', '2026-04-01', '2026-09-30', '2026-12-31'].map(quarterStart)).toEqual(['2026-01-01', '2026-01-01', '2026-04-01', '2026-07-01', '2026-10-01']);
  });
});
