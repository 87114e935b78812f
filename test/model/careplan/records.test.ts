/** The care-plan schemas: valid records pass, each refusal names the field and says why. */
import { describe, expect, it } from 'vitest';
import { checkCareplanRecord } from '../../../src/model/careplan/index.ts';
import { ID, contract, followup, visit } from './fixtures.ts';

const fu = (over: Parameters<typeof followup>[0]) => checkCareplanRecord('followup', followup(over));
const readings = (r: Partial<ReturnType<typeof followup>['readings']>) => ({ readings: { ...followup().readings, ...r } });

describe('follow-up schema', () => {
  it('takes a valid follow-up', () => {
    expect(checkCareplanRecord('followup', followup())).toBeNull();
    expect(fu({ disease: 'diabetes2', ...readings({ glucoseTenthMmol: 65 }) })).toBeNull();
    expect(fu(readings({ sbp: null, dbp: null }))).toBeNull();
  });
  it('refuses BP 300/20', () => {
    expect(fu(readings({ sbp: 300, dbp: 20 }))).toEqual({ path: 'readings.sbp', message: "above 280 mmHg is no living person's reading" });
    expect(fu(readings({ dbp: 20 }))).toEqual({ path: 'readings.dbp', message: "below 30 mmHg is no living person's reading" });
  });
  it('refuses a diastolic pressure not below the systolic', () => {
    expect(fu(readings({ sbp: 120, dbp: 120 }))).toEqual({ path: 'readings.dbp', message: 'must be below the systolic pressure' });
    expect(fu(readings({ sbp: 100, dbp: 130 }))).toEqual({ path: 'readings.dbp', message: 'must be below the systolic pressure' });
  });
  it('refuses one pressure without the other', () => {
    expect(fu(readings({ dbp: null }))?.path).toBe('readings.dbp');
  });
  it('refuses glucose outside a physiological range, and fractions', () => {
    expect(fu(readings({ glucoseTenthMmol: 5 }))).toEqual({ path: 'readings.glucoseTenthMmol', message: "below 10 0.1 mmol/L is no living person's reading" });
    expect(fu(readings({ glucoseTenthMmol: 401 }))?.path).toBe('readings.glucoseTenthMmol');
    expect(fu(readings({ glucoseTenthMmol: 6.5 }))).toEqual({ path: 'readings.glucoseTenthMmol', message: 'must be a whole number of 0.1 mmol/L' });
    expect(fu(readings({ weightTenthKg: 65.2 }))?.path).toBe('readings.weightTenthKg');
    expect(fu(readings({ heartRate: 10 }))?.path).toBe('readings.heartRate');
    expect(fu(readings({ heightCm: 300 }))?.path).toBe('readings.heightCm');
  });
  it('refuses dates that are no calendar day, and a next due date not after the follow-up', () => {
    expect(fu({ date: '2026-02-30' })).toEqual({ path: 'date', message: 'is no calendar day' });
    expect(fu({ date: '2026/03/01' })).toEqual({ path: 'date', message: 'must be a date as yyyy-mm-dd' });
    expect(fu({ nextDue: '2026-03-01' })).toEqual({ path: 'nextDue', message: 'must be after the follow-up date' });
  });
  it('refuses unknown codes, "none" with a symptom, an empty override reason, an override equal to the computed class', () => {
    expect(fu({ disease: 'copd' as never })).toEqual({ path: 'disease', message: 'must be hypertension or diabetes2' });
    expect(fu({ way: 'letter' as never })?.path).toBe('way');
    expect(fu({ symptoms: ['none', 'nosebleed'] })).toEqual({ path: 'symptoms', message: '"none" cannot go with other symptoms' });
    expect(fu({ symptoms: ['itch' as never] })?.path).toBe('symptoms.0');
    expect(fu({ adherence: 'sometimes' as never })?.path).toBe('adherence');
    expect(fu({ override: { classification: 'unsatisfactory', reason: '' } })).toEqual({ path: 'override.reason', message: 'is required' });
    expect(fu({ override: { classification: 'satisfactory', reason: '复测正常' } })).toEqual({ path: 'override', message: 'is the same as the computed classification' });
    expect(fu({ lifestyle: { cigarettesPerDay: -1, alcoholLiangPerDay: 0, exerciseMinutesPerWeek: 0, salt: null } })?.path).toBe('lifestyle.cigarettesPerDay');
    expect(fu({ referral: { reason: '', to: '县医院' } })?.path).toBe('referral.reason');
  });
  it('refuses unknown fields and missing ones', () => {
    expect(checkCareplanRecord('followup', { ...followup(), bmi: 24 })).toEqual({ path: 'bmi', message: 'is not a field of this record' });
    const { readings: _r, ...rest } = followup();
    expect(checkCareplanRecord('followup', rest)).toEqual({ path: 'readings', message: 'is required' });
  });
});

describe('household visit schema', () => {
  it('takes a valid visit', () => {
    expect(checkCareplanRecord('visit', visit())).toBeNull();
    expect(
      checkCareplanRecord('visit', visit({ findings: [{ id: ID(30), memberId: ID(2), problem: '住院费用未报销', measure: '代办报销', due: '2026-03-15', doneOn: null }], photos: [{ sha256: 'a'.repeat(64), size: 1000, mime: 'image/jpeg' }] })),
    ).toBeNull();
  });
  it('refuses a visit without visitors, answers other than yes/no/unknown, a member listed twice', () => {
    expect(checkCareplanRecord('visit', visit({ visitors: [] }))).toEqual({ path: 'visitors', message: 'needs at least one visitor' });
    expect(checkCareplanRecord('visit', visit({ checklist: [{ memberId: ID(2), items: { insured: { answer: 'maybe' as never } } }] }))).toEqual({ path: 'checklist.0.items.insured.answer', message: 'must be yes, no or unknown' });
    expect(checkCareplanRecord('visit', visit({ checklist: [{ memberId: ID(2), items: { pension: { answer: 'yes' } } as never }] }))?.path).toBe('checklist.0.items.pension');
    expect(checkCareplanRecord('visit', visit({ met: [ID(2), ID(2)] }))).toEqual({ path: 'met', message: 'lists a member twice' });
    expect(checkCareplanRecord('visit', visit({ checklist: [{ memberId: ID(2), items: {} }, { memberId: ID(2), items: {} }] }))).toEqual({ path: 'checklist', message: 'lists a member twice' });
  });
  it('refuses bad findings and photos', () => {
    const f = { id: ID(30), memberId: null, problem: '房屋漏雨', measure: '联系村委会', due: '2026-04-31', doneOn: null };
    expect(checkCareplanRecord('visit', visit({ findings: [f] }))).toEqual({ path: 'findings.0.due', message: 'is no calendar day' });
    expect(checkCareplanRecord('visit', visit({ findings: [{ ...f, due: '2026-04-01', doneOn: '2026-02-01' }] }))).toEqual({ path: 'findings', message: 'a measure is done before the visit that agreed it' });
    expect(checkCareplanRecord('visit', visit({ findings: [{ ...f, due: '2026-04-01', measure: '' }] }))).toEqual({ path: 'findings.0.measure', message: 'is required' });
    expect(checkCareplanRecord('visit', visit({ photos: [{ sha256: 'XYZ', size: 10, mime: 'image/jpeg' }] }))?.path).toBe('photos.0.sha256');
    expect(checkCareplanRecord('visit', visit({ photos: [{ sha256: 'a'.repeat(64), size: 10, mime: 'application/pdf' }] }))?.path).toBe('photos.0.mime');
    expect(checkCareplanRecord('visit', visit({ householdId: 'h1' }))?.path).toBe('householdId');
  });
});

describe('contract schema', () => {
  it('takes a valid contract and refuses impossible dates', () => {
    expect(checkCareplanRecord('contract', contract())).toBeNull();
    expect(checkCareplanRecord('contract', contract({ validUntil: '2026-01-10' }))).toEqual({ path: 'validUntil', message: 'must be after the signing date' });
    expect(checkCareplanRecord('contract', contract({ endedOn: '2025-12-31' }))).toEqual({ path: 'endedOn', message: 'is before the signing date' });
    expect(checkCareplanRecord('contract', contract({ signedOn: '2025-02-29' }))).toEqual({ path: 'signedOn', message: 'is no calendar day' });
    expect(checkCareplanRecord('contract', contract({ doctor: { name: '', team: '' } }))).toEqual({ path: 'doctor.name', message: 'is required' });
    expect(checkCareplanRecord('contract', contract({ packageId: '' }))?.path).toBe('packageId');
  });
});
