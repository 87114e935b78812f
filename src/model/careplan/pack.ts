/**
 * Care-plan packs: follow-up intervals, blood-pressure and glucose thresholds, danger readings,
 * household-visit intervals, contract and insurance windows — as versioned data, each number with
 * its source (a document of the pack and the clause it is in, or a verbatim quote) or marked an
 * assumption with why (like the policy packs of src/rules, and OpenFisca's parameters).
 *
 * `loadCarePack` checks a pack and refuses it with a RulesError naming the first bad field
 * (`careplan.followup.hypertension.perYear.value`), then compiles it to plain integers.
 */
import { RulesError } from '../../rules/errors.ts';
import { canonicalJson, sha256Hex } from '../../rules/sha256.ts';
import { isIsoDate } from '../../rules/dates.ts';
import { DISEASES, FOLLOWUP_WAYS, SYMPTOMS, type Disease, type FollowupWay, type Symptom } from './records.ts';

export type CareSource = { doc: string; clause?: string; quote?: string; /** False when the pack holds no copy of the document. */ verified: boolean } | { assumption: string };

export interface CareParam<T> {
  /** Dotted name, e.g. "followup.hypertension.perYear". */
  name: string;
  value: T;
  source: CareSource;
  note?: string;
}

export interface BpTarget {
  minAge: CareParam<number>;
  sbpBelow: CareParam<number>;
  dbpBelow: CareParam<number>;
}

export interface DangerRules {
  sbpAtLeast: CareParam<number> | null;
  dbpAtLeast: CareParam<number> | null;
  heartRateAbove: CareParam<number> | null;
  /** 0.1 mmol/L. */
  glucoseAtLeast: CareParam<number> | null;
  glucoseAtMost: CareParam<number> | null;
  symptoms: CareParam<Symptom[]>;
  /** Signs that are dangerous only with a reading above the control target (pregnancy). */
  symptomsAboveTarget: CareParam<Symptom[]>;
}

export interface DiseaseRules {
  perYear: CareParam<number>;
  faceToFaceWays: FollowupWay[];
  /** Blood-pressure targets by age, lowest minAge first (hypertension). */
  targets: BpTarget[];
  /** Fasting glucose target, 0.1 mmol/L (diabetes). */
  glucoseBelow: CareParam<number> | null;
  danger: DangerRules;
}

export type WindowKind = 'followup' | 'recheck' | 'householdVisit' | 'measure' | 'filing';
export const WINDOW_KINDS: readonly WindowKind[] = ['followup', 'recheck', 'householdVisit', 'measure', 'filing'];

export interface TaskWindow {
  /** Shown this many days before the due date… */
  before: CareParam<number>;
  /** …due until this many days after it, then overdue. */
  after: CareParam<number>;
}

export const POVERTY_KEYS = ['monitored', 'poor', 'lifted', 'none'] as const;
export type PovertyKey = (typeof POVERTY_KEYS)[number];

export interface CarePack {
  id: string;
  version: string;
  hash: string;
  name: { 'zh-CN': string; en: string };
  from: string;
  to: string | null;
  documents: Record<string, { number: string; title: string; issuer?: string; held: boolean; note?: string }>;
  followup: Record<Disease, DiseaseRules> & {
    recheckDays: CareParam<number>;
    routineMonths: CareParam<number>;
    referAfterUnsatisfactory: CareParam<number>;
  };
  households: { intervalDays: Record<PovertyKey, CareParam<number>> };
  contracts: { termMonths: CareParam<number>; renewBeforeDays: CareParam<number>; graceDays: CareParam<number> };
  /** Month-days ("09-01") of the year before the insured year; until before from runs into the insured year. */
  insurance: { contributionFrom: CareParam<string>; contributionUntil: CareParam<string>; pressDays: CareParam<number> };
  windows: Record<WindowKind, TaskWindow>;
  /** Every parameter by name. */
  params: Map<string, CareParam<unknown>>;
  /** Names of the parameters that are assumptions. */
  assumptions: string[];
  /** Names of the parameters whose source document the pack holds no copy of. */
  unverified: string[];
}

// ---------------------------------------------------------------------------------------------

const CODE = 'invalid-careplan-pack';

function fail(path: string, detail: string, code = CODE): never {
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

function noExtraKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${path}.${k}`, `未知字段 (unknown field "${k}")`);
}

const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

class Loader {
  readonly params = new Map<string, CareParam<unknown>>();
  readonly assumptions: string[] = [];
  readonly unverified: string[] = [];
  constructor(readonly documents: CarePack['documents']) {}

  param<T>(v: unknown, path: string, name: string, parse: (value: unknown, path: string) => T): CareParam<T> {
    const o = obj(v, path);
    noExtraKeys(o, ['value', 'source', 'assumption', 'note'], path);
    if (!('value' in o)) fail(`${path}.value`, '缺少参数值 (missing value)');
    const value = parse(o.value, `${path}.value`);
    let source: CareSource;
    if ('assumption' in o) {
      if ('source' in o) fail(`${path}.assumption`, '来源与假设只能有一个 (a source or an assumption, not both)');
      source = { assumption: str(o.assumption, `${path}.assumption`) };
      this.assumptions.push(name);
    } else if ('source' in o) {
      const s = obj(o.source, `${path}.source`);
      noExtraKeys(s, ['doc', 'clause', 'quote'], `${path}.source`);
      const doc = str(s.doc, `${path}.source.doc`);
      const d = this.documents[doc];
      if (!d) fail(`${path}.source.doc`, `未知文件 "${doc}" (not among the pack's documents)`);
      if (s.clause === undefined && s.quote === undefined) fail(`${path}.source`, '须有条款或原文 (a clause or a quote)');
      source = { doc, verified: d.held };
      if (s.clause !== undefined) source.clause = str(s.clause, `${path}.source.clause`);
      if (s.quote !== undefined) {
        if (!d.held) fail(`${path}.source.quote`, '未持有原文的文件不能引用原文 (no quote from a document the pack holds no copy of)');
        source.quote = str(s.quote, `${path}.source.quote`);
      }
      if (!d.held) this.unverified.push(name);
    } else {
      fail(`${path}.source`, '每个数字都要有来源或假设 (every number needs a source or an assumption)');
    }
    if (this.params.has(name)) fail(path, `参数名重复 "${name}" (duplicate parameter name)`);
    const p: CareParam<T> = { name, value, source };
    if (o.note !== undefined) p.note = str(o.note, `${path}.note`);
    this.params.set(name, p as CareParam<unknown>);
    return p;
  }

  int(lo: number, hi: number) {
    return (v: unknown, path: string): number => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(path, `应为 ${lo} 到 ${hi} 的整数 (an integer from ${lo} to ${hi})`);
      return v;
    };
  }

  optional(v: unknown, path: string, name: string, lo: number, hi: number): CareParam<number> | null {
    return v === null || v === undefined ? null : this.param(v, path, name, this.int(lo, hi));
  }
}

function symptoms(v: unknown, path: string): Symptom[] {
  return arr(v, path).map((s, i) => {
    if (!SYMPTOMS.includes(s as Symptom)) fail(`${path}[${i}]`, `未知症状 "${String(s)}" (not a symptom code of the records)`);
    return s as Symptom;
  });
}

function disease(l: Loader, raw: unknown, path: string, d: Disease): DiseaseRules {
  const o = obj(raw, path);
  noExtraKeys(o, ['perYear', 'faceToFaceWays', 'targets', 'glucoseBelow', 'danger'], path);
  const n = `followup.${d}`;
  const ways = arr(o.faceToFaceWays, `${path}.faceToFaceWays`).map((w, i) => {
    if (!FOLLOWUP_WAYS.includes(w as FollowupWay)) fail(`${path}.faceToFaceWays[${i}]`, `未知随访方式 "${String(w)}" (one of ${FOLLOWUP_WAYS.join(', ')})`);
    return w as FollowupWay;
  });
  const targets = arr(o.targets ?? [], `${path}.targets`).map((t, i): BpTarget => {
    const tp = `${path}.targets[${i}]`;
    const to = obj(t, tp);
    noExtraKeys(to, ['minAge', 'sbpBelow', 'dbpBelow'], tp);
    const target = {
      minAge: l.param(to.minAge, `${tp}.minAge`, `${n}.targets[${i}].minAge`, l.int(0, 120)),
      sbpBelow: l.param(to.sbpBelow, `${tp}.sbpBelow`, `${n}.targets[${i}].sbpBelow`, l.int(90, 200)),
      dbpBelow: l.param(to.dbpBelow, `${tp}.dbpBelow`, `${n}.targets[${i}].dbpBelow`, l.int(50, 130)),
    };
    if (target.dbpBelow.value >= target.sbpBelow.value) fail(`${tp}.dbpBelow.value`, '应低于收缩压目标 (below the systolic target)');
    return target;
  });
  targets.forEach((t, i) => {
    if (i === 0 && t.minAge.value !== 0) fail(`${path}.targets[0].minAge.value`, '第一个目标应从 0 岁起 (the first target starts at age 0)');
    if (i > 0 && t.minAge.value <= targets[i - 1]!.minAge.value) fail(`${path}.targets[${i}].minAge.value`, '年龄应递增 (ages must increase)');
  });
  const glucoseBelow = l.optional(o.glucoseBelow, `${path}.glucoseBelow`, `${n}.glucoseBelow`, 40, 200);
  if (targets.length === 0 && glucoseBelow === null) fail(`${path}.targets`, '须有血压目标或血糖目标 (a blood-pressure or a glucose target)');
  const dp = `${path}.danger`;
  const dg = obj(o.danger, dp);
  noExtraKeys(dg, ['sbpAtLeast', 'dbpAtLeast', 'heartRateAbove', 'glucoseAtLeast', 'glucoseAtMost', 'symptoms', 'symptomsAboveTarget'], dp);
  const danger: DangerRules = {
    sbpAtLeast: l.optional(dg.sbpAtLeast, `${dp}.sbpAtLeast`, `${n}.danger.sbpAtLeast`, 120, 280),
    dbpAtLeast: l.optional(dg.dbpAtLeast, `${dp}.dbpAtLeast`, `${n}.danger.dbpAtLeast`, 70, 180),
    heartRateAbove: l.optional(dg.heartRateAbove, `${dp}.heartRateAbove`, `${n}.danger.heartRateAbove`, 60, 220),
    glucoseAtLeast: l.optional(dg.glucoseAtLeast, `${dp}.glucoseAtLeast`, `${n}.danger.glucoseAtLeast`, 70, 400),
    glucoseAtMost: l.optional(dg.glucoseAtMost, `${dp}.glucoseAtMost`, `${n}.danger.glucoseAtMost`, 10, 70),
    symptoms: l.param(dg.symptoms, `${dp}.symptoms`, `${n}.danger.symptoms`, symptoms),
    symptomsAboveTarget: l.param(dg.symptomsAboveTarget, `${dp}.symptomsAboveTarget`, `${n}.danger.symptomsAboveTarget`, symptoms),
  };
  if (danger.glucoseAtLeast && danger.glucoseAtMost && danger.glucoseAtMost.value >= danger.glucoseAtLeast.value) {
    fail(`${dp}.glucoseAtMost.value`, '低血糖界值应低于高血糖界值 (the low-glucose bound must be below the high one)');
  }
  if (danger.glucoseAtLeast && glucoseBelow && danger.glucoseAtLeast.value < glucoseBelow.value) {
    fail(`${dp}.glucoseAtLeast.value`, '危急界值不应低于控制目标 (a danger bound below the control target)');
  }
  return { perYear: l.param(o.perYear, `${path}.perYear`, `${n}.perYear`, l.int(1, 52)), faceToFaceWays: ways, targets, glucoseBelow, danger };
}

/** Validates and compiles a care-plan pack. Throws RulesError naming the first invalid field. */
export function loadCarePack(input: unknown): CarePack {
  const root = obj(input, 'careplan');
  noExtraKeys(root, ['format', 'kind', 'id', 'version', 'name', 'effective', 'hash', 'documents', 'followup', 'households', 'contracts', 'insurance', 'windows', '$comment'], 'careplan');
  if (root.format !== 1) fail('careplan.format', '仅支持格式 1 (only format 1 is supported)');
  if (root.kind !== 'careplan') fail('careplan.kind', '应为 "careplan" (not a care-plan pack)');
  const id = str(root.id, 'careplan.id');
  if (!/^CN-[A-Za-z0-9]+-[0-9]{4}$/.test(id)) fail('careplan.id', '应为 CN-地区-年份，如 CN-national-2017 (CN-<region>-<year>)');
  const version = str(root.version, 'careplan.version');
  const nameO = obj(root.name, 'careplan.name');
  const name = { 'zh-CN': str(nameO['zh-CN'], 'careplan.name.zh-CN'), en: str(nameO.en, 'careplan.name.en') };
  const eff = obj(root.effective, 'careplan.effective');
  if (!isIsoDate(eff.from)) fail('careplan.effective.from', '应为 ISO 日期 YYYY-MM-DD (an ISO date)');
  if (eff.to !== null && (!isIsoDate(eff.to) || eff.to < eff.from)) fail('careplan.effective.to', '应为 null 或不早于起始日期的 ISO 日期 (null or an ISO date not before from)');

  const documents: CarePack['documents'] = {};
  for (const [k, d] of Object.entries(obj(root.documents, 'careplan.documents'))) {
    const p = `careplan.documents.${k}`;
    const o = obj(d, p);
    noExtraKeys(o, ['number', 'title', 'issuer', 'held', 'note'], p);
    if (typeof o.held !== 'boolean') fail(`${p}.held`, '应为 true 或 false：是否持有原文 (whether the pack holds a copy)');
    documents[k] = { number: str(o.number, `${p}.number`), title: str(o.title, `${p}.title`), held: o.held };
    if (o.issuer !== undefined) documents[k]!.issuer = str(o.issuer, `${p}.issuer`);
    if (o.note !== undefined) documents[k]!.note = str(o.note, `${p}.note`);
  }
  const l = new Loader(documents);

  const fu = obj(root.followup, 'careplan.followup');
  noExtraKeys(fu, [...DISEASES, 'recheckDays', 'routineMonths', 'referAfterUnsatisfactory'], 'careplan.followup');
  const hypertension = disease(l, fu.hypertension, 'careplan.followup.hypertension', 'hypertension');
  const diabetes2 = disease(l, fu.diabetes2, 'careplan.followup.diabetes2', 'diabetes2');
  const recheckDays = l.param(fu.recheckDays, 'careplan.followup.recheckDays', 'followup.recheckDays', l.int(1, 90));
  const routineMonths = l.param(fu.routineMonths, 'careplan.followup.routineMonths', 'followup.routineMonths', l.int(1, 12));
  const referAfterUnsatisfactory = l.param(fu.referAfterUnsatisfactory, 'careplan.followup.referAfterUnsatisfactory', 'followup.referAfterUnsatisfactory', l.int(1, 10));
  for (const [d, r] of [['hypertension', hypertension], ['diabetes2', diabetes2]] as const) {
    if (Math.ceil(12 / routineMonths.value) < r.perYear.value) {
      fail('careplan.followup.routineMonths.value', `每 ${routineMonths.value} 个月一次达不到 ${d} 每年 ${r.perYear.value} 次 (too far apart for ${r.perYear.value} a year)`);
    }
  }

  const hh = obj(root.households, 'careplan.households');
  noExtraKeys(hh, ['intervalDays'], 'careplan.households');
  const iv = obj(hh.intervalDays, 'careplan.households.intervalDays');
  noExtraKeys(iv, POVERTY_KEYS, 'careplan.households.intervalDays');
  const intervalDays = Object.fromEntries(
    POVERTY_KEYS.map((k) => [k, l.param(iv[k], `careplan.households.intervalDays.${k}`, `households.intervalDays.${k}`, l.int(1, 730))]),
  ) as Record<PovertyKey, CareParam<number>>;

  const ct = obj(root.contracts, 'careplan.contracts');
  noExtraKeys(ct, ['termMonths', 'renewBeforeDays', 'graceDays'], 'careplan.contracts');
  const contracts = {
    termMonths: l.param(ct.termMonths, 'careplan.contracts.termMonths', 'contracts.termMonths', l.int(1, 60)),
    renewBeforeDays: l.param(ct.renewBeforeDays, 'careplan.contracts.renewBeforeDays', 'contracts.renewBeforeDays', l.int(0, 180)),
    graceDays: l.param(ct.graceDays, 'careplan.contracts.graceDays', 'contracts.graceDays', l.int(0, 180)),
  };
  if (contracts.renewBeforeDays.value >= contracts.termMonths.value * 28) fail('careplan.contracts.renewBeforeDays.value', '续约提醒期不应长于签约期 (longer than the contract)');

  const ins = obj(root.insurance, 'careplan.insurance');
  noExtraKeys(ins, ['contributionFrom', 'contributionUntil', 'pressDays'], 'careplan.insurance');
  const monthDay = (v: unknown, p: string): string => {
    if (typeof v !== 'string' || !MONTH_DAY.test(v) || v === '02-29') fail(p, '应为月-日，如 "09-01"，且不是 02-29 (a month-day such as "09-01", not 02-29)');
    return v;
  };
  const insurance = {
    contributionFrom: l.param(ins.contributionFrom, 'careplan.insurance.contributionFrom', 'insurance.contributionFrom', monthDay),
    contributionUntil: l.param(ins.contributionUntil, 'careplan.insurance.contributionUntil', 'insurance.contributionUntil', monthDay),
    pressDays: l.param(ins.pressDays, 'careplan.insurance.pressDays', 'insurance.pressDays', l.int(0, 180)),
  };

  const wr = obj(root.windows, 'careplan.windows');
  noExtraKeys(wr, WINDOW_KINDS, 'careplan.windows');
  const windows = {} as Record<WindowKind, TaskWindow>;
  for (const k of WINDOW_KINDS) {
    const p = `careplan.windows.${k}`;
    const o = obj(wr[k], p);
    noExtraKeys(o, ['before', 'after'], p);
    const before = o.before === undefined && k === 'filing' ? { name: `windows.${k}.before`, value: 0, source: { assumption: 'due at once' } } : l.param(o.before, `${p}.before`, `windows.${k}.before`, l.int(0, 90));
    windows[k] = { before, after: l.param(o.after, `${p}.after`, `windows.${k}.after`, l.int(0, 365)) };
  }
  // A record saved today must move its task out of sight: a window may not open before the interval
  // that record starts has run (else the visit just made would show as the next one due).
  if (windows.recheck.before.value >= recheckDays.value) fail('careplan.windows.recheck.before.value', `应短于复诊间隔 ${recheckDays.value} 天 (shorter than the re-visit interval)`);
  if (windows.followup.before.value >= routineMonths.value * 28) fail('careplan.windows.followup.before.value', '应短于常规随访间隔 (shorter than the routine interval)');
  const minVisit = Math.min(...POVERTY_KEYS.map((k) => intervalDays[k].value));
  if (windows.householdVisit.before.value >= minVisit) fail('careplan.windows.householdVisit.before.value', `应短于最短走访间隔 ${minVisit} 天 (shorter than the shortest visit interval)`);

  const withoutHash = { ...root };
  delete withoutHash.hash;
  const hash = sha256Hex(canonicalJson(withoutHash));
  if (root.hash !== undefined && root.hash !== hash) {
    fail('careplan.hash', `内容哈希不符 (content hash mismatch: the pack says ${String(root.hash)}, its content hashes to ${hash})`, 'careplan-pack-hash-mismatch');
  }

  return {
    id,
    version,
    hash,
    name,
    from: eff.from as string,
    to: (eff.to as string | null) ?? null,
    documents,
    followup: { hypertension, diabetes2, recheckDays, routineMonths, referAfterUnsatisfactory },
    households: { intervalDays },
    contracts,
    insurance,
    windows,
    params: l.params,
    assumptions: l.assumptions,
    unverified: l.unverified,
  };
}

/** The hash a care-plan pack's JSON should carry in its "hash" field. */
export function carePackHash(input: unknown): string {
  const o = { ...obj(input, 'careplan') };
  delete o.hash;
  return sha256Hex(canonicalJson(o));
}
