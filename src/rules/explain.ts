/**
 * Plain-language explanations of the engine's trace: one sentence per step, with the figures
 * filled in, in Chinese first ("基本医保：(27,000.00 − 起付线 500.00) × 80% = 21,200.00") and English.
 */
import { formatFenGrouped as m, formatRatio as pct } from './money.ts';
import type { Source } from './pack-types.ts';

export type FormulaVars = Record<string, number | string | null>;
export type Lang = 'zh-CN' | 'zh-TW' | 'en';

const LAYER_NAMES: Record<Lang, Record<string, string>> = {
  'zh-CN': {
    basic: '基本医保',
    critical: '大病保险',
    backstop: '医保基金兜底',
    supplementary: '补充医疗保险',
    assistance: '医疗救助',
    hospital: '医疗机构承担',
    control: '目录外费用控制',
    patient: '个人自付',
  },
  'zh-TW': {
    basic: '基本醫保',
    critical: '大病保險',
    backstop: '醫保基金兜底',
    supplementary: '補充醫療保險',
    assistance: '醫療救助',
    hospital: '醫療機構承擔',
    control: '目錄外費用控制',
    patient: '個人自付',
  },
  en: {
    basic: 'Basic insurance',
    critical: 'Critical-illness insurance',
    backstop: 'Fund backstop',
    supplementary: 'Supplementary insurance',
    assistance: 'Medical assistance',
    hospital: 'Borne by the hospital',
    control: 'Out-of-catalogue control',
    patient: 'Patient pays',
  },
};

export function layerName(layer: string, lang: Lang = 'zh-CN'): string {
  return LAYER_NAMES[lang][layer] ?? layer;
}

const n = (v: FormulaVars[string] | undefined): number => (typeof v === 'number' ? v : 0);
const capSuffixZh = (raw: number, amount: number, cap: number, capLeft: number): string =>
  amount < raw ? `，受年度封顶 ${m(cap)} 限制（本年尚余 ${m(Math.max(0, capLeft))}），实付 ${m(amount)}` : '';
const capSuffixEn = (raw: number, amount: number, cap: number, capLeft: number): string =>
  amount < raw ? `, limited by the annual cap ${m(cap)} (${m(Math.max(0, capLeft))} left this year): pays ${m(amount)}` : '';

type Renderer = (v: FormulaVars) => string;

const ZH: Record<string, Renderer> = {
  basic: (v) => {
    const I = n(v.I);
    const D = n(v.D);
    const ded = v.factor !== null && v.factor !== undefined ? `起付线 ${m(n(v.D0))} × ${pct(n(v.factor))} = ${m(D)}` : `起付线 ${m(D)}`;
    if (I <= D) return `政策范围内费用 ${m(I)} 未超过${ded}，统筹基金不支付 = 0.00`;
    return `(${m(I)} − ${ded}) × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixZh(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`;
  },
  critical: (v) => {
    const head = `目录内自付 ${m(n(v.S1))}，本年累计 ${m(n(v.before))} → ${m(n(v.after))}，超过起付线 ${m(n(v.threshold))} 的新增部分 ${m(n(v.marginal))}`;
    return `${head} × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixZh(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`;
  },
  'catalogue-control': (v) =>
    `目录外费用 ${m(n(v.O))}，控制比例 ${pct(n(v.ratio))} × 总费用 ${m(n(v.T))} = ${m(n(v.limit))}；比例内 ${m(n(v.E))}，超出比例 ${m(n(v.X))}`,
  'burden-cap': (v) =>
    `目录内个人负担 ${m(n(v.burden))}，本年负担封顶 ${m(n(v.cap))}（已负担 ${m(n(v.before))}，尚余 ${m(n(v.room))}），超出部分兜底 = ${m(n(v.amount))}`,
  'control-share': (v) => `比例内目录外费用 ${m(n(v.E))} × ${pct(n(v.ratio))} = ${m(n(v.amount))}`,
  'annual-burden': (v) =>
    `本次个人负担：目录内 ${m(n(v.inPart))} + 比例内目录外 ${m(n(v.ePart))}，本年累计 ${m(n(v.before))} → ${m(n(v.after))}；超过 ${m(n(v.threshold))} 的部分：目录内 ${m(n(v.inAbove))} × ${pct(n(v.inRate))} + 目录外 ${m(n(v.eAbove))} × ${pct(n(v.outRate))} = ${m(n(v.amount))}`,
  'hospital-excess': (v) => `超出控制比例的目录外费用 ${m(n(v.X))} × ${pct(n(v.ratio))} = ${m(n(v.amount))}`,
  'top-up': (v) =>
    `补足至总费用的 ${pct(n(v.ratio))}：${m(n(v.T))} × ${pct(n(v.ratio))} = ${m(n(v.target))}，已报销 ${m(n(v.soFar))}，补足 ${m(n(v.amount))}`,
  'compliant-left': (v) =>
    `合规自付余额 ${m(n(v.base))}，本年累计 ${m(n(v.before))} → ${m(n(v.after))}，超过 ${m(n(v.threshold))} 的新增部分 ${m(n(v.marginal))} × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixZh(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`,
  'out-of-catalogue-left': (v) =>
    `目录外自付余额 ${m(n(v.X))} × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixZh(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`,
  outpatient: (v) => {
    const head = `门诊慢特病「${String(v.entry)}」(${String(v.disease)})：目录内 ${m(n(v.I))} × ${pct(n(v.ratio))} = ${m(n(v.raw))}`;
    const lim = `（年度限额 ${m(n(v.limit))}，本年已报 ${m(n(v.used))}）`;
    return n(v.amount) < n(v.raw) ? `${head}${lim}，受限额限制实付 ${m(n(v.amount))}` : `${head}${lim}`;
  },
};

const EN: Record<string, Renderer> = {
  basic: (v) => {
    const I = n(v.I);
    const D = n(v.D);
    const ded = v.factor !== null && v.factor !== undefined ? `deductible ${m(n(v.D0))} × ${pct(n(v.factor))} = ${m(D)}` : `deductible ${m(D)}`;
    if (I <= D) return `in-catalogue cost ${m(I)} does not exceed the ${ded}: the fund pays 0.00`;
    return `(${m(I)} − ${ded}) × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixEn(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`;
  },
  critical: (v) =>
    `in-catalogue self-pay ${m(n(v.S1))}, year total ${m(n(v.before))} → ${m(n(v.after))}; the new part above the threshold ${m(n(v.threshold))}, ${m(n(v.marginal))} × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixEn(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`,
  'catalogue-control': (v) =>
    `out-of-catalogue ${m(n(v.O))}; control ratio ${pct(n(v.ratio))} × total ${m(n(v.T))} = ${m(n(v.limit))}; within ${m(n(v.E))}, above ${m(n(v.X))}`,
  'burden-cap': (v) =>
    `in-catalogue burden ${m(n(v.burden))}; year cap ${m(n(v.cap))} (${m(n(v.before))} borne, ${m(n(v.room))} left): the fund pays the rest = ${m(n(v.amount))}`,
  'control-share': (v) => `out-of-catalogue within the ratio ${m(n(v.E))} × ${pct(n(v.ratio))} = ${m(n(v.amount))}`,
  'annual-burden': (v) =>
    `burden: in-catalogue ${m(n(v.inPart))} + within-ratio ${m(n(v.ePart))}, year total ${m(n(v.before))} → ${m(n(v.after))}; above ${m(n(v.threshold))}: ${m(n(v.inAbove))} × ${pct(n(v.inRate))} + ${m(n(v.eAbove))} × ${pct(n(v.outRate))} = ${m(n(v.amount))}`,
  'hospital-excess': (v) => `out-of-catalogue above the control ratio ${m(n(v.X))} × ${pct(n(v.ratio))} = ${m(n(v.amount))}`,
  'top-up': (v) =>
    `top-up to ${pct(n(v.ratio))} of the total: ${m(n(v.T))} × ${pct(n(v.ratio))} = ${m(n(v.target))}, paid so far ${m(n(v.soFar))}, top-up ${m(n(v.amount))}`,
  'compliant-left': (v) =>
    `compliant self-pay left ${m(n(v.base))}, year total ${m(n(v.before))} → ${m(n(v.after))}; the new part above ${m(n(v.threshold))}, ${m(n(v.marginal))} × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixEn(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`,
  'out-of-catalogue-left': (v) =>
    `out-of-catalogue self-pay left ${m(n(v.X))} × ${pct(n(v.ratio))} = ${m(n(v.raw))}${capSuffixEn(n(v.raw), n(v.amount), n(v.cap), n(v.capLeft))}`,
  outpatient: (v) => {
    const head = `outpatient chronic "${String(v.entryEn)}" (${String(v.disease)}): in-catalogue ${m(n(v.I))} × ${pct(n(v.ratio))} = ${m(n(v.raw))}`;
    const lim = ` (annual limit ${m(n(v.limit))}, ${m(n(v.used))} used this year)`;
    return n(v.amount) < n(v.raw) ? `${head}${lim}, limited to ${m(n(v.amount))}` : `${head}${lim}`;
  },
};

/** Traditional Chinese shares the simplified sentences with character conversion of the few words used. */
const TW_MAP: [RegExp, string][] = [
  [/医/g, '醫'], [/报/g, '報'], [/费/g, '費'], [/录/g, '錄'], [/线/g, '線'], [/统/g, '統'], [/计/g, '計'],
  [/额/g, '額'], [/负/g, '負'], [/担/g, '擔'], [/补/g, '補'], [/余/g, '餘'], [/实/g, '實'], [/门/g, '門'],
  [/诊/g, '診'], [/险/g, '險'], [/围/g, '圍'], [/过/g, '過'], [/内/g, '內'], [/种/g, '種'], [/总/g, '總'],
  [/规/g, '規'], ];

export function renderFormula(kind: string, vars: FormulaVars, lang: Lang): string {
  const table = lang === 'en' ? EN : ZH;
  const r = table[kind];
  if (!r) return kind;
  const s = r(vars);
  if (lang !== 'zh-TW') return s;
  return TW_MAP.reduce((acc, [re, to]) => acc.replace(re, to), s);
}

export interface ExplainStep {
  layer: string;
  kind: string;
  vars: FormulaVars;
  params: Record<string, { value: string; source: Source }>;
}

/** One sentence per step: "基本医保：(27,000.00 − 起付线 500.00) × 80% = 21,200.00". */
export function explainTrace(trace: readonly ExplainStep[], lang: Lang = 'zh-CN'): string[] {
  const sep = lang === 'en' ? ': ' : '：';
  return trace.map((s) => layerName(s.layer, lang) + sep + renderFormula(s.kind, s.vars, lang));
}
