/**
 * The settlement scenario (SETTLE-FORMAT.md): parse and check the JSON input, settle it with the
 * engine, and shape the JSON output. Shared by the settle command, the server and the browser.
 */
import { isIsoDate } from './dates.ts';
import { Settlement, type EngineClaim, type TraceStep } from './engine.ts';
import { RulesError } from './errors.ts';
import { formatFen, parseAmount, type AmountProblem } from './money.ts';
import type { CompiledPack } from './pack.ts';
import { PAYERS, type Payer } from './pack-types.ts';
import { statusOn, type DatedStatus, type PersonStatus } from './status.ts';

export interface ParsedScenario {
  pack: CompiledPack;
  /** Sorted by from; the first entry has from = null. */
  history: DatedStatus[];
  claims: EngineClaim[];
}

export interface ScenarioClaimOutput {
  payers: Record<Payer, string>;
  patient: string;
  trace?: TraceStep[];
}

export interface ScenarioOutput {
  policy: { id: string; version: string; hash: string; assumptions: string[] };
  claims: ScenarioClaimOutput[];
  totals: { payers: Record<Payer, string>; patient: string };
}

const AMOUNT_MESSAGES: Record<AmountProblem, string> = {
  type: '应为金额字符串或数字 (expected an amount as a string or number)',
  format: '不是有效金额 (not a valid amount)',
  decimals: '金额最多两位小数 (at most two decimals)',
  negative: '金额不能为负 (must not be negative)',
  fullwidth: '请使用半角数字 (use ASCII digits, not full-width)',
  'not-finite': '金额必须是有限数字 (must be a finite number)',
  'too-large': '金额过大，上限 99,999,999.99 (too large)',
};

export function amountOrFail(v: unknown, path: string): number {
  if (v === undefined || v === null) throw new RulesError('required', path, '必填 (required)');
  const r = parseAmount(v);
  if ('problem' in r) throw new RulesError(`amount-${r.problem}`, path, AMOUNT_MESSAGES[r.problem]);
  return r.fen;
}

function objectOrFail(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RulesError('type', path, '应为对象 (expected an object)');
  return v as Record<string, unknown>;
}

const ICD_RE = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;

/** Normalizes an ICD-10 code ("c34.1" → "C34.1") or returns null when it is not one. */
export function normalizeIcd(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim().toUpperCase();
  return ICD_RE.test(s) ? s : null;
}

function parseStatus(raw: unknown, path: string, pack: CompiledPack): PersonStatus {
  const o = objectOrFail(raw, path);
  if (typeof o.registeredPoor !== 'boolean') {
    throw new RulesError('type', `${path}.registeredPoor`, '应为 true 或 false (registered poor must be a boolean)');
  }
  const pc = o.poorClass ?? null;
  if (pc !== null && pc !== 1 && pc !== 2) throw new RulesError('type', `${path}.poorClass`, '应为 1、2 或 null (poorClass is 1, 2 or null)');
  const as = o.assistance ?? null;
  if (as !== null && as !== 'tekun' && as !== 'dibao') {
    throw new RulesError('type', `${path}.assistance`, '应为 "tekun"（特困）、"dibao"（低保）或 null');
  }
  if (pc !== null && !o.registeredPoor) {
    throw new RulesError('inconsistent', `${path}.poorClass`, '非建档立卡贫困人口不应有贫困类别 (poorClass is set but registeredPoor is false)');
  }
  if (pack.poorClasses && o.registeredPoor && pc === null) {
    throw new RulesError('required', `${path}.poorClass`, `政策 ${pack.id} 区分一类、二类贫困人口，请填写贫困类别 (the pack distinguishes class 1 and 2)`);
  }
  return { registeredPoor: o.registeredPoor, poorClass: pc as 1 | 2 | null, assistance: as as PersonStatus['assistance'] };
}

/**
 * Parses and checks a scenario against a pack resolver. Throws RulesError naming the first
 * offending field ("claims[1].outOfCatalog").
 */
export function parseScenario(input: unknown, resolvePack: (id: string, path: string) => CompiledPack): ParsedScenario {
  const root = objectOrFail(input, 'scenario');
  if (typeof root.policy !== 'string' || root.policy === '') throw new RulesError('required', 'policy', '请指定政策包 id (policy pack id required)');
  const pack = resolvePack(root.policy, 'policy');

  const person = objectOrFail(root.person, 'person');
  const history: DatedStatus[] = [{ from: null, ...parseStatus(person, 'person', pack) }];
  if (person.history !== undefined) {
    if (!Array.isArray(person.history)) throw new RulesError('type', 'person.history', '应为数组 (expected an array)');
    person.history.forEach((h, i) => {
      const p = `person.history[${i}]`;
      const ho = objectOrFail(h, p);
      if (!isIsoDate(ho.from)) throw new RulesError('date', `${p}.from`, '应为有效的 ISO 日期 YYYY-MM-DD (a valid ISO date)');
      const prev = history[history.length - 1]!.from;
      if (prev !== null && ho.from <= prev) throw new RulesError('order', `${p}.from`, '身份变更须按日期先后排列 (history must be in date order)');
      history.push({ from: ho.from, ...parseStatus(ho, p, pack) });
    });
  }

  if (!Array.isArray(root.claims)) throw new RulesError('type', 'claims', '应为数组 (expected an array of claims)');
  const claims = root.claims.map((c, i): EngineClaim => {
    const p = `claims[${i}]`;
    const o = objectOrFail(c, p);
    if (!isIsoDate(o.date)) throw new RulesError('date', `${p}.date`, '应为有效的 ISO 日期 YYYY-MM-DD (a valid ISO date)');
    if (o.date < pack.from) {
      throw new RulesError('before-policy', `${p}.date`, `${o.date} 早于政策 ${pack.id} 的生效日期 ${pack.from} (before the pack takes effect)`);
    }
    if (pack.to !== null && o.date > pack.to) {
      throw new RulesError('after-policy', `${p}.date`, `${o.date} 晚于政策 ${pack.id} 的失效日期 ${pack.to} (after the pack ends)`);
    }
    if (o.kind !== 'inpatient' && o.kind !== 'outpatient-chronic') {
      throw new RulesError('kind', `${p}.kind`, '应为 "inpatient"（住院）或 "outpatient-chronic"（门诊慢特病）');
    }
    const facility = objectOrFail(o.facility, `${p}.facility`);
    const classIndex = typeof facility.class === 'string' ? pack.classIndex.get(facility.class) : undefined;
    if (classIndex === undefined) {
      throw new RulesError(
        'unknown-facility-class',
        `${p}.facility.class`,
        `政策 ${pack.id} 没有机构类别 "${String(facility.class)}" (one of ${pack.classes.map((k) => k.id).join(', ')})`,
      );
    }
    const total = amountOrFail(o.total, `${p}.total`);
    const outOfCatalog = amountOrFail(o.outOfCatalog, `${p}.outOfCatalog`);
    if (outOfCatalog > total) {
      throw new RulesError('out-of-catalog-exceeds-total', `${p}.outOfCatalog`, `目录外费用 ${formatFen(outOfCatalog)} 大于总费用 ${formatFen(total)} (outOfCatalog exceeds total)`);
    }
    let disease: string | null = null;
    if (o.kind === 'outpatient-chronic') {
      if (o.disease === undefined || o.disease === null || o.disease === '') {
        throw new RulesError('required', `${p}.disease`, '门诊慢特病须填写 ICD-10 疾病编码 (an ICD-10 code is required)');
      }
      disease = normalizeIcd(o.disease);
      if (disease === null) throw new RulesError('icd', `${p}.disease`, `"${String(o.disease)}" 不是 ICD-10 编码，如 I10、C34.1 (not an ICD-10 code)`);
    }
    return { date: o.date, kind: o.kind, classIndex, total, outOfCatalog, disease };
  });
  return { pack, history, claims };
}

function payerRecord(fen: readonly number[]): Record<Payer, string> {
  return {
    basic: formatFen(fen[0]!),
    critical: formatFen(fen[1]!),
    backstop: formatFen(fen[2]!),
    supplementary: formatFen(fen[3]!),
    assistance: formatFen(fen[4]!),
    hospital: formatFen(fen[5]!),
  };
}

export interface SettledScenario {
  /** In input order. */
  results: { payers: number[]; patient: number; trace: TraceStep[] | null }[];
  totals: { payers: number[]; patient: number };
  assumptions: string[];
}

/** Settles the claims in date order (stable), returning results in input order. */
export function settleParsed(s: ParsedScenario, withTrace: boolean): SettledScenario {
  const order = s.claims.map((_, i) => i).sort((a, b) => {
    const da = s.claims[a]!.date;
    const db = s.claims[b]!.date;
    return da < db ? -1 : da > db ? 1 : a - b;
  });
  const st = new Settlement(s.pack, withTrace);
  const results: SettledScenario['results'] = new Array(s.claims.length);
  const totals = [0, 0, 0, 0, 0, 0];
  let patient = 0;
  for (const i of order) {
    const c = s.claims[i]!;
    const r = st.settle(c, statusOn(s.history, c.date), `claims[${i}]`);
    results[i] = r;
    for (let k = 0; k < 6; k++) totals[k]! += r.payers[k]!;
    patient += r.patient;
  }
  return { results, totals: { payers: totals, patient }, assumptions: st.assumptions() };
}

/** The settle command's output for a parsed scenario. */
export function scenarioOutput(s: ParsedScenario, settled: SettledScenario, withTrace: boolean): ScenarioOutput {
  return {
    policy: { id: s.pack.id, version: s.pack.version, hash: s.pack.hash, assumptions: settled.assumptions },
    claims: settled.results.map((r) => {
      const out: ScenarioClaimOutput = { payers: payerRecord(r.payers), patient: formatFen(r.patient) };
      if (withTrace && r.trace) out.trace = r.trace;
      return out;
    }),
    totals: { payers: payerRecord(settled.totals.payers), patient: formatFen(settled.totals.patient) },
  };
}

/** Parse, settle and shape in one call. */
export function runScenario(input: unknown, resolvePack: (id: string, path: string) => CompiledPack, withTrace = true): ScenarioOutput {
  const parsed = parseScenario(input, resolvePack);
  return scenarioOutput(parsed, settleParsed(parsed, withTrace), withTrace);
}

export { PAYERS };
