import { describe, expect, it } from 'vitest';
import { builtinPack, runScenario, RulesError } from '../../src/rules/index.ts';
import { runSettle } from '../helpers.ts';

const good = () => ({
  policy: 'CN-130300-2016',
  person: { registeredPoor: false, poorClass: null, assistance: null },
  claims: [
    { date: '2019-05-04', kind: 'inpatient', facility: { class: 'level2' }, total: '20000.00', outOfCatalog: '2000.00' },
    { date: '2019-06-04', kind: 'inpatient', facility: { class: 'level2' }, total: '1000', outOfCatalog: '0' },
  ],
});

function refusal(mutate: (s: ReturnType<typeof good>) => unknown): { code: string; path: string; message: string } {
  const s = good();
  const input = mutate(s) ?? s;
  try {
    runScenario(input, builtinPack);
  } catch (e) {
    expect(e).toBeInstanceOf(RulesError);
    return (e as RulesError).toJSON();
  }
  throw new Error('accepted bad input');
}

describe('bad input is refused with the offending field named', () => {
  const table: [string, (s: ReturnType<typeof good>) => unknown, string, string][] = [
    ['O > T', (s) => void (s.claims[1]!.outOfCatalog = '1000.01'), 'claims[1].outOfCatalog', 'out-of-catalog-exceeds-total'],
    ['negative total', (s) => void (s.claims[0]!.total = '-5'), 'claims[0].total', 'amount-negative'],
    ['negative number', (s) => void ((s.claims[0] as Record<string, unknown>).outOfCatalog = -1), 'claims[0].outOfCatalog', 'amount-negative'],
    ['three decimals', (s) => void (s.claims[1]!.total = '100.001'), 'claims[1].total', 'amount-decimals'],
    ['three decimals as a number', (s) => void ((s.claims[1] as Record<string, unknown>).total = 100.001), 'claims[1].total', 'amount-decimals'],
    ['NaN string', (s) => void (s.claims[0]!.total = 'NaN'), 'claims[0].total', 'amount-not-finite'],
    ['NaN number', (s) => void ((s.claims[0] as Record<string, unknown>).total = NaN), 'claims[0].total', 'amount-not-finite'],
    ['Infinity', (s) => void ((s.claims[0] as Record<string, unknown>).total = Infinity), 'claims[0].total', 'amount-not-finite'],
    ['full-width digits', (s) => void (s.claims[0]!.total = '２００００'), 'claims[0].total', 'amount-fullwidth'],
    ['comma grouping', (s) => void (s.claims[0]!.total = '20,000'), 'claims[0].total', 'amount-format'],
    ['missing out-of-catalogue', (s) => void delete (s.claims[0] as Record<string, unknown>).outOfCatalog, 'claims[0].outOfCatalog', 'required'],
    ['too large', (s) => void (s.claims[0]!.total = '100000000'), 'claims[0].total', 'amount-too-large'],
    ['unknown pack', (s) => void (s.policy = 'CN-999999-2020'), 'policy', 'unknown-policy'],
    ['unknown facility class', (s) => void (s.claims[1]!.facility.class = 'county'), 'claims[1].facility.class', 'unknown-facility-class'],
    ['date before the pack', (s) => void (s.claims[0]!.date = '2015-12-31'), 'claims[0].date', 'before-policy'],
    ['impossible date', (s) => void (s.claims[1]!.date = '2019-02-30'), 'claims[1].date', 'date'],
    ['date with time', (s) => void (s.claims[1]!.date = '2019-02-03T10:00'), 'claims[1].date', 'date'],
    ['unknown kind', (s) => void (s.claims[0]!.kind = 'outpatient'), 'claims[0].kind', 'kind'],
    ['registeredPoor not boolean', (s) => void ((s.person as Record<string, unknown>).registeredPoor = 'yes'), 'person.registeredPoor', 'type'],
    ['poor class without registration', (s) => void ((s.person as Record<string, unknown>).poorClass = 1), 'person.poorClass', 'inconsistent'],
    ['unknown assistance', (s) => void ((s.person as Record<string, unknown>).assistance = 'wubao'), 'person.assistance', 'type'],
    ['claims not an array', (s) => void ((s as Record<string, unknown>).claims = {}), 'claims', 'type'],
    ['outpatient without disease', (s) => void (s.claims[0]!.kind = 'outpatient-chronic'), 'claims[0].disease', 'required'],
    ['outpatient in a pack without outpatient rules', (s) => void Object.assign(s.claims[0]!, { kind: 'outpatient-chronic', disease: 'I10' }), 'claims[0].kind', 'no-outpatient-rules'],
    ['history out of order', (s) => void ((s.person as Record<string, unknown>).history = [
      { from: '2019-06-01', registeredPoor: true },
      { from: '2019-01-01', registeredPoor: false },
    ]), 'person.history[1].from', 'order'],
  ];
  for (const [name, mutate, path, code] of table) {
    it(name, () => {
      const r = refusal(mutate);
      expect(r.path).toBe(path);
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(5);
    });
  }

  it('a disease outside every table entry names the disease and the pack', () => {
    const r = refusal(() => ({
      policy: 'CN-610322-2019',
      person: { registeredPoor: true, poorClass: null, assistance: null },
      claims: [{ date: '2019-05-04', kind: 'outpatient-chronic', facility: { class: 'level1' }, total: '100', outOfCatalog: '0', disease: 'K74' }],
    }));
    expect(r).toMatchObject({ path: 'claims[0].disease', code: 'disease-not-covered' });
    expect(r.message).toContain('K74');
    expect(r.message).toContain('CN-610322-2019');
  });

  it('Shanxi special chronic cover needs registered poor status', () => {
    const r = refusal(() => ({
      policy: 'CN-140000-2017',
      person: { registeredPoor: false, poorClass: null, assistance: null },
      claims: [{ date: '2018-05-04', kind: 'outpatient-chronic', facility: { class: 'county' }, total: '100', outOfCatalog: '0', disease: 'C34' }],
    }));
    expect(r).toMatchObject({ path: 'claims[0].disease', code: 'not-eligible' });
  });

  it('Xianning needs the poverty class of a registered poor person', () => {
    const r = refusal(() => ({
      policy: 'CN-421200-2017',
      person: { registeredPoor: true, poorClass: null, assistance: null },
      claims: [],
    }));
    expect(r).toMatchObject({ path: 'person.poorClass', code: 'required' });
  });

  it('accepts amounts as numbers with up to two decimals, and trims spaces', () => {
    const s = good();
    (s.claims[0] as Record<string, unknown>).total = 20000;
    (s.claims[0] as Record<string, unknown>).outOfCatalog = ' 2000.5 ';
    const out = runScenario(s, builtinPack);
    expect(out.claims[0]!.payers.basic).toBe('12249.65');
  });
});

describe('the settle command on bad input', () => {
  it('exits 2 with a JSON error naming the field, and prints nothing else on stdout', () => {
    const s = good();
    s.claims[1]!.outOfCatalog = '5000';
    const r = runSettle(JSON.stringify(s));
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: { code: 'out-of-catalog-exceeds-total', path: 'claims[1].outOfCatalog' } });
  });
  it('exits 2 on input that is not JSON', () => {
    const r = runSettle('{"policy": ');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'json' } });
  });
  it('exits 2 on an unknown option', () => {
    const r = runSettle(JSON.stringify(good()), ['--sumary']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'usage' } });
  });
});
