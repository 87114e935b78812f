/** Classification, danger flags, next due date and task windows against the shipped pack. */
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, builtinCarePack, evaluateFollowup, followupDue, nextDueDate, taskState, taskWindow, type FollowupFacts } from '../../../src/model/careplan/index.ts';
import { followup } from './fixtures.ts';

const pack = builtinCarePack();
const facts = (over: Partial<FollowupFacts> & { r?: Partial<FollowupFacts['readings']> } = {}): FollowupFacts => {
  const f = followup();
  return { disease: over.disease ?? f.disease, readings: { ...f.readings, ...over.r }, symptoms: over.symptoms ?? f.symptoms, adverseReaction: over.adverseReaction ?? f.adverseReaction, complication: over.complication ?? f.complication };
};
const ev = (over: Parameters<typeof facts>[0], ctx: Partial<Parameters<typeof evaluateFollowup>[2]> = {}) => evaluateFollowup(pack, facts(over), { date: '2026-03-01', ...ctx });

describe('classification', () => {
  it('hypertension: below 140/90 is satisfactory, 140 or 90 is not', () => {
    expect(ev({ r: { sbp: 139, dbp: 89 } }).classification).toBe('satisfactory');
    expect(ev({ r: { sbp: 140, dbp: 80 } }).classification).toBe('unsatisfactory');
    expect(ev({ r: { sbp: 130, dbp: 90 } }).classification).toBe('unsatisfactory');
    const e = ev({ r: { sbp: 139, dbp: 89 } });
    expect(e.thresholds.map((t) => [t.param, t.value])).toEqual([
      ['followup.hypertension.targets[0].sbpBelow', 140],
      ['followup.hypertension.targets[0].dbpBelow', 90],
    ]);
    expect(e.thresholds[0]!.source).toMatchObject({ doc: 'nbphss3', verified: false });
  });
  it('hypertension at 65 or older: below 150/90', () => {
    expect(ev({ r: { sbp: 145, dbp: 85 } }, { birthDate: '1961-03-01' }).classification).toBe('satisfactory'); // 65 that day
    expect(ev({ r: { sbp: 145, dbp: 85 } }, { birthDate: '1961-03-02' }).classification).toBe('unsatisfactory'); // 64
    expect(ev({ r: { sbp: 150, dbp: 85 } }, { birthDate: '1940-01-01' }).classification).toBe('unsatisfactory');
    expect(ev({ r: { sbp: 145, dbp: 85 } }, { birthDate: '1950-01-01' }).thresholds.map((t) => t.value)).toEqual([150, 90, 65]);
  });
  it('diabetes: fasting glucose below 7.0 mmol/L', () => {
    expect(ev({ disease: 'diabetes2', r: { glucoseTenthMmol: 69 } }).classification).toBe('satisfactory');
    expect(ev({ disease: 'diabetes2', r: { glucoseTenthMmol: 70 } }).classification).toBe('unsatisfactory');
    expect(ev({ disease: 'diabetes2', r: { glucoseTenthMmol: 60 } }).thresholds.map((t) => t.param)).toEqual(['followup.diabetes2.glucoseBelow']);
  });
  it('a reading the target needs not taken is not satisfactory', () => {
    expect(ev({ r: { sbp: null, dbp: null } })).toMatchObject({ classification: 'unsatisfactory', controlled: null });
    expect(ev({ disease: 'diabetes2', r: { glucoseTenthMmol: null } })).toMatchObject({ classification: 'unsatisfactory', controlled: null });
  });
  it('the gravest class wins: complication, then adverse reaction, then control', () => {
    expect(ev({ adverseReaction: { present: true } }).classification).toBe('adverse-reaction');
    expect(ev({ r: { sbp: 160, dbp: 95 }, adverseReaction: { present: true }, complication: { present: true } }).classification).toBe('complication');
    expect(ev({ complication: { present: true } }).referralSuggested).toBe(true);
  });
  it('suggests referral after two unsatisfactory follow-ups in a row', () => {
    expect(ev({ r: { sbp: 150, dbp: 95 } }).referralSuggested).toBe(false);
    expect(ev({ r: { sbp: 150, dbp: 95 } }, { previous: ['unsatisfactory'] }).referralSuggested).toBe(true);
    expect(ev({ r: { sbp: 150, dbp: 95 } }, { previous: ['satisfactory', 'unsatisfactory'] }).referralSuggested).toBe(false);
    expect(ev({ r: { sbp: 130, dbp: 80 } }, { previous: ['unsatisfactory'] }).referralSuggested).toBe(false);
  });
});

describe('danger flags', () => {
  it('blood pressure at 180 or 110 and above', () => {
    expect(ev({ r: { sbp: 179, dbp: 109 } }).danger).toEqual([]);
    expect(ev({ r: { sbp: 180, dbp: 100 } }).danger.map((d) => d.code)).toEqual(['sbp-high']);
    expect(ev({ r: { sbp: 170, dbp: 110 } }).danger.map((d) => d.code)).toEqual(['dbp-high']);
    expect(ev({ r: { sbp: 200, dbp: 120 } })).toMatchObject({ urgentReferral: true, classification: 'unsatisfactory' });
  });
  it('glucose at 16.7 or above, 3.9 or below; heart rate above 100 (diabetes)', () => {
    const codes = (r: Partial<FollowupFacts['readings']>) => ev({ disease: 'diabetes2', r }).danger.map((d) => d.code);
    expect(codes({ glucoseTenthMmol: 166 })).toEqual([]);
    expect(codes({ glucoseTenthMmol: 167 })).toEqual(['glucose-high']);
    expect(codes({ glucoseTenthMmol: 40 })).toEqual([]);
    expect(codes({ glucoseTenthMmol: 39 })).toEqual(['glucose-low']);
    expect(codes({ glucoseTenthMmol: 60, heartRate: 100 })).toEqual([]);
    expect(codes({ glucoseTenthMmol: 60, heartRate: 101 })).toEqual(['heart-rate-high']);
    // Heart rate is no danger reading of the hypertension rules.
    expect(ev({ r: { heartRate: 130 } }).danger).toEqual([]);
  });
  it('danger signs; pregnancy only with a reading above target', () => {
    expect(ev({ symptoms: ['eye-pain'] }).danger).toEqual([{ code: 'danger-symptom', param: 'followup.hypertension.danger.symptoms', reading: 'eye-pain', threshold: null }]);
    expect(ev({ symptoms: ['polyuria'] }).danger).toEqual([]);
    expect(ev({ disease: 'diabetes2', r: { glucoseTenthMmol: 60 }, symptoms: ['polyuria'] }).danger.map((d) => d.code)).toEqual(['danger-symptom']);
    expect(ev({ symptoms: ['pregnant-or-nursing'] }).danger).toEqual([]);
    expect(ev({ r: { sbp: 142, dbp: 85 }, symptoms: ['pregnant-or-nursing'] }).danger.map((d) => d.code)).toEqual(['sign-above-target']);
  });
});

describe('next due date', () => {
  it('three months after a satisfactory follow-up, two weeks otherwise or after a referral', () => {
    expect(nextDueDate(pack, '2026-03-01', 'satisfactory', false)).toEqual({ due: '2026-06-01', rule: 'routine', param: 'followup.routineMonths' });
    expect(nextDueDate(pack, '2025-11-30', 'satisfactory', false).due).toBe('2026-02-28');
    expect(nextDueDate(pack, '2026-03-01', 'unsatisfactory', false)).toEqual({ due: '2026-03-15', rule: 'recheck', param: 'followup.recheckDays' });
    expect(nextDueDate(pack, '2026-03-01', 'adverse-reaction', false).due).toBe('2026-03-15');
    expect(nextDueDate(pack, '2026-03-01', 'complication', false).due).toBe('2026-03-15');
    expect(nextDueDate(pack, '2026-12-25', 'satisfactory', true).due).toBe('2027-01-08');
  });
  it("the doctor's override decides; a sooner appointment wins, a later one does not defer", () => {
    expect(followupDue(pack, followup({ classification: 'satisfactory', override: { classification: 'unsatisfactory', reason: '家测偏高' } })).due).toBe('2026-03-15');
    expect(followupDue(pack, followup({ nextDue: '2026-04-01' })).due).toBe('2026-04-01');
    expect(followupDue(pack, followup({ nextDue: '2026-09-01' })).due).toBe('2026-06-01');
  });
});

describe('task windows', () => {
  const w = pack.windows.followup; // 14 before, 14 after
  const due = '2026-06-01';
  const win = taskWindow(due, w);
  it('opens N days before the due date and closes M days after', () => {
    expect(win).toEqual({ from: '2026-05-18', until: '2026-06-15' });
  });
  it('is hidden the day before it opens, upcoming the day it opens, due on the due day and the last day, overdue the day after', () => {
    expect(taskState('2026-05-17', due, win)).toBe('hidden');
    expect(taskState('2026-05-18', due, win)).toBe('upcoming');
    expect(taskState('2026-05-31', due, win)).toBe('upcoming');
    expect(taskState('2026-06-01', due, win)).toBe('due');
    expect(taskState('2026-06-15', due, win)).toBe('due');
    expect(taskState('2026-06-16', due, win)).toBe('overdue');
  });
  it('day arithmetic across months, leap days and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    for (let d = 0, s = '1999-12-25'; d < 800; d++, s = addDays(s, 1)) expect(addDays(addDays(s, 37), -37)).toBe(s);
  });
});
