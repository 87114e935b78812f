/**
 * Loading a policy pack: validate the JSON (every refusal names the field), check its hash, and
 * compile it into the integer form the engine runs on (fen, basis points, class indexes, and the
 * tier each person status falls in, worked out once).
 */
import { isIsoDate } from './dates.ts';
import { RulesError } from './errors.ts';
import { parseAmount, parseRatio } from './money.ts';
import type {
  FacilityClass,
  Group,
  PackJson,
  Payer,
  Source,
  Stage,
  StageKind,
  Text,
} from './pack-types.ts';
import { FILING_FIELD_IDS, FILING_KINDS, PAYERS, type FilingFieldId, type FilingKind, type FilingTypeRule, type ReviewLevel } from './pack-types.ts';
import { canonicalJson, sha256Hex } from './sha256.ts';
import { STATUS_KEYS, statusFits, type StatusKey } from './status.ts';

export const STAGE_KINDS: readonly StageKind[] = [
  'basic',
  'critical',
  'catalogue-control',
  'burden-cap',
  'control-share',
  'annual-burden',
  'hospital-excess',
  'top-up',
  'compliant-left',
  'out-of-catalogue-left',
];
const GROUPS: readonly Group[] = ['tekun', 'dibao', 'poorClass1', 'poorClass2', 'registeredPoor', 'any'];

/** A parameter as the engine and the trace see it: its name, source and printable value. */
export interface ParamInfo {
  name: string;
  source: Source;
  note?: string;
  /** The value as written in the pack (per-class tables as objects). */
  value: unknown;
  /** Index into the settlement's "assumption used" flags; -1 when stated. */
  assumptionIndex: number;
}

export interface CompiledParam<T> {
  info: ParamInfo;
  v: T;
}

/** "No cap" is represented as Infinity so that min() needs no branch. */
export type CapFen = number;

interface CBase {
  id: string;
  title: Text;
  basis: Source;
  payer: Payer | null;
  payerIndex: number;
}

export interface CBasic extends CBase {
  kind: 'basic';
  deductible: CompiledParam<number[]>;
  ratio: CompiledParam<number[]>;
  annualCap: CompiledParam<CapFen>;
  /** Per status key: index into adjustments, or -1. */
  adjustmentFor: Int8Array;
  adjustments: {
    groups: Group[];
    deductibleFactor: CompiledParam<number> | null;
    ratioAdd: CompiledParam<number[]> | null;
    ratioMax: CompiledParam<number> | null;
  }[];
}

export interface CCritical extends CBase {
  kind: 'critical';
  threshold: CompiledParam<number>;
  ratio: CompiledParam<number>;
  annualCap: CompiledParam<CapFen>;
  adjustmentFor: Int8Array;
  adjustments: {
    groups: Group[];
    threshold: CompiledParam<number> | null;
    thresholdFactor: CompiledParam<number> | null;
    ratio: CompiledParam<number> | null;
    ratioAdd: CompiledParam<number> | null;
    annualCap: CompiledParam<CapFen> | null;
  }[];
}

export interface CCatalogueControl extends CBase {
  kind: 'catalogue-control';
  eligible: Uint8Array;
  groups: Group[];
  controlRatio: CompiledParam<number[]>;
}

export interface CBurdenCap extends CBase {
  kind: 'burden-cap';
  eligible: Uint8Array;
  groups: Group[];
  cap: CompiledParam<number[]>;
  scope: CompiledParam<'highest-tier'>;
}

export interface CControlShare extends CBase {
  kind: 'control-share';
  eligible: Uint8Array;
  groups: Group[];
  rate: CompiledParam<number>;
}

export interface CAnnualBurden extends CBase {
  kind: 'annual-burden';
  threshold: CompiledParam<number>;
  order: CompiledParam<'in-catalogue-first'>;
  tierFor: Int8Array;
  tiers: { groups: Group[]; inRate: CompiledParam<number>; outRate: CompiledParam<number> }[];
}

export interface CHospitalExcess extends CBase {
  kind: 'hospital-excess';
  eligible: Uint8Array;
  groups: Group[];
  share: CompiledParam<number[]>;
}

export interface CTopUp extends CBase {
  kind: 'top-up';
  eligible: Uint8Array;
  groups: Group[];
  targetRatio: CompiledParam<number>;
}

export interface CCompliantLeft extends CBase {
  kind: 'compliant-left';
  tierFor: Int8Array;
  tiers: { groups: Group[]; rate: CompiledParam<number>; threshold: CompiledParam<number>; annualCap: CompiledParam<CapFen> }[];
}

export interface COutOfCatalogueLeft extends CBase {
  kind: 'out-of-catalogue-left';
  tierFor: Int8Array;
  tiers: { groups: Group[]; rate: CompiledParam<number>; annualCap: CompiledParam<CapFen> }[];
}

export type CStage =
  | CBasic
  | CCritical
  | CCatalogueControl
  | CBurdenCap
  | CControlShare
  | CAnnualBurden
  | CHospitalExcess
  | CTopUp
  | CCompliantLeft
  | COutOfCatalogueLeft;

export interface CDiseaseEntry {
  id: string;
  index: number;
  name: Text;
  category: 'special' | 'other' | 'two-diseases';
  ranges: [string, string][];
  groups: Group[];
  eligible: Uint8Array;
  ratio: CompiledParam<number>;
  annualLimit: CompiledParam<number>;
}

export interface CGrant {
  id: string;
  title: Text;
  basis: Source;
  groups: Group[];
  eligible: Uint8Array;
  amount: CompiledParam<number>;
  once: boolean;
  stage: 'late' | 'any';
  diseases: { id: string; name: Text; ranges: [string, string][] }[];
  diseaseList: Source;
  note: string | null;
}

export interface CompiledPack {
  id: string;
  version: string;
  hash: string;
  name: Text;
  region: Text & { code: string };
  from: string;
  to: string | null;
  poorClasses: boolean;
  documents: PackJson['documents'];
  classes: FacilityClass[];
  classIndex: Map<string, number>;
  stages: CStage[];
  outpatient: { id: string; title: Text; basis: Source; entries: CDiseaseEntry[] } | null;
  grants: CGrant[];
  /** Proxy filing types, validated (empty when the pack names none). */
  filings: FilingTypeRule[];
  facilities: { id: string; name: Text; classIndex: number }[];
  /** Upper bound of the out-of-catalogue share for estimates, basis points, or null. */
  estimateOutShare: CompiledParam<number> | null;
  /** Every parameter by name; assumptions[i] is the name of assumption index i. */
  params: Map<string, ParamInfo>;
  assumptions: string[];
  json: PackJson;
}

// ---------------------------------------------------------------------------------------------
// Small validators that name the path

function fail(path: string, detail: string, code = 'invalid-pack'): never {
  throw new RulesError(code, path, detail);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, '应为对象 (expected an object)');
  return v as Record<string, unknown>;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, '应为数组 (expected an array)');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') fail(path, '应为非空字符串 (expected a non-empty string)');
  return v;
}

function text(v: unknown, path: string): Text {
  const o = obj(v, path);
  return { 'zh-CN': str(o['zh-CN'], `${path}.zh-CN`), en: str(o.en, `${path}.en`) };
}

function noExtraKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(`${path}.${k}`, `未知字段 (unknown field "${k}")`);
  }
}

function moneyFen(v: unknown, path: string): number {
  const r = parseAmount(v);
  if ('problem' in r) fail(path, `金额无效 (invalid amount: ${r.problem}); 应为不超过两位小数的非负数字符串`);
  return r.fen;
}

function ratioBp(v: unknown, path: string): number {
  const r = parseRatio(v);
  if (r === null) fail(path, '比例无效 (invalid ratio): 应为 0 到 1 之间、至多四位小数的字符串，如 "0.85"');
  return r;
}

function groups(v: unknown, path: string): Group[] {
  const list = arr(v, path);
  if (list.length === 0) fail(path, '至少需要一个人群 (at least one group)');
  return list.map((g, i) => {
    if (!GROUPS.includes(g as Group)) fail(`${path}[${i}]`, `未知人群 "${String(g)}" (unknown group; one of ${GROUPS.join(', ')})`);
    return g as Group;
  });
}

/** Rank of a tier by rule 9 of POLICIES.md: tekun, dibao, registered poor (by class first), any. */
function groupsRank(gs: Group[]): number {
  return Math.min(...gs.map((g) => GROUPS.indexOf(g)));
}

function checkTierOrder(list: { groups: Group[] }[], path: string): void {
  for (let i = 1; i < list.length; i++) {
    if (groupsRank(list[i]!.groups) < groupsRank(list[i - 1]!.groups)) {
      fail(`${path}[${i}].groups`, '档次顺序应为 特困、低保、建档立卡、其他 (tiers must run tekun, dibao, registered poor, any)');
    }
  }
}

function eligibility(gs: Group[]): Uint8Array {
  const e = new Uint8Array(STATUS_KEYS);
  for (let k = 0; k < STATUS_KEYS; k++) e[k] = gs.some((g) => statusFits(k as StatusKey, g)) ? 1 : 0;
  return e;
}

function firstFit(list: { groups: Group[] }[]): Int8Array {
  const t = new Int8Array(STATUS_KEYS).fill(-1);
  for (let k = 0; k < STATUS_KEYS; k++) {
    t[k] = list.findIndex((x) => x.groups.some((g) => statusFits(k as StatusKey, g)));
  }
  return t;
}

// ---------------------------------------------------------------------------------------------

class Compiler {
  readonly params = new Map<string, ParamInfo>();
  readonly assumptions: string[] = [];
  readonly classes: FacilityClass[] = [];
  readonly classIndex = new Map<string, number>();
  constructor(readonly documents: Record<string, unknown>) {}

  source(v: unknown, path: string): Source {
    if (v === 'assumption') return 'assumption';
    const o = obj(v, path);
    noExtraKeys(o, ['doc', 'quote'], path);
    const doc = str(o.doc, `${path}.doc`);
    if (!(doc in this.documents)) fail(`${path}.doc`, `未知文件 "${doc}" (not among the pack's documents)`);
    return { doc, quote: str(o.quote, `${path}.quote`) };
  }

  param<T>(v: unknown, path: string, name: string, parse: (value: unknown, path: string) => T): CompiledParam<T> {
    const o = obj(v, path);
    noExtraKeys(o, ['value', 'source', 'note'], path);
    if (!('value' in o)) fail(`${path}.value`, '缺少参数值 (missing value)');
    const source = this.source(o.source, `${path}.source`);
    const parsed = parse(o.value, `${path}.value`);
    if (this.params.has(name)) fail(path, `参数名重复 "${name}" (duplicate parameter name)`);
    const info: ParamInfo = { name, source, value: o.value, assumptionIndex: -1 };
    if (typeof o.note === 'string') info.note = o.note;
    if (source === 'assumption') {
      info.assumptionIndex = this.assumptions.length;
      this.assumptions.push(name);
    }
    this.params.set(name, info);
    return { info, v: parsed };
  }

  byClass(parse: (v: unknown, p: string) => number) {
    return (v: unknown, path: string): number[] => {
      const o = obj(v, path);
      for (const k of Object.keys(o)) {
        if (!this.classIndex.has(k)) fail(`${path}.${k}`, `未知机构类别 "${k}" (not a facility class of the pack)`);
      }
      return this.classes.map((c) => {
        if (!(c.id in o)) fail(`${path}.${c.id}`, `缺少机构类别 "${c.id}" 的值 (missing value for facility class)`);
        return parse(o[c.id], `${path}.${c.id}`);
      });
    };
  }

  cap(v: unknown, path: string): number {
    return v === null ? Infinity : moneyFen(v, path);
  }
}

function payerOf(v: unknown, path: string, fixed: Payer | null): { payer: Payer; payerIndex: number } {
  const p = fixed ?? (v as Payer);
  if (!PAYERS.includes(p)) fail(path, `未知支付方 "${String(v)}" (one of ${PAYERS.join(', ')})`);
  return { payer: p, payerIndex: PAYERS.indexOf(p) };
}

const COMMON_KEYS = ['kind', 'id', 'title', 'basis'];

function compileStage(c: Compiler, raw: unknown, path: string, seenIds: Set<string>): CStage {
  const o = obj(raw, path);
  const kind = o.kind as StageKind;
  if (!STAGE_KINDS.includes(kind)) fail(`${path}.kind`, `未知层级类型 "${String(o.kind)}" (one of ${STAGE_KINDS.join(', ')})`);
  const id = str(o.id, `${path}.id`);
  if (!/^[a-z][a-z0-9-]*$/.test(id)) fail(`${path}.id`, '只能包含小写字母、数字和连字符 (lowercase letters, digits, hyphens)');
  if (seenIds.has(id)) fail(`${path}.id`, `层级 id 重复 "${id}" (duplicate stage id)`);
  seenIds.add(id);
  const base = { id, title: text(o.title, `${path}.title`), basis: c.source(o.basis, `${path}.basis`) };
  const money = (v: unknown, p: string) => moneyFen(v, p);
  const ratio = (v: unknown, p: string) => ratioBp(v, p);
  const cap = (v: unknown, p: string) => c.cap(v, p);
  const P = <T>(field: string, parse: (v: unknown, p: string) => T, name = `${id}.${field}`) =>
    c.param(o[field], `${path}.${field}`, name, parse);
  const tierName = (gs: Group[]) => gs.join('|');
  /** Tiers by group, in rule 9's order, each field a parameter named `${id}.${groups}.${field}`. */
  const tiersOf = <F extends string, T>(fields: Record<F, (v: unknown, p: string) => T>): ({ groups: Group[] } & Record<F, CompiledParam<T>>)[] => {
    const list = arr(o.tiers, `${path}.tiers`).map((t, i) => {
      const tp = `${path}.tiers[${i}]`;
      const to = obj(t, tp);
      noExtraKeys(to, ['groups', ...Object.keys(fields)], tp);
      const gs = groups(to.groups, `${tp}.groups`);
      const n = `${id}.${tierName(gs)}`;
      const tier: Record<string, unknown> = { groups: gs };
      for (const [f, parse] of Object.entries(fields) as [F, (v: unknown, p: string) => T][]) tier[f] = c.param(to[f], `${tp}.${f}`, `${n}.${f}`, parse);
      return tier as { groups: Group[] } & Record<F, CompiledParam<T>>;
    });
    checkTierOrder(list, `${path}.tiers`);
    return list;
  };

  switch (kind) {
    case 'basic': {
      noExtraKeys(o, [...COMMON_KEYS, 'deductible', 'ratio', 'annualCap', 'adjustments'], path);
      const adjustmentsRaw = arr(o.adjustments ?? [], `${path}.adjustments`);
      const adjustments = adjustmentsRaw.map((a, i) => {
        const ap = `${path}.adjustments[${i}]`;
        const ao = obj(a, ap);
        noExtraKeys(ao, ['groups', 'deductibleFactor', 'ratioAdd', 'ratioMax'], ap);
        const gs = groups(ao.groups, `${ap}.groups`);
        const n = `${id}.${tierName(gs)}`;
        const opt = <T>(f: string, parse: (v: unknown, p: string) => T) =>
          ao[f] === undefined ? null : c.param(ao[f], `${ap}.${f}`, `${n}.${f}`, parse);
        return {
          groups: gs,
          deductibleFactor: opt('deductibleFactor', ratio),
          ratioAdd: opt('ratioAdd', c.byClass(ratio)),
          ratioMax: opt('ratioMax', ratio),
        };
      });
      checkTierOrder(adjustments, `${path}.adjustments`);
      return {
        kind,
        ...base,
        ...payerOf('basic', path, 'basic'),
        deductible: P('deductible', c.byClass(money)),
        ratio: P('ratio', c.byClass(ratio)),
        annualCap: P('annualCap', cap),
        adjustments,
        adjustmentFor: firstFit(adjustments),
      };
    }
    case 'critical': {
      noExtraKeys(o, [...COMMON_KEYS, 'threshold', 'ratio', 'annualCap', 'adjustments'], path);
      const adjustments = arr(o.adjustments ?? [], `${path}.adjustments`).map((a, i) => {
        const ap = `${path}.adjustments[${i}]`;
        const ao = obj(a, ap);
        noExtraKeys(ao, ['groups', 'threshold', 'thresholdFactor', 'ratio', 'ratioAdd', 'annualCap'], ap);
        const gs = groups(ao.groups, `${ap}.groups`);
        const n = `${id}.${tierName(gs)}`;
        const opt = <T>(f: string, parse: (v: unknown, p: string) => T) =>
          ao[f] === undefined ? null : c.param(ao[f], `${ap}.${f}`, `${n}.${f}`, parse);
        if (ao.threshold !== undefined && ao.thresholdFactor !== undefined) {
          fail(`${ap}.thresholdFactor`, '起付线与起付线系数只能给一个 (give threshold or thresholdFactor, not both)');
        }
        if (ao.ratio !== undefined && ao.ratioAdd !== undefined) {
          fail(`${ap}.ratioAdd`, '比例与提高点数只能给一个 (give ratio or ratioAdd, not both)');
        }
        return {
          groups: gs,
          threshold: opt('threshold', money),
          thresholdFactor: opt('thresholdFactor', ratio),
          ratio: opt('ratio', ratio),
          ratioAdd: opt('ratioAdd', ratio),
          annualCap: opt('annualCap', cap),
        };
      });
      checkTierOrder(adjustments, `${path}.adjustments`);
      return {
        kind,
        ...base,
        ...payerOf('critical', path, 'critical'),
        threshold: P('threshold', money),
        ratio: P('ratio', ratio),
        annualCap: P('annualCap', cap),
        adjustments,
        adjustmentFor: firstFit(adjustments),
      };
    }
    case 'catalogue-control': {
      noExtraKeys(o, [...COMMON_KEYS, 'groups', 'controlRatio'], path);
      const gs = groups(o.groups, `${path}.groups`);
      return {
        kind,
        ...base,
        payer: null,
        payerIndex: -1,
        groups: gs,
        eligible: eligibility(gs),
        controlRatio: P('controlRatio', c.byClass(ratio)),
      };
    }
    case 'burden-cap': {
      noExtraKeys(o, [...COMMON_KEYS, 'payer', 'groups', 'cap', 'scope'], path);
      const gs = groups(o.groups, `${path}.groups`);
      return {
        kind,
        ...base,
        ...payerOf(o.payer, `${path}.payer`, null),
        groups: gs,
        eligible: eligibility(gs),
        cap: P('cap', c.byClass(money)),
        scope: P('scope', (v, p) => {
          if (v !== 'highest-tier') fail(p, '仅支持 "highest-tier" (only "highest-tier" is supported)');
          return 'highest-tier' as const;
        }),
      };
    }
    case 'control-share': {
      noExtraKeys(o, [...COMMON_KEYS, 'payer', 'groups', 'rate'], path);
      const gs = groups(o.groups, `${path}.groups`);
      return {
        kind,
        ...base,
        ...payerOf(o.payer, `${path}.payer`, null),
        groups: gs,
        eligible: eligibility(gs),
        rate: P('rate', ratio),
      };
    }
    case 'annual-burden': {
      noExtraKeys(o, [...COMMON_KEYS, 'payer', 'threshold', 'order', 'tiers'], path);
      const tiers = tiersOf({ inRate: ratio, outRate: ratio });
      return {
        kind,
        ...base,
        ...payerOf(o.payer, `${path}.payer`, null),
        threshold: P('threshold', money),
        order: P('order', (v, p) => {
          if (v !== 'in-catalogue-first') fail(p, '仅支持 "in-catalogue-first" (only "in-catalogue-first" is supported)');
          return 'in-catalogue-first' as const;
        }),
        tiers,
        tierFor: firstFit(tiers),
      };
    }
    case 'hospital-excess': {
      noExtraKeys(o, [...COMMON_KEYS, 'payer', 'groups', 'share'], path);
      const gs = groups(o.groups, `${path}.groups`);
      return {
        kind,
        ...base,
        ...payerOf(o.payer, `${path}.payer`, null),
        groups: gs,
        eligible: eligibility(gs),
        share: P('share', c.byClass(ratio)),
      };
    }
    case 'top-up': {
      noExtraKeys(o, [...COMMON_KEYS, 'payer', 'groups', 'targetRatio'], path);
      const gs = groups(o.groups, `${path}.groups`);
      return {
        kind,
        ...base,
        ...payerOf(o.payer, `${path}.payer`, null),
        groups: gs,
        eligible: eligibility(gs),
        targetRatio: P('targetRatio', ratio),
      };
    }
    case 'compliant-left': {
      noExtraKeys(o, [...COMMON_KEYS, 'payer', 'tiers'], path);
      const tiers = tiersOf<'rate' | 'threshold' | 'annualCap', number>({ rate: ratio, threshold: money, annualCap: cap });
      return { kind, ...base, ...payerOf(o.payer, `${path}.payer`, null), tiers, tierFor: firstFit(tiers) };
    }
    case 'out-of-catalogue-left': {
      noExtraKeys(o, [...COMMON_KEYS, 'payer', 'tiers'], path);
      const tiers = tiersOf<'rate' | 'annualCap', number>({ rate: ratio, annualCap: cap });
      return { kind, ...base, ...payerOf(o.payer, `${path}.payer`, null), tiers, tierFor: firstFit(tiers) };
    }
  }
}

const ICD_CATEGORY = /^[A-Z][0-9]{2}$/;

function icdRanges(v: unknown, path: string): [string, string][] {
  const list = arr(v, path);
  if (list.length === 0) fail(path, '至少需要一个 ICD-10 范围 (at least one ICD-10 range)');
  return list.map((r, i) => {
    const pair = arr(r, `${path}[${i}]`);
    const a = pair[0];
    const b = pair[1];
    if (pair.length !== 2 || typeof a !== 'string' || typeof b !== 'string' || !ICD_CATEGORY.test(a) || !ICD_CATEGORY.test(b) || a > b) {
      fail(`${path}[${i}]`, 'ICD-10 范围应为 ["C00", "C97"] 形式且起点不大于终点 (a range of two 3-character categories, low to high)');
    }
    return [a, b] as [string, string];
  });
}

/** Validates and compiles a pack. Throws RulesError naming the first invalid field. */
export function compilePack(input: unknown): CompiledPack {
  const root = obj(input, 'pack');
  noExtraKeys(
    root,
    ['format', 'id', 'version', 'name', 'region', 'effective', 'hash', 'documents', 'poorClasses', 'facilityClasses', 'inpatient', 'outpatient', 'grants', 'facilities', 'estimate', 'filings', '$comment'],
    'pack',
  );
  if (root.format !== 1) fail('pack.format', '仅支持格式 1 (only format 1 is supported)');
  const id = str(root.id, 'pack.id');
  if (!/^CN-[0-9]{6}-[0-9]{4}$/.test(id)) fail('pack.id', '应为 CN-行政区划代码-年份，如 CN-140000-2017 (CN-<region code>-<year>)');
  const version = str(root.version, 'pack.version');
  const name = text(root.name, 'pack.name');
  const regionO = obj(root.region, 'pack.region');
  const region = { ...text(regionO, 'pack.region'), code: str(regionO.code, 'pack.region.code') };
  const eff = obj(root.effective, 'pack.effective');
  if (!isIsoDate(eff.from)) fail('pack.effective.from', '应为 ISO 日期 YYYY-MM-DD (an ISO date)');
  if (eff.to !== null && (!isIsoDate(eff.to) || eff.to < eff.from)) {
    fail('pack.effective.to', '应为 null 或不早于起始日期的 ISO 日期 (null or an ISO date not before from)');
  }
  const documents = obj(root.documents, 'pack.documents');
  for (const [k, d] of Object.entries(documents)) {
    const dp = `pack.documents.${k}`;
    const dobj = obj(d, dp);
    noExtraKeys(dobj, ['number', 'title', 'issuer', 'date', 'file'], dp);
    str(dobj.number, `${dp}.number`);
    str(dobj.title, `${dp}.title`);
  }
  if (typeof root.poorClasses !== 'boolean') fail('pack.poorClasses', '应为 true 或 false (a boolean)');

  const c = new Compiler(documents);
  const classesRaw = arr(root.facilityClasses, 'pack.facilityClasses');
  if (classesRaw.length === 0) fail('pack.facilityClasses', '至少需要一个机构类别 (at least one facility class)');
  classesRaw.forEach((fc, i) => {
    const p = `pack.facilityClasses[${i}]`;
    const o = obj(fc, p);
    noExtraKeys(o, ['id', 'zh-CN', 'en', 'tier', 'inArea'], p);
    const cid = str(o.id, `${p}.id`);
    if (c.classIndex.has(cid)) fail(`${p}.id`, `机构类别重复 "${cid}" (duplicate class)`);
    if (typeof o.tier !== 'number' || !Number.isInteger(o.tier) || o.tier < 0) fail(`${p}.tier`, '应为非负整数 (a non-negative integer)');
    if (typeof o.inArea !== 'boolean') fail(`${p}.inArea`, '应为 true 或 false (a boolean)');
    c.classIndex.set(cid, i);
    c.classes.push({ id: cid, ...text(o, p), tier: o.tier, inArea: o.inArea });
  });

  const seenIds = new Set<string>();
  const stages = arr(root.inpatient, 'pack.inpatient').map((s, i) => compileStage(c, s, `pack.inpatient[${i}]`, seenIds));
  const firstKinds = stages.map((s) => s.kind);
  if (firstKinds.filter((k) => k === 'basic').length !== 1 || firstKinds[0] !== 'basic') {
    fail('pack.inpatient[0].kind', '住院规则须以且仅以一个 basic 层开始 (inpatient rules start with exactly one basic stage)');
  }
  const controlAt = firstKinds.indexOf('catalogue-control');
  firstKinds.forEach((k, i) => {
    if ((k === 'control-share' || k === 'hospital-excess') && (controlAt < 0 || controlAt > i)) {
      fail(`pack.inpatient[${i}].kind`, `${k} 需要在其前面有 catalogue-control 层 (needs a catalogue-control stage before it)`);
    }
  });
  if (firstKinds.filter((k) => k === 'catalogue-control').length > 1) {
    fail(`pack.inpatient[${firstKinds.lastIndexOf('catalogue-control')}].kind`, '只能有一个 catalogue-control 层 (one catalogue-control stage at most)');
  }

  let outpatient: CompiledPack['outpatient'] = null;
  if (root.outpatient !== null && root.outpatient !== undefined) {
    const op = obj(root.outpatient, 'pack.outpatient');
    noExtraKeys(op, ['id', 'title', 'basis', 'entries'], 'pack.outpatient');
    const oid = str(op.id, 'pack.outpatient.id');
    if (seenIds.has(oid)) fail('pack.outpatient.id', `id 重复 "${oid}" (duplicate id)`);
    const entryIds = new Set<string>();
    const entries = arr(op.entries, 'pack.outpatient.entries').map((e, i): CDiseaseEntry => {
      const p = `pack.outpatient.entries[${i}]`;
      const o = obj(e, p);
      noExtraKeys(o, ['id', 'zh-CN', 'en', 'category', 'icd', 'groups', 'ratio', 'annualLimit'], p);
      const eid = str(o.id, `${p}.id`);
      if (entryIds.has(eid)) fail(`${p}.id`, `病种 id 重复 "${eid}" (duplicate entry id)`);
      entryIds.add(eid);
      if (!['special', 'other', 'two-diseases'].includes(o.category as string)) {
        fail(`${p}.category`, '应为 special、other 或 two-diseases');
      }
      const gs = groups(o.groups, `${p}.groups`);
      return {
        id: eid,
        index: i,
        name: text(o, p),
        category: o.category as CDiseaseEntry['category'],
        ranges: icdRanges(o.icd, `${p}.icd`),
        groups: gs,
        eligible: eligibility(gs),
        ratio: c.param(o.ratio, `${p}.ratio`, `${oid}.${eid}.ratio`, (v, pp) => ratioBp(v, pp)),
        annualLimit: c.param(o.annualLimit, `${p}.annualLimit`, `${oid}.${eid}.annualLimit`, (v, pp) => moneyFen(v, pp)),
      };
    });
    if (entries.length === 0) fail('pack.outpatient.entries', '至少需要一个病种 (at least one entry), 或将 outpatient 设为 null');
    outpatient = { id: oid, title: text(op.title, 'pack.outpatient.title'), basis: c.source(op.basis, 'pack.outpatient.basis'), entries };
  }

  const grants = arr(root.grants ?? [], 'pack.grants').map((g, i): CGrant => {
    const p = `pack.grants[${i}]`;
    const o = obj(g, p);
    noExtraKeys(o, ['id', 'title', 'basis', 'groups', 'amount', 'once', 'stage', 'diseases', 'diseaseList', 'note'], p);
    const gid = str(o.id, `${p}.id`);
    const gs = groups(o.groups, `${p}.groups`);
    if (typeof o.once !== 'boolean') fail(`${p}.once`, '应为 true 或 false (a boolean)');
    if (o.stage !== 'late' && o.stage !== 'any') fail(`${p}.stage`, '应为 "late" 或 "any"');
    return {
      id: gid,
      title: text(o.title, `${p}.title`),
      basis: c.source(o.basis, `${p}.basis`),
      groups: gs,
      eligible: eligibility(gs),
      amount: c.param(o.amount, `${p}.amount`, `${gid}.amount`, (v, pp) => moneyFen(v, pp)),
      once: o.once,
      stage: o.stage,
      diseases: arr(o.diseases, `${p}.diseases`).map((d, j) => {
        const dp = `${p}.diseases[${j}]`;
        const dobj = obj(d, dp);
        noExtraKeys(dobj, ['id', 'zh-CN', 'en', 'icd'], dp);
        return { id: str(dobj.id, `${dp}.id`), name: text(dobj, dp), ranges: icdRanges(dobj.icd, `${dp}.icd`) };
      }),
      diseaseList: c.source(o.diseaseList, `${p}.diseaseList`),
      note: typeof o.note === 'string' ? o.note : null,
    };
  });

  const facilityIds = new Set<string>();
  const facilities = arr(root.facilities ?? [], 'pack.facilities').map((f, i) => {
    const p = `pack.facilities[${i}]`;
    const o = obj(f, p);
    noExtraKeys(o, ['id', 'zh-CN', 'en', 'class'], p);
    const fid = str(o.id, `${p}.id`);
    if (facilityIds.has(fid)) fail(`${p}.id`, `机构 id 重复 "${fid}" (duplicate facility)`);
    facilityIds.add(fid);
    const classIndex = c.classIndex.get(o.class as string);
    if (classIndex === undefined) fail(`${p}.class`, `未知机构类别 "${String(o.class)}" (not a facility class of the pack)`);
    return { id: fid, name: text(o, p), classIndex };
  });
  let estimateOutShare: CompiledParam<number> | null = null;
  if (root.estimate !== undefined) {
    const e = obj(root.estimate, 'pack.estimate');
    noExtraKeys(e, ['outOfCatalogueShare'], 'pack.estimate');
    if (e.outOfCatalogueShare !== undefined) {
      estimateOutShare = c.param(e.outOfCatalogueShare, 'pack.estimate.outOfCatalogueShare', 'estimate.outOfCatalogueShare', (v, pp) => ratioBp(v, pp));
    }
  }

  const filings = compileFilings(c, root.filings, grants);

  const withoutHash = { ...root };
  delete withoutHash.hash;
  const hash = sha256Hex(canonicalJson(withoutHash));
  if (root.hash !== undefined && root.hash !== hash) {
    fail('pack.hash', `内容哈希不符 (content hash mismatch: the pack says ${String(root.hash)}, its content hashes to ${hash})`, 'pack-hash-mismatch');
  }

  return {
    id,
    version,
    hash,
    name,
    region,
    from: eff.from as string,
    to: (eff.to as string | null) ?? null,
    poorClasses: root.poorClasses,
    documents: documents as PackJson['documents'],
    classes: c.classes,
    classIndex: c.classIndex,
    stages,
    outpatient,
    grants,
    filings,
    facilities,
    estimateOutShare,
    params: c.params,
    assumptions: c.assumptions,
    json: root as unknown as PackJson,
  };
}

const FIELD_DEPENDS: Partial<Record<FilingFieldId, FilingFieldId[]>> = { outOfCatalog: ['total'], lateStage: ['grantDisease'] };
const ESTIMATE_FIELDS: FilingFieldId[] = ['dischargeDate', 'facility', 'total', 'outOfCatalog'];

function compileFilings(c: Compiler, raw: unknown, grants: CGrant[]): FilingTypeRule[] {
  const ids = new Set<string>();
  return arr(raw ?? [], 'pack.filings').map((f, i): FilingTypeRule => {
    const p = `pack.filings[${i}]`;
    const o = obj(f, p);
    noExtraKeys(o, ['id', 'kind', 'title', 'basis', 'groups', 'fields', 'documents', 'review', 'reviewSource', 'estimate', 'outcome', 'grant'], p);
    const id = str(o.id, `${p}.id`);
    if (ids.has(id)) fail(`${p}.id`, `代办类型 id 重复 "${id}" (duplicate filing type)`);
    ids.add(id);
    if (!FILING_KINDS.includes(o.kind as FilingKind)) fail(`${p}.kind`, `应为 ${FILING_KINDS.join('、')} 之一 (unknown filing kind)`);
    const fieldIds = new Set<FilingFieldId>();
    const fields = arr(o.fields, `${p}.fields`).map((x, j) => {
      const fp = `${p}.fields[${j}]`;
      const fo = obj(x, fp);
      noExtraKeys(fo, ['id', 'required'], fp);
      if (!FILING_FIELD_IDS.includes(fo.id as FilingFieldId)) fail(`${fp}.id`, `未知字段 "${String(fo.id)}" (one of ${FILING_FIELD_IDS.join(', ')})`);
      if (fieldIds.has(fo.id as FilingFieldId)) fail(`${fp}.id`, `字段重复 "${String(fo.id)}" (duplicate field)`);
      if (typeof fo.required !== 'boolean') fail(`${fp}.required`, '应为 true 或 false (a boolean)');
      fieldIds.add(fo.id as FilingFieldId);
      return { id: fo.id as FilingFieldId, required: fo.required };
    });
    fields.forEach((fd, j) => {
      for (const dep of FIELD_DEPENDS[fd.id] ?? []) if (!fieldIds.has(dep)) fail(`${p}.fields[${j}].id`, `字段 ${fd.id} 需要同时有字段 ${dep} (needs the field ${dep})`);
    });
    const docIds = new Set<string>();
    const documents = arr(o.documents, `${p}.documents`).map((x, j) => {
      const dp = `${p}.documents[${j}]`;
      const d = obj(x, dp);
      noExtraKeys(d, ['id', 'zh-CN', 'en', 'required', 'min'], dp);
      const did = str(d.id, `${dp}.id`);
      if (!/^[a-z][a-z0-9-]*$/.test(did) || did.startsWith('consent')) fail(`${dp}.id`, '应为小写字母、数字和连字符，且不以 consent 开头 (lower-case id, not consent…)');
      if (docIds.has(did)) fail(`${dp}.id`, `材料重复 "${did}" (duplicate document)`);
      docIds.add(did);
      if (typeof d.required !== 'boolean') fail(`${dp}.required`, '应为 true 或 false (a boolean)');
      if (d.min !== undefined && (typeof d.min !== 'number' || !Number.isInteger(d.min) || d.min < 1 || d.min > 20)) fail(`${dp}.min`, '应为 1 到 20 的整数 (an integer from 1 to 20)');
      return { id: did, ...text(d, dp), required: d.required, ...(d.min !== undefined ? { min: d.min as number } : {}) };
    });
    if (documents.length === 0) fail(`${p}.documents`, '至少需要一种材料 (at least one document)');
    const stageIds = new Set<string>();
    const review = arr(o.review, `${p}.review`).map((x, j) => {
      const rp = `${p}.review[${j}]`;
      const r = obj(x, rp);
      noExtraKeys(r, ['id', 'zh-CN', 'en', 'level', 'office'], rp);
      const rid = str(r.id, `${rp}.id`);
      if (stageIds.has(rid)) fail(`${rp}.id`, `审核环节重复 "${rid}" (duplicate stage)`);
      stageIds.add(rid);
      if (r.level !== 'village' && r.level !== 'township' && r.level !== 'county') fail(`${rp}.level`, '应为 village、township 或 county');
      if (r.level === 'village' && j !== 0) fail(`${rp}.level`, '村委会确认只能是第一个环节 (a village stage can only come first)');
      return { id: rid, ...text(r, rp), level: r.level as ReviewLevel, office: text(r.office, `${rp}.office`) };
    });
    if (!review.some((r) => r.level !== 'village')) fail(`${p}.review`, '至少需要一个乡镇或县级审核环节 (at least one township or county stage)');
    if (typeof o.estimate !== 'boolean') fail(`${p}.estimate`, '应为 true 或 false (a boolean)');
    if (o.estimate) {
      for (const need of ESTIMATE_FIELDS) if (!fields.some((fd) => fd.id === need && fd.required)) fail(`${p}.estimate`, `附测算需要必填字段 ${need} (an estimate needs the required field ${need})`);
    }
    if (o.outcome !== 'amount' && o.outcome !== 'decision') fail(`${p}.outcome`, '应为 amount 或 decision');
    let grant: string | undefined;
    if (o.grant !== undefined) {
      grant = str(o.grant, `${p}.grant`);
      if (!grants.some((g) => g.id === grant)) fail(`${p}.grant`, `未知救助项目 "${grant}" (not a grant of the pack)`);
      if (o.outcome !== 'amount') fail(`${p}.outcome`, '救助类代办的结果应为 amount (a grant filing approves an amount)');
    }
    if (fieldIds.has('grantDisease') && grant === undefined) fail(`${p}.grant`, '有 grantDisease 字段时须指明救助项目 (grantDisease needs a grant)');
    return {
      id,
      kind: o.kind as FilingKind,
      title: text(o.title, `${p}.title`),
      basis: c.source(o.basis, `${p}.basis`),
      groups: groups(o.groups, `${p}.groups`),
      fields,
      documents,
      review,
      reviewSource: c.source(o.reviewSource, `${p}.reviewSource`),
      estimate: o.estimate,
      outcome: o.outcome,
      ...(grant !== undefined ? { grant } : {}),
    };
  });
}

/** The hash a pack's JSON should carry in its "hash" field. */
export function packHash(input: unknown): string {
  const o = { ...(obj(input, 'pack') as Record<string, unknown>) };
  delete o.hash;
  return sha256Hex(canonicalJson(o));
}

export type { Stage };
