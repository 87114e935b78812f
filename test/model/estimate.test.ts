import { describe, expect, it } from 'vitest';
import { compareClasses, estimate, historyFromRecords, type EstimateForm, type PriorClaim } from '../../src/model/estimate.ts';
import { builtinPack, type DatedStatus } from '../../src/rules/index.ts';
import { loadVectors } from '../helpers.ts';

const sx = builtinPack('CN-140000-2017');
const poor: DatedStatus[] = [{ from: null, registeredPoor: true, poorClass: null, assistance: null }];
const general: DatedStatus[] = [{ from: null, registeredPoor: false, poorClass: null, assistance: null }];
const form = (over: Partial<EstimateForm> = {}): EstimateForm => ({
  date: '2018-03-02',
  kind: 'inpatient',
  disease: '',
  facility: 'c:county',
  total: '30000',
  outOfCatalog: '3000',
  outUnknown: false,
  ...over,
});

describe('estimate screen logic', () => {
  it('gives the settle command’s figure for the same scenario', () => {
    const v = loadVectors().find((x) => x.name === 'sx-poor-county-136')!;
    const r = estimate(sx, poor, [], form());
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.result.patient).toBe(Math.round(Number(v.expect.claims[0]!.patient) * 100));
    expect(r.result.trace.length).toBeGreaterThan(0);
    expect(r.result.assumptions).toContain('backstop.scope');
  });

  it('settles the claims recorded this year first: the next estimate uses the year-to-date totals', () => {
    const prior: PriorClaim[] = [{ id: 'a', date: '2018-02-01', kind: 'inpatient', facilityClass: 'city', total: 4_000_000, outOfCatalog: 400_000, disease: null }];
    const r = estimate(sx, general, prior, form({ date: '2018-06-10', facility: 'c:province', total: '60000', outOfCatalog: '6000' }));
    if (!r.ok) throw new Error('refused');
    expect(r.result.payers.slice(0, 2)).toEqual([3_168_000, 1_674_000]); // the vector's second stay
    expect(r.priorCount).toBe(1);
    const critical = r.context.find((c) => c.stage === 'critical' && c.kind === 'threshold')!;
    expect(critical).toMatchObject({ used: 1_136_000, limit: 1_000_000 });
    const basic = r.context.find((c) => c.stage === 'basic')!;
    expect(basic).toMatchObject({ used: 2_464_000, limit: 7_000_000 });
    // a claim of another year, or later in the year, does not count
    const other = estimate(sx, general, [{ ...prior[0]!, date: '2017-12-01' }], form({ date: '2018-06-10', facility: 'c:province', total: '60000', outOfCatalog: '6000' }));
    expect(other.ok && other.priorCount).toBe(0);
  });

  it('shows a range up to the control ratio when the out-of-catalogue cost is unknown', () => {
    const r = estimate(sx, poor, [], form({ outUnknown: true, outOfCatalog: '' }));
    if (!r.ok) throw new Error('refused');
    expect(r.high).toMatchObject({ outOfCatalog: 450_000, share: 1500, assumed: false });
    expect(r.result.patient).toBe(100_000); // no out-of-catalogue cost: the 1,000 burden
    expect(r.high!.result.patient).toBe(100_000 + 67_500); // 15% of E = 4,500
    const gd = estimate(builtinPack('CN-440000-2018'), general, [], form({ date: '2018-05-01', facility: 'c:level2', outUnknown: true }));
    expect(gd.ok && gd.high).toMatchObject({ outOfCatalog: 300_000, share: 1000, assumed: true });
  });

  it('marks invalid input on its field and never throws', () => {
    const bad = (over: Partial<EstimateForm>) => {
      const r = estimate(sx, poor, [], form(over));
      if (r.ok) throw new Error('accepted');
      return r.errors;
    };
    expect(bad({ outOfCatalog: '40000' }).outOfCatalog!.code).toBe('out-of-catalog-exceeds-total');
    expect(bad({ total: '１２' }).total!.code).toBe('amount-fullwidth');
    expect(bad({ total: '12.345' }).total!.code).toBe('amount-decimals');
    expect(bad({ total: '' }).total!.code).toBe('required');
    expect(bad({ date: '2017-06-30' }).date!.code).toBe('before-policy');
    expect(bad({ date: '2018-02-30' }).date!.code).toBe('date');
    expect(bad({ facility: '' }).facility!.code).toBe('required');
    expect(bad({ kind: 'outpatient-chronic', disease: '' }).disease!.code).toBe('required');
    const op = estimate(sx, poor, [], form({ kind: 'outpatient-chronic', disease: 'I10', total: '800', outOfCatalog: '0' }));
    expect(op.ok && op.result.payers[0]).toBe(80_000);
    const notPoor = estimate(sx, general, [], form({ kind: 'outpatient-chronic', disease: 'I10' }));
    expect(!notPoor.ok && notPoor.errors.disease!.code).toBe('not-eligible');
    const xn = estimate(builtinPack('CN-421200-2017'), poor, [], form({ date: '2018-01-01', facility: 'c:level2' }));
    expect(!xn.ok && xn.errors.person!.code).toBe('poor-class-required');
  });

  it('compares every facility class and marks the cheapest for the patient', () => {
    const rows = compareClasses(sx, poor, [], form());
    expect(rows.map((r) => r.classId)).toEqual(['township', 'county', 'city', 'province']);
    const cheapest = rows.filter((r) => r.cheapest);
    expect(cheapest.length).toBeGreaterThanOrEqual(1);
    const patients = rows.map((r) => (r.outcome.ok ? r.outcome.result.patient : Infinity));
    for (const c of cheapest) expect(c.outcome.ok && c.outcome.result.patient).toBe(Math.min(...patients));
    expect(patients[2]).toBeGreaterThan(patients[1]!); // city cap 3,000 above county 1,000
  });

  it('turns roster status records into the engine’s dated history', () => {
    const h = historyFromRecords([
      { id: '2', memberId: 'm', from: '2019-01-01', poverty: 'lifted', poorClass: null, assistance: 'dibao', note: null, createdAt: '2019-01-01T00:00:00Z' },
      { id: '1', memberId: 'm', from: '2016-05-01', poverty: 'poor', poorClass: null, assistance: null, note: null, createdAt: '2016-05-01T00:00:00Z' },
      { id: '3', memberId: 'm', from: '2021-01-01', poverty: 'none', poorClass: 2, assistance: null, note: null, createdAt: '2021-01-01T00:00:00Z' },
    ]);
    expect(h).toEqual([
      { from: null, registeredPoor: false, poorClass: null, assistance: null },
      { from: '2016-05-01', registeredPoor: true, poorClass: null, assistance: null },
      { from: '2019-01-01', registeredPoor: true, poorClass: null, assistance: 'dibao' },
      { from: '2021-01-01', registeredPoor: false, poorClass: null, assistance: null },
    ]);
  });
});
