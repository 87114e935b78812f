/**
 * A policy parameter named in words, from its name in the pack ("basic.deductible",
 * "assistance.dibao|registeredPoor.rate", "outpatient.hypertension-1.annualLimit") and the pack's own
 * titles of stages, facility classes and diseases: what the doctor and the printout show instead of
 * the key. Pure (the words come in through `t`), so tests can check every parameter of every pack.
 */
import type { CompiledPack, ParamInfo } from '../../../rules/index.ts';

type T = (key: string, opts?: Record<string, unknown>) => string;
type TextLang = 'zh-CN' | 'en';

/** The field words the pack's parameters end with (estimateWords.field.*). */
export const FIELDS = [
  'annualCap',
  'annualLimit',
  'amount',
  'cap',
  'controlRatio',
  'deductible',
  'deductibleFactor',
  'inRate',
  'order',
  'outOfCatalogueShare',
  'outRate',
  'rate',
  'ratio',
  'ratioAdd',
  'scope',
  'share',
  'targetRatio',
  'threshold',
  'thresholdFactor',
] as const;
const MONEY = new Set(['annualCap', 'annualLimit', 'amount', 'cap', 'deductible', 'threshold']);
const GROUPS = ['dibao', 'registeredPoor', 'tekun'] as const;

function stageTitle(pack: CompiledPack, id: string, lang: TextLang, t: T): string {
  const stage = pack.stages.find((s) => s.id === id);
  if (stage) return stage.title[lang];
  if (id === 'outpatient' && pack.outpatient) return pack.outpatient.title[lang];
  const grant = pack.grants.find((g) => g.id === id);
  if (grant) return grant.title[lang];
  return t(`estimateWords.stage.${id}`, { defaultValue: id });
}

function groupWords(group: string, pack: CompiledPack, lang: TextLang, t: T): string {
  const poorClass = /^poorClass(\d+)$/.exec(group);
  if (poorClass) return t('estimateWords.poorClass', { n: poorClass[1] });
  const disease = pack.outpatient?.entries.find((e) => e.id === group);
  if (disease) return disease.name[lang];
  return group
    .split('|')
    .map((g) => ((GROUPS as readonly string[]).includes(g) ? t(`estimateWords.group.${g}`) : g))
    .join(t('estimateWords.or'));
}

/** "基本医保起付线", "医疗救助（低保对象或建档立卡贫困人口）救助比例". */
export function paramName(pack: CompiledPack, name: string, lang: TextLang, t: T): string {
  const parts = name.split('.');
  const field = parts[parts.length - 1]!;
  const fieldWords = (FIELDS as readonly string[]).includes(field) ? t(`estimateWords.field.${field}`) : field;
  const stage = stageTitle(pack, parts[0]!, lang, t);
  const groups = parts.slice(1, -1).map((g) => groupWords(g, pack, lang, t));
  return groups.length ? t('estimateWords.nameWithGroup', { stage, group: groups.join(' · '), field: fieldWords }) : t('estimateWords.name', { stage, field: fieldWords });
}

/** A parameter's value in words: yuan, a percentage, per facility class, "no cap". */
export function paramValue(pack: CompiledPack, p: ParamInfo, lang: TextLang, t: T, yuan: (fen: number) => string): string {
  const field = p.name.split('.').pop()!;
  const one = (v: unknown): string => {
    if (v === null) return t(MONEY.has(field) ? 'estimateWords.noCap' : 'estimateWords.none');
    if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) {
      if (MONEY.has(field)) return yuan(Math.round(Number(v) * 100));
      // Ratios are written as decimals in the packs ("0.7" is 70%), shown as a percentage.
      return `${Number((Number(v) * 100).toFixed(2))}%`;
    }
    if (typeof v === 'string') return t(`estimateWords.value.${v}`, { defaultValue: v });
    return JSON.stringify(v);
  };
  const v = p.value;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v as Record<string, unknown>)
      .map(([cls, x]) => `${pack.classes.find((c) => c.id === cls)?.[lang] ?? cls} ${one(x)}`)
      .join(t('estimateWords.listSep'));
  }
  return one(v);
}

/** "基本医保起付线：原文未列明，按 乡镇卫生院 ¥100.00、… 估算" for an assumed parameter. */
export function assumptionWords(pack: CompiledPack, name: string, lang: TextLang, t: T, yuan: (fen: number) => string): string {
  const p = pack.params.get(name);
  if (!p) return name;
  // "No cap" assumed: the note says it already ("原文未列明，不设封顶").
  if (p.value === null && p.note) return t('estimateWords.assumptionNoted', { name: paramName(pack, name, lang, t), note: p.note });
  return t('estimateWords.assumption', { name: paramName(pack, name, lang, t), note: p.note ?? t('estimateWords.notInSource'), value: paramValue(pack, p, lang, t, yuan) });
}
