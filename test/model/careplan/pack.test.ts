/** The care-plan pack: the shipped one loads with its hash; a bad one is refused naming the field. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_CARE_PACK_JSON, builtinCarePack, carePackHash, loadCarePack } from '../../../src/model/careplan/index.ts';
import { RulesError } from '../../../src/rules/index.ts';

const base = () => structuredClone(BUILTIN_CARE_PACK_JSON[0]) as Record<string, any>;

function refusal(edit: (p: Record<string, any>) => void): { path: string; code: string } {
  const p = base();
  edit(p);
  delete p.hash;
  try {
    loadCarePack(p);
  } catch (e) {
    if (e instanceof RulesError) return { path: e.path, code: e.code };
    throw e;
  }
  throw new Error('not refused');
}

describe('care-plan pack', () => {
  it('loads the shipped pack, whose hash matches its content', () => {
    const p = builtinCarePack();
    expect(p.id).toBe('CN-national-2017');
    expect(p.hash).toBe(carePackHash(BUILTIN_CARE_PACK_JSON[0]));
    expect(p.followup.hypertension.perYear.value).toBe(4);
    expect(p.followup.diabetes2.glucoseBelow?.value).toBe(70);
    expect(p.followup.diabetes2.danger.glucoseAtLeast?.value).toBe(167);
    expect(p.followup.diabetes2.danger.glucoseAtMost?.value).toBe(39);
    expect(p.followup.recheckDays.value).toBe(14);
  });
  it('marks every number a source or an assumption, and every source from the standard unverified (no copy held)', () => {
    const p = builtinCarePack();
    for (const param of p.params.values()) expect('assumption' in param.source || 'doc' in param.source).toBe(true);
    for (const param of p.params.values()) if ('doc' in param.source) {
      expect(param.source.verified).toBe(false);
      expect(param.source.quote).toBeUndefined();
    }
    expect(p.assumptions).toContain('followup.routineMonths');
    expect(p.assumptions).toContain('households.intervalDays.monitored');
    expect(p.unverified).toContain('followup.hypertension.perYear');
  });
  it('refuses a changed pack whose hash no longer matches', () => {
    const p = base();
    p.followup.recheckDays.value = 10;
    expect(() => loadCarePack(p)).toThrow(/careplan.hash/);
  });
  it('names the field of each refusal', () => {
    expect(refusal((p) => (p.followup.hypertension.perYear.value = 4.5)).path).toBe('careplan.followup.hypertension.perYear.value');
    expect(refusal((p) => delete p.followup.hypertension.perYear.source).path).toBe('careplan.followup.hypertension.perYear.source');
    expect(refusal((p) => (p.followup.hypertension.perYear.assumption = 'x')).path).toBe('careplan.followup.hypertension.perYear.assumption');
    expect(refusal((p) => (p.followup.hypertension.perYear.source.doc = 'nope')).path).toBe('careplan.followup.hypertension.perYear.source.doc');
    expect(refusal((p) => (p.followup.hypertension.perYear.source.quote = '每年要提供至少4次面对面的随访')).path).toBe('careplan.followup.hypertension.perYear.source.quote');
    expect(refusal((p) => (p.followup.diabetes2.danger.symptoms.value = ['itch'])).path).toBe('careplan.followup.diabetes2.danger.symptoms.value[0]');
    expect(refusal((p) => (p.followup.diabetes2.danger.glucoseAtMost.value = 170)).path).toBe('careplan.followup.diabetes2.danger.glucoseAtMost.value');
    expect(refusal((p) => (p.followup.hypertension.targets[1].minAge.value = 0)).path).toBe('careplan.followup.hypertension.targets[1].minAge.value');
    expect(refusal((p) => (p.followup.routineMonths.value = 6)).path).toBe('careplan.followup.routineMonths.value');
    expect(refusal((p) => (p.windows.recheck.before.value = 14)).path).toBe('careplan.windows.recheck.before.value');
    expect(refusal((p) => (p.windows.householdVisit.before.value = 30)).path).toBe('careplan.windows.householdVisit.before.value');
    expect(refusal((p) => (p.insurance.contributionFrom.value = '13-01')).path).toBe('careplan.insurance.contributionFrom.value');
    expect(refusal((p) => (p.households.intervalDays.vip = { value: 1, assumption: 'x' })).path).toBe('careplan.households.intervalDays.vip');
    expect(refusal((p) => (p.kind = 'policy')).path).toBe('careplan.kind');
    expect(refusal((p) => delete p.documents.nbphss3.held).path).toBe('careplan.documents.nbphss3.held');
  });
});
