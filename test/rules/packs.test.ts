import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PACK_JSON, builtinPack, compilePack, packHash, RulesError, type PackJson } from '../../src/rules/index.ts';
import { seedsDir } from '../helpers.ts';

/**
 * The seed documents (SEEDS_DIR, else ../shared/seeds) are not in the repository. Without them the
 * verbatim-quote check is skipped with a notice; in CI (CI set) they are required, as PostgreSQL is
 * for the server suite (test/server/backends.ts).
 */
const SEEDS = seedsDir();
if (SEEDS.dir === null && !process.env.CI) {
  console.log(`notice: ${SEEDS.why}; the check that every pack quote stands verbatim in its source document is skipped`);
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function refusal(json: unknown): { code: string; path: string; message: string } {
  try {
    compilePack(json);
  } catch (e) {
    expect(e).toBeInstanceOf(RulesError);
    return (e as RulesError).toJSON();
  }
  throw new Error('pack accepted');
}

/**
 * Every [A] parameter of POLICIES.md, by pack, plus the estimate screen's assumed out-of-catalogue
 * share where a pack has no control ratio: the packs must mark exactly these as assumptions.
 */
const ASSUMED: Record<string, string[]> = {
  'CN-140000-2017': [
    'basic.deductible', 'basic.ratio', 'backstop.scope', 'assistance.tekun.rate', 'assistance.tekun.annualCap',
    ...['tumour', 'dialysis', 'transplant', 'aplastic-anaemia', 'schizophrenia', 'hypertension-3', 'diabetes-complications', 'coronary', 'copd', 'other-chronic'].map((e) => `outpatient.${e}.annualLimit`),
  ],
  'CN-610322-2019': [
    'basic.deductible', 'basic.annualCap', 'critical.threshold', 'critical.ratio', 'critical.annualCap',
    'outpatient.hypertension.ratio', 'outpatient.hypertension.annualLimit', 'outpatient.diabetes.ratio', 'outpatient.diabetes.annualLimit',
    'estimate.outOfCatalogueShare',
  ],
  'CN-421200-2017': [
    'basic.deductible', 'basic.ratio', 'basic.annualCap', 'basic.registeredPoor.deductibleFactor',
    'critical.threshold', 'critical.ratio', 'critical.annualCap', 'supplementary.order', 'assistance.poorClass1.rate',
  ],
  'CN-130300-2016': ['basic.annualCap', 'estimate.outOfCatalogueShare'],
  'CN-440000-2018': [
    'basic.deductible', 'basic.ratio', 'basic.annualCap', 'critical.threshold', 'critical.ratio', 'critical.annualCap',
    'assistance.tekun.rate', 'assistance.tekun.threshold', 'assistance.tekun.annualCap',
    'assistance.dibao|registeredPoor.rate', 'assistance.dibao|registeredPoor.threshold', 'assistance.dibao|registeredPoor.annualCap',
    'assistance-secondary.tekun|dibao|registeredPoor.rate', 'assistance-secondary.tekun|dibao|registeredPoor.annualCap',
    'estimate.outOfCatalogueShare',
  ],
};

describe('shipped policy packs', () => {
  it.skipIf(SEEDS.dir === null && !process.env.CI)('finds the seed documents (required in CI)', () => {
    if (SEEDS.dir === null) throw new Error(`The seed documents are required in CI for the verbatim-quote check: ${SEEDS.why} (set SEEDS_DIR)`);
  });

  it('ships the five regions', () => {
    expect(BUILTIN_PACK_JSON.map((p) => p.id).sort()).toEqual(['CN-130300-2016', 'CN-140000-2017', 'CN-421200-2017', 'CN-440000-2018', 'CN-610322-2019']);
  });

  for (const json of BUILTIN_PACK_JSON) {
    describe(json.id, () => {
      const pack = builtinPack(json.id);

      it('carries the content hash of its JSON', () => {
        expect(json.hash).toBe(packHash(json));
        expect(pack.hash).toBe(json.hash);
      });

      it.skipIf(SEEDS.dir === null)('quotes its sources verbatim: every quote stands in the seed document it names', () => {
        const quotes: { doc: string; quote: string; where: string }[] = [];
        const walk = (v: unknown, where: string): void => {
          if (v && typeof v === 'object') {
            const o = v as Record<string, unknown>;
            if (typeof o.doc === 'string' && typeof o.quote === 'string') quotes.push({ doc: o.doc, quote: o.quote, where });
            for (const [k, x] of Object.entries(o)) walk(x, `${where}.${k}`);
          }
        };
        walk(json, 'pack');
        expect(quotes.length).toBeGreaterThan(0);
        for (const q of quotes) {
          const file = json.documents[q.doc]?.file;
          expect(file, q.where).toBeTruthy();
          const text = readFileSync(join(SEEDS.dir!, file!), 'utf8');
          expect(text.includes(q.quote), `${q.where}: «${q.quote}» not in ${file}`).toBe(true);
        }
      });

      it('marks as assumptions exactly the [A] parameters of POLICIES.md', () => {
        expect([...pack.assumptions].sort()).toEqual([...ASSUMED[json.id]!].sort());
      });

      it('has a source for every parameter', () => {
        for (const p of pack.params.values()) {
          expect(p.source === 'assumption' || (typeof p.source === 'object' && p.source.quote.length > 0), p.name).toBe(true);
        }
      });
    });
  }
});

describe('an invalid pack is refused with an error naming the field', () => {
  const base = () => clone(BUILTIN_PACK_JSON.find((p) => p.id === 'CN-140000-2017')!) as PackJson & Record<string, unknown>;
  const cases: [string, (p: ReturnType<typeof base>) => void, string, string?][] = [
    ['ratio above 1', (p) => ((p.inpatient[0] as { ratio: { value: Record<string, string> } }).ratio.value.county = '1.2'), 'pack.inpatient[0].ratio.value.county'],
    ['ratio with five decimals', (p) => ((p.inpatient[0] as { ratio: { value: Record<string, string> } }).ratio.value.city = '0.70001'), 'pack.inpatient[0].ratio.value.city'],
    ['missing class value', (p) => delete (p.inpatient[0] as { deductible: { value: Record<string, string> } }).deductible.value.city, 'pack.inpatient[0].deductible.value.city'],
    ['unknown class value', (p) => ((p.inpatient[0] as { deductible: { value: Record<string, string> } }).deductible.value.village = '10'), 'pack.inpatient[0].deductible.value.village'],
    ['unknown stage kind', (p) => ((p.inpatient[2] as { kind: string }).kind = 'mystery'), 'pack.inpatient[2].kind'],
    ['source naming an unknown document', (p) => ((p.inpatient[1] as { threshold: { source: { doc: string } } }).threshold.source.doc = 'seed999'), 'pack.inpatient[1].threshold.source.doc'],
    ['parameter without a source', (p) => delete (p.inpatient[1] as { ratio: { source?: unknown } }).ratio.source, 'pack.inpatient[1].ratio.source'],
    ['money with three decimals', (p) => ((p.inpatient[1] as { threshold: { value: string } }).threshold.value = '10000.001'), 'pack.inpatient[1].threshold.value'],
    ['unknown group', (p) => ((p.inpatient[2] as { groups: string[] }).groups = ['poor']), 'pack.inpatient[2].groups[0]'],
    ['bad ICD range', (p) => (p.outpatient!.entries[0]!.icd = [['C97', 'C00']]), 'pack.outpatient.entries[0].icd[0]'],
    ['bad effective date', (p) => (p.effective.from = '2017-13-01'), 'pack.effective.from'],
    ['unknown top-level field', (p) => (p.layers = []), 'pack.layers'],
    ['typo in a stage field', (p) => ((p.inpatient[0] as unknown as Record<string, unknown>).anualCap = {}), 'pack.inpatient[0].anualCap'],
    ['hash that does not match the content', (p) => ((p.inpatient[1] as { ratio: { value: string } }).ratio.value = '0.8'), 'pack.hash', 'pack-hash-mismatch'],
    ['control-share without catalogue-control', (p) => p.inpatient.splice(2, 1), 'pack.inpatient[3].kind'],
  ];
  for (const [name, mutate, path, code] of cases) {
    it(name, () => {
      const p = base();
      mutate(p);
      const r = refusal(p);
      expect(r.path).toBe(path);
      if (code) expect(r.code).toBe(code);
    });
  }

  it('a revised pack loaded from JSON at run time settles with its own numbers', () => {
    const p = base();
    p.version = '2017.2';
    (p.inpatient[0] as { ratio: { value: Record<string, string> } }).ratio.value.county = '0.85';
    p.hash = packHash(p);
    const pack = compilePack(JSON.parse(JSON.stringify(p)));
    expect(pack.version).toBe('2017.2');
    expect(pack.stages[0]!.kind === 'basic' && pack.stages[0]!.ratio.v[1]).toBe(8500);
  });
});
