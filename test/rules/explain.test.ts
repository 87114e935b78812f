import { describe, expect, it } from 'vitest';
import { builtinPack, explainTrace, parseScenario, settleParsed } from '../../src/rules/index.ts';
import { loadVectors } from '../helpers.ts';

function explain(name: string, lang: 'zh-CN' | 'zh-TW' | 'en' = 'zh-CN') {
  const v = loadVectors().find((x) => x.name === name)!;
  const parsed = parseScenario(v.scenario, builtinPack);
  const settled = settleParsed(parsed, true);
  return { settled, lines: settled.results.map((r) => explainTrace(r.trace!, lang)) };
}

describe('explanations', () => {
  it('renders the basic layer as the estimate screen shows it', () => {
    const { lines } = explain('sx-poor-county-136');
    expect(lines[0]![0]).toBe('基本医保：(27,000.00 − 起付线 500.00) × 80% = 21,200.00');
    expect(lines[0]).toContain('医保基金兜底：目录内个人负担 5,800.00，本年负担封顶 1,000.00（已负担 0.00，尚余 1,000.00），超出部分兜底 = 4,800.00');
    expect(lines[0]).toContain('补充医疗保险：比例内目录外费用 3,000.00 × 85% = 2,550.00');
  });

  it('one step per rule applied, each with its parameters and sources', () => {
    const { settled } = explain('xn-class1-threshold-crossing');
    const second = settled.results[1]!.trace!;
    expect(second.map((s) => s.rule)).toEqual(['basic', 'critical', 'control', 'supplementary', 'hospital', 'assistance']);
    const sup = second.find((s) => s.rule === 'supplementary')!;
    expect(sup.amount).toBe('6956.40');
    expect(sup.params['supplementary.poorClass1.inRate']).toEqual({ value: '0.9', source: { doc: 'seed002', quote: '一类贫困人口目录内费用报销90%' } });
    expect(sup.params['supplementary.order']!.source).toBe('assumption');
    expect(sup.formula).toContain('目录内 5,396.00 × 90% + 目录外 3,000.00 × 70% = 6,956.40');
  });

  it('lists the assumed parameters the result depended on', () => {
    const { settled } = explain('xn-class1-threshold-crossing');
    expect(settled.assumptions).toEqual(
      expect.arrayContaining(['basic.deductible', 'basic.ratio', 'basic.registeredPoor.deductibleFactor', 'supplementary.order', 'assistance.poorClass1.rate']),
    );
    // the general critical threshold is used (halved for the poor); the general cap is not read
    expect(settled.assumptions).toContain('critical.threshold');
    const gd = explain('gd-tekun').settled.assumptions;
    expect(gd).toContain('assistance.tekun.rate');
    expect(gd).not.toContain('assistance.dibao|registeredPoor.rate');
  });

  it('speaks English and Traditional Chinese too', () => {
    expect(explain('qhd-level2-basic', 'en').lines[0]![0]).toBe('Basic insurance: (18,000.00 − deductible 500.00) × 70% = 12,250.00');
    expect(explain('qhd-level2-basic', 'zh-TW').lines[0]![0]).toBe('基本醫保：(18,000.00 − 起付線 500.00) × 70% = 12,250.00');
  });

  it('says when a cap limited a payment', () => {
    const parsed = parseScenario(
      {
        policy: 'CN-140000-2017',
        person: { registeredPoor: false },
        claims: [
          { date: '2018-03-01', kind: 'inpatient', facility: { class: 'province' }, total: '100000', outOfCatalog: '0' },
          { date: '2018-05-01', kind: 'inpatient', facility: { class: 'province' }, total: '50000', outOfCatalog: '0' },
        ],
      },
      builtinPack,
    );
    const lines = explainTrace(settleParsed(parsed, true).results[1]!.trace!);
    expect(lines[0]).toBe('基本医保：(50,000.00 − 起付线 1,200.00) × 60% = 29,280.00，受年度封顶 70,000.00 限制（本年尚余 10,720.00），实付 10,720.00');
  });
});
