/**
 * Revised packs, loaded at run time as a county would publish them, whose groups have different
 * caps in the same stage. The shipped packs give every assistance tier of a stage the same cap (or
 * none), so only a revised pack shows that a stage's remaining cap is computed right after a
 * change of status to a group with a smaller cap.
 */
import { BUILTIN_PACK_JSON, compilePack, packHash, type CompiledPack } from '../../src/rules/index.ts';

type Json = Record<string, unknown>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function revise(id: string, version: string, edit: (stages: Json[]) => void): CompiledPack {
  const p = clone(BUILTIN_PACK_JSON.find((x) => x.id === id)!) as unknown as Json & { inpatient: Json[] };
  p.version = version;
  edit(p.inpatient);
  p.hash = packHash(p);
  return compilePack(JSON.parse(JSON.stringify(p)));
}

type Tier = Json & { annualCap: Json & { value: string } };
const stage = (stages: Json[], id: string) => stages.find((s) => s.id === id)! as Json & { tiers: Tier[] };

/**
 * Guangdong with smaller caps for dibao and registered poor than for tekun: assistance 30,000
 * (tekun 50,000), and 二次救助 split into tekun 20,000 and dibao / registered poor 5,000.
 */
export function gdUnequalCaps(): CompiledPack {
  return revise('CN-440000-2018', '2018.1-unequal-caps', (stages) => {
    stage(stages, 'assistance').tiers[1]!.annualCap.value = '30000';
    const sec = stage(stages, 'assistance-secondary');
    const tier = sec.tiers[0]!;
    sec.tiers = [
      { ...clone(tier), groups: ['tekun'], annualCap: { ...tier.annualCap, value: '20000' } },
      { ...clone(tier), groups: ['dibao', 'registeredPoor'], annualCap: { ...tier.annualCap, value: '5000' } },
    ];
  });
}

/** Xianning with assistance for class 2 too: 50% above 3,000, capped at 10,000 (class 1: 30,000). */
export function xnClass2Assistance(): CompiledPack {
  return revise('CN-421200-2017', '2017.1-class2-assistance', (stages) => {
    const st = stage(stages, 'assistance');
    const t1 = st.tiers[0]!;
    st.tiers.push({ ...clone(t1), groups: ['poorClass2'], rate: { value: '0.5', source: 'assumption' }, annualCap: { value: '10000', source: 'assumption' } });
  });
}

export const REVISED_PACKS: { label: string; pack: () => CompiledPack }[] = [
  { label: 'CN-440000-2018 revised: smaller assistance caps for dibao and registered poor', pack: gdUnequalCaps },
  { label: 'CN-421200-2017 revised: class 2 assistance with a smaller cap', pack: xnClass2Assistance },
];
