/**
 * The estimate screen's arithmetic, kept apart from the screen so it can be tested in Node: the
 * member's claims recorded this year are settled first (they make the year's accumulators), then
 * the case being estimated, with its trace. Pure; no database.
 */
import {
  amountOrFail,
  isIsoDate,
  normalizeIcd,
  RulesError,
  Settlement,
  statusOn,
  type CompiledPack,
  type DatedStatus,
  type EngineClaim,
  type PersonStatus,
  type TraceStep,
  type YearContextItem,
} from '../rules/index.ts';
import { isRegisteredPoor, type StatusRecord } from './roster.ts';

export interface EstimateForm {
  date: string;
  kind: 'inpatient' | 'outpatient-chronic';
  disease: string;
  /** "f:<facility id>" for a named facility, "c:<class id>" for a class. */
  facility: string;
  total: string;
  outOfCatalog: string;
  /** The patient does not know the out-of-catalogue cost: show a range instead. */
  outUnknown: boolean;
}

export type EstimateField = keyof EstimateForm | 'person';

/** A claim already recorded in the member's ledger, in fen. */
export interface PriorClaim {
  id: string;
  date: string;
  kind: 'inpatient' | 'outpatient-chronic';
  facilityClass: string;
  total: number;
  outOfCatalog: number;
  disease: string | null;
}

export interface Settled {
  payers: number[];
  patient: number;
  trace: TraceStep[];
  assumptions: string[];
}

export interface EstimateOk {
  ok: true;
  claim: EngineClaim;
  /** The estimate; with an unknown out-of-catalogue cost, the case with none. */
  result: Settled;
  /** With an unknown out-of-catalogue cost: the case at the upper bound, and that bound. */
  high: { result: Settled; outOfCatalog: number; share: number; assumed: boolean } | null;
  /** The year so far, before this claim. */
  context: YearContextItem[];
  /** Recorded claims of this year before the date that were settled first. */
  priorCount: number;
  /** Recorded claims the engine could not settle (e.g. a disease no longer covered), by id. */
  priorProblems: { id: string; code: string; detail: string }[];
  status: PersonStatus;
}

export interface EstimateErr {
  ok: false;
  errors: Partial<Record<EstimateField, { code: string; detail: string }>>;
}

/** Roster status records → the engine's dated status history. */
export function historyFromRecords(records: readonly StatusRecord[]): DatedStatus[] {
  const sorted = [...records].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.createdAt < b.createdAt ? -1 : 1));
  const out: DatedStatus[] = [{ from: null, registeredPoor: false, poorClass: null, assistance: null }];
  for (const r of sorted) {
    const poor = isRegisteredPoor(r);
    const entry: DatedStatus = { from: r.from, registeredPoor: poor, poorClass: poor ? r.poorClass : null, assistance: r.assistance };
    if (out[out.length - 1]!.from === r.from) out[out.length - 1] = entry;
    else out.push(entry);
  }
  return out;
}

function classIndexOf(pack: CompiledPack, facility: string): number | undefined {
  if (facility.startsWith('f:')) return pack.facilities.find((f) => f.id === facility.slice(2))?.classIndex;
  if (facility.startsWith('c:')) return pack.classIndex.get(facility.slice(2));
  return undefined;
}

/** Checks the form; returns the claim or the errors by field. */
export function parseForm(pack: CompiledPack, f: EstimateForm): { claim: EngineClaim } | EstimateErr {
  const errors: EstimateErr['errors'] = {};
  const put = (field: EstimateField, code: string, detail: string) => {
    errors[field] ??= { code, detail };
  };
  if (!isIsoDate(f.date)) put('date', 'date', '请填写有效日期');
  else if (f.date < pack.from) put('date', 'before-policy', `${f.date} 早于政策生效日期 ${pack.from}`);
  else if (pack.to !== null && f.date > pack.to) put('date', 'after-policy', `${f.date} 晚于政策失效日期 ${pack.to}`);
  const classIndex = classIndexOf(pack, f.facility);
  if (classIndex === undefined) put('facility', 'required', '请选择医院或机构级别');
  let total = 0;
  let out = 0;
  try {
    total = amountOrFail(f.total.trim() === '' ? undefined : f.total, 'total');
  } catch (e) {
    put('total', (e as RulesError).code, (e as RulesError).detail);
  }
  if (!f.outUnknown) {
    try {
      out = amountOrFail(f.outOfCatalog.trim() === '' ? '0' : f.outOfCatalog, 'outOfCatalog');
      if (!errors.total && out > total) put('outOfCatalog', 'out-of-catalog-exceeds-total', '目录外费用不能大于总费用');
    } catch (e) {
      put('outOfCatalog', (e as RulesError).code, (e as RulesError).detail);
    }
  }
  let disease: string | null = null;
  if (f.kind === 'outpatient-chronic') {
    disease = normalizeIcd(f.disease);
    if (!pack.outpatient) put('kind', 'no-outpatient-rules', '该政策没有门诊慢特病报销规则');
    else if (disease === null) put('disease', f.disease.trim() === '' ? 'required' : 'icd', '请填写 ICD-10 诊断编码');
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { claim: { date: f.date, kind: f.kind, classIndex: classIndex!, total, outOfCatalog: out, disease } };
}

function settleWith(pack: CompiledPack, history: DatedStatus[], prior: readonly PriorClaim[], claim: EngineClaim) {
  const st = new Settlement(pack, false);
  const year = claim.date.slice(0, 4);
  const before = prior
    .filter((p) => p.date.startsWith(year) && p.date <= claim.date)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const problems: EstimateOk['priorProblems'] = [];
  let count = 0;
  for (const p of before) {
    const ci = pack.classIndex.get(p.facilityClass);
    if (ci === undefined) {
      problems.push({ id: p.id, code: 'unknown-facility-class', detail: p.facilityClass });
      continue;
    }
    try {
      st.settle({ date: p.date, kind: p.kind, classIndex: ci, total: p.total, outOfCatalog: p.outOfCatalog, disease: p.disease }, statusOn(history, p.date));
      count++;
    } catch (e) {
      if (!(e instanceof RulesError)) throw e;
      problems.push({ id: p.id, code: e.code, detail: e.detail });
    }
  }
  const status = statusOn(history, claim.date);
  const context = st.yearContext(Number(year), status);
  st.withTrace = true;
  const r = st.settle(claim, status);
  return { settled: { payers: r.payers, patient: r.patient, trace: r.trace ?? [], assumptions: st.assumptions() }, context, count, problems, status };
}

/** The upper bound of the out-of-catalogue cost when the patient cannot say: the control ratio. */
export function outOfCatalogueBound(pack: CompiledPack, classIndex: number, status: PersonStatus): { share: number; assumed: boolean } {
  for (const st of pack.stages) {
    if (st.kind === 'catalogue-control') return { share: st.controlRatio.v[classIndex]!, assumed: st.controlRatio.info.source === 'assumption' };
  }
  void status;
  if (pack.estimateOutShare) return { share: pack.estimateOutShare.v, assumed: pack.estimateOutShare.info.source === 'assumption' };
  return { share: 0, assumed: false };
}

export function estimate(pack: CompiledPack, history: DatedStatus[], prior: readonly PriorClaim[], form: EstimateForm): EstimateOk | EstimateErr {
  const parsed = parseForm(pack, form);
  if ('ok' in parsed) return parsed;
  const status = statusOn(history, parsed.claim.date);
  if (pack.poorClasses && status.registeredPoor && status.poorClass === null) {
    return { ok: false, errors: { person: { code: 'poor-class-required', detail: `${pack.id} 区分一类、二类贫困人口，请先在身份记录中填写类别` } } };
  }
  try {
    const base = settleWith(pack, history, prior, parsed.claim);
    let high: EstimateOk['high'] = null;
    if (form.outUnknown && parsed.claim.kind === 'inpatient') {
      const bound = outOfCatalogueBound(pack, parsed.claim.classIndex, status);
      const outHigh = Math.floor((parsed.claim.total * bound.share + 5_000) / 10_000);
      const r = settleWith(pack, history, prior, { ...parsed.claim, outOfCatalog: outHigh });
      high = { result: r.settled, outOfCatalog: outHigh, share: bound.share, assumed: bound.assumed };
    }
    return { ok: true, claim: parsed.claim, result: base.settled, high, context: base.context, priorCount: base.count, priorProblems: base.problems, status: base.status };
  } catch (e) {
    if (!(e instanceof RulesError)) throw e;
    const field: EstimateField = e.path.endsWith('.disease') ? 'disease' : e.path.endsWith('.date') ? 'date' : e.path.endsWith('.kind') ? 'kind' : e.path.includes('facility') ? 'facility' : 'total';
    return { ok: false, errors: { [field]: { code: e.code, detail: e.detail } } };
  }
}

/** The same case at every facility class of the pack, cheapest for the patient marked. */
export function compareClasses(pack: CompiledPack, history: DatedStatus[], prior: readonly PriorClaim[], form: EstimateForm) {
  const rows = pack.classes.map((c) => {
    const r = estimate(pack, history, prior, { ...form, facility: `c:${c.id}` });
    return { classId: c.id, name: { 'zh-CN': c['zh-CN'], en: c.en }, outcome: r };
  });
  const patients = rows.flatMap((r) => (r.outcome.ok ? [r.outcome.result.patient] : []));
  const cheapest = patients.length ? Math.min(...patients) : null;
  return rows.map((r) => ({ ...r, cheapest: r.outcome.ok && r.outcome.result.patient === cheapest }));
}
