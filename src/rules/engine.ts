/**
 * The settlement engine: claims of one person, in date order, through the stages of a compiled
 * pack. Integer fen throughout; each layer's amount is rounded half-up once where it is computed
 * (POLICIES.md rule 5). Pure: no I/O, no clock, no platform APIs.
 *
 * Year accumulators count every claim of the calendar year; the person's status on a claim's date
 * decides only which rules pay for that claim.
 */
import { RulesError } from './errors.ts';
import { renderFormula, type FormulaVars } from './explain.ts';
import { formatFen, mulRatio, RATIO_ONE, roundFen } from './money.ts';
import type { CompiledPack, CompiledParam, CStage, ParamInfo } from './pack.ts';
import type { Payer, Source } from './pack-types.ts';
import { PAYERS } from './pack-types.ts';
import { statusKey, type PersonStatus } from './status.ts';

export interface EngineClaim {
  date: string;
  kind: 'inpatient' | 'outpatient-chronic';
  /** Index of the facility class in pack.classes. */
  classIndex: number;
  /** Fen. */
  total: number;
  /** Fen, at most total. */
  outOfCatalog: number;
  /** ICD-10 code (upper case) for outpatient-chronic claims. */
  disease: string | null;
}

export interface TraceParam {
  value: string;
  source: Source;
}

export interface TraceStep {
  /** The payer the step pays as, or "control" for the out-of-catalogue split. */
  layer: Payer | 'control';
  /** Stage id in the pack. */
  rule: string;
  /** Stage kind (closed set). */
  kind: string;
  title: string;
  params: Record<string, TraceParam>;
  /** The figures of the formula (fen, basis points), for rendering in any language. */
  vars: FormulaVars;
  /** The formula with the numbers filled in (zh-CN). */
  formula: string;
  amount: string;
}

export interface ClaimResult {
  /** Fen per payer, in PAYERS order. */
  payers: number[];
  patient: number;
  trace: TraceStep[] | null;
}

/** One line of "already used this year": a threshold reached so far, a cap or limit used. Fen. */
export interface YearContextItem {
  stage: string;
  payer: Payer | null;
  title: { 'zh-CN': string; en: string };
  kind: 'cap' | 'threshold' | 'burden' | 'limit';
  /**
   * What the stage paid (or the base it reached) this year under every status. After a change of
   * status it may exceed the new group's cap: what is left is then max(0, limit − used), as the
   * engine pays it.
   */
  used: number;
  /** Infinity where there is no cap. */
  limit: number;
}

interface YearAcc {
  /** Per stage: the cumulative base (critical, burden, compliant self-pay…). */
  base: number[];
  /** Per stage: what it paid this year. */
  paid: number[];
  /** Highest burden cap attended this year (burden-cap stages). */
  capInForce: number[];
  /** Per outpatient disease entry: what basic paid for it this year. */
  op: number[];
}

const PAYER_INDEX: Record<Payer, number> = { basic: 0, critical: 1, backstop: 2, supplementary: 3, assistance: 4, hospital: 5 };

function traceParam(p: CompiledParam<unknown>, classId: string | null, display: string): [string, TraceParam] {
  return [p.info.name, { value: display, source: p.info.source }];
}

function ratioText(bp: number): string {
  const s = (bp / RATIO_ONE).toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/**
 * What is left of an annual cap after `used` was paid this year. The cap is that of the group the
 * person is in on the claim's date, but `used` counts the stage's payments under every status of
 * the year (a person who leaves a group with no or a higher cap may have been paid more than the
 * new group's cap): the room is then 0, never negative, so a stage never pays below zero.
 */
function capRoom(cap: number, used: number): number {
  return cap > used ? cap - used : 0;
}

function capText(fen: number): string {
  return fen === Infinity ? 'none' : formatFen(fen);
}

/**
 * Settles one person's claims in date order. Create one per person (and per pack); feed claims
 * sorted by date. `assumptionsUsed` collects the [A] parameters any claim read.
 */
export class Settlement {
  private readonly years = new Map<number, YearAcc>();
  readonly assumptionsUsed: Uint8Array;
  private lastDate = '';

  constructor(
    readonly pack: CompiledPack,
    public withTrace: boolean,
  ) {
    this.assumptionsUsed = new Uint8Array(pack.assumptions.length);
  }

  private year(date: string): YearAcc {
    const y = (date.charCodeAt(0) - 48) * 1000 + (date.charCodeAt(1) - 48) * 100 + (date.charCodeAt(2) - 48) * 10 + (date.charCodeAt(3) - 48);
    let acc = this.years.get(y);
    if (!acc) {
      const n = this.pack.stages.length;
      acc = {
        base: new Array<number>(n).fill(0),
        paid: new Array<number>(n).fill(0),
        capInForce: new Array<number>(n).fill(0),
        op: new Array<number>(this.pack.outpatient?.entries.length ?? 0).fill(0),
      };
      this.years.set(y, acc);
    }
    return acc;
  }

  private use(p: CompiledParam<unknown> | null): void {
    if (p !== null && p.info.assumptionIndex >= 0) this.assumptionsUsed[p.info.assumptionIndex] = 1;
  }

  /** The [A] parameter names read so far. */
  assumptions(): string[] {
    const out: string[] = [];
    this.assumptionsUsed.forEach((u, i) => {
      if (u) out.push(this.pack.assumptions[i]!);
    });
    return out;
  }

  /** The year accumulators of `year`, for display ("already used this year"). */
  yearTotals(year: number): { stage: string; base: number; paid: number }[] {
    const acc = this.years.get(year);
    return this.pack.stages.map((s, i) => ({ stage: s.id, base: acc?.base[i] ?? 0, paid: acc?.paid[i] ?? 0 }));
  }

  /**
   * What the year so far means for the next claim of a person with this status: deductible-like
   * thresholds already used and caps left, stage by stage (for "already used this year").
   */
  yearContext(year: number, status: PersonStatus): YearContextItem[] {
    const acc = this.years.get(year);
    const sk = statusKey(status);
    const out: YearContextItem[] = [];
    this.pack.stages.forEach((st, s) => {
      const base = acc?.base[s] ?? 0;
      const paid = acc?.paid[s] ?? 0;
      const item = (kind: YearContextItem['kind'], used: number, limit: number): void => {
        out.push({ stage: st.id, payer: st.payer, title: st.title, kind, used, limit });
      };
      switch (st.kind) {
        case 'basic':
          item('cap', paid, st.annualCap.v);
          break;
        case 'critical': {
          const ai = st.adjustmentFor[sk]!;
          const adj = ai >= 0 ? st.adjustments[ai]! : null;
          const thr = adj?.threshold ? adj.threshold.v : adj?.thresholdFactor ? mulRatio(st.threshold.v, adj.thresholdFactor.v) : st.threshold.v;
          item('threshold', base, thr);
          item('cap', paid, adj?.annualCap ? adj.annualCap.v : st.annualCap.v);
          break;
        }
        case 'burden-cap':
          if (st.eligible[sk]) item('burden', base, acc?.capInForce[s] || Math.min(...st.cap.v));
          break;
        case 'annual-burden':
          if (st.tierFor[sk]! >= 0) item('threshold', base, st.threshold.v);
          break;
        case 'compliant-left': {
          const ti = st.tierFor[sk]!;
          if (ti >= 0) {
            const tier = st.tiers[ti]!;
            if (tier.threshold.v > 0) item('threshold', base, tier.threshold.v);
            item('cap', paid, tier.annualCap.v);
          }
          break;
        }
        case 'out-of-catalogue-left': {
          const ti = st.tierFor[sk]!;
          if (ti >= 0) item('cap', paid, st.tiers[ti]!.annualCap.v);
          break;
        }
        default:
          break;
      }
    });
    this.pack.outpatient?.entries.forEach((e, i) => {
      const used = acc?.op[i] ?? 0;
      if (used > 0) out.push({ stage: `${this.pack.outpatient!.id}.${e.id}`, payer: 'basic', title: e.name, kind: 'limit', used, limit: e.annualLimit.v });
    });
    return out;
  }

  /** Outpatient disease entries used this year: entry id → basic paid. */
  outpatientTotals(year: number): Record<string, number> {
    const acc = this.years.get(year);
    const out: Record<string, number> = {};
    this.pack.outpatient?.entries.forEach((e, i) => {
      out[e.id] = acc?.op[i] ?? 0;
    });
    return out;
  }

  /**
   * Settles one claim. `path` names the claim in errors (e.g. "claims[3]").
   */
  settle(claim: EngineClaim, status: PersonStatus, path = 'claim'): ClaimResult {
    const pack = this.pack;
    if (claim.date < this.lastDate) {
      throw new RulesError('out-of-order', `${path}.date`, `理赔须按日期顺序结算 (claims must be settled in date order; ${claim.date} follows ${this.lastDate})`);
    }
    if (claim.date < pack.from) {
      throw new RulesError('before-policy', `${path}.date`, `${claim.date} 早于政策 ${pack.id} 的生效日期 ${pack.from} (before the pack takes effect)`);
    }
    if (pack.to !== null && claim.date > pack.to) {
      throw new RulesError('after-policy', `${path}.date`, `${claim.date} 晚于政策 ${pack.id} 的失效日期 ${pack.to} (after the pack ends)`);
    }
    if (claim.outOfCatalog > claim.total || claim.outOfCatalog < 0 || claim.total < 0) {
      throw new RulesError('out-of-catalog-exceeds-total', `${path}.outOfCatalog`, '目录外费用不能大于总费用 (outOfCatalog must not exceed total)');
    }
    if (claim.classIndex < 0 || claim.classIndex >= pack.classes.length) {
      throw new RulesError('unknown-facility-class', `${path}.facility.class`, '未知机构类别 (unknown facility class)');
    }
    this.lastDate = claim.date;
    const sk = statusKey(status);
    const acc = this.year(claim.date);
    if (claim.kind === 'outpatient-chronic') return this.settleOutpatient(claim, sk, acc, path);
    return this.settleInpatient(claim, sk, acc);
  }

  private settleOutpatient(claim: EngineClaim, sk: number, acc: YearAcc, path: string): ClaimResult {
    const pack = this.pack;
    const op = pack.outpatient;
    const code = claim.disease ?? '';
    if (op === null) {
      throw new RulesError('no-outpatient-rules', `${path}.kind`, `政策 ${pack.id} 没有门诊慢特病报销规则，无法结算疾病 ${code} (the pack has no outpatient chronic-disease rules)`);
    }
    const cat = code.slice(0, 3);
    let inRange = false;
    let entry = null;
    for (const e of op.entries) {
      if (!e.ranges.some(([a, b]) => cat >= a && cat <= b)) continue;
      inRange = true;
      if (e.eligible[sk]) {
        entry = e;
        break;
      }
    }
    if (entry === null) {
      if (!inRange) {
        throw new RulesError('disease-not-covered', `${path}.disease`, `疾病 ${code} 不在政策 ${pack.id} 的门诊慢特病病种表中 (not in the pack's outpatient disease table)`);
      }
      throw new RulesError('not-eligible', `${path}.disease`, `按政策 ${pack.id}，此人的身份不享受疾病 ${code} 的门诊慢特病报销 (the person's status is not eligible for this entry)`);
    }
    const I = claim.total - claim.outOfCatalog;
    const ratio = entry.ratio.v;
    const limit = entry.annualLimit.v;
    const used = acc.op[entry.index]!;
    const raw = mulRatio(I, ratio);
    const left = capRoom(limit, used);
    const amount = raw < left ? raw : left;
    acc.op[entry.index] = used + amount;
    this.use(entry.ratio);
    this.use(entry.annualLimit);
    const payers = [amount, 0, 0, 0, 0, 0];
    let trace: TraceStep[] | null = null;
    if (this.withTrace) {
      const vars: FormulaVars = { disease: code, entry: entry.name['zh-CN'], entryEn: entry.name.en, I, O: claim.outOfCatalog, ratio, raw, limit, used, amount };
      trace = [
        this.step('basic', op.id, 'outpatient', op.title['zh-CN'], [
          traceParam(entry.ratio, null, ratioText(ratio)),
          traceParam(entry.annualLimit, null, formatFen(limit)),
        ], vars, amount),
      ];
    }
    return { payers, patient: claim.total - amount, trace };
  }

  private step(
    layer: Payer | 'control',
    rule: string,
    kind: string,
    title: string,
    params: [string, TraceParam][],
    vars: FormulaVars,
    amount: number,
  ): TraceStep {
    return {
      layer,
      rule,
      kind,
      title,
      params: Object.fromEntries(params),
      vars,
      formula: renderFormula(kind, vars, 'zh-CN'),
      amount: formatFen(amount),
    };
  }

  private settleInpatient(claim: EngineClaim, sk: number, acc: YearAcc): ClaimResult {
    const pack = this.pack;
    const cls = claim.classIndex;
    const classId = pack.classes[cls]!.id;
    const T = claim.total;
    const O = claim.outOfCatalog;
    const I = T - O;
    const payers = [0, 0, 0, 0, 0, 0];
    let paidSum = 0;
    // What is left to the patient, by part: in-catalogue, out-of-catalogue within the control
    // ratio (E), and above it (X). Every payment comes out of exactly one or two of these.
    let inLeft = I;
    let eLeft = 0;
    let xLeft = O;
    const tr = this.withTrace;
    const trace: TraceStep[] | null = tr ? [] : null;
    const stages = pack.stages;
    for (let s = 0; s < stages.length; s++) {
      const st: CStage = stages[s]!;
      switch (st.kind) {
        case 'basic': {
          const ai = st.adjustmentFor[sk]!;
          const adj = ai >= 0 ? st.adjustments[ai]! : null;
          const D0 = st.deductible.v[cls]!;
          let D = D0;
          let r = st.ratio.v[cls]!;
          this.use(st.deductible);
          this.use(st.ratio);
          this.use(st.annualCap);
          if (adj !== null) {
            if (adj.deductibleFactor !== null) {
              D = mulRatio(D0, adj.deductibleFactor.v);
              this.use(adj.deductibleFactor);
            }
            if (adj.ratioAdd !== null) {
              r += adj.ratioAdd.v[cls]!;
              this.use(adj.ratioAdd);
            }
            if (adj.ratioMax !== null) {
              if (r > adj.ratioMax.v) r = adj.ratioMax.v;
              this.use(adj.ratioMax);
            }
          }
          if (r > RATIO_ONE) r = RATIO_ONE;
          const base = I > D ? I - D : 0;
          const raw = mulRatio(base, r);
          const cap = st.annualCap.v;
          const capLeft = capRoom(cap, acc.paid[s]!);
          const amount = raw < capLeft ? raw : capLeft;
          acc.paid[s]! += amount;
          payers[0]! += amount;
          paidSum += amount;
          inLeft -= amount;
          if (trace) {
            const params: [string, TraceParam][] = [
              traceParam(st.deductible, classId, formatFen(D0)),
              traceParam(st.ratio, classId, ratioText(st.ratio.v[cls]!)),
              traceParam(st.annualCap, null, capText(cap)),
            ];
            if (adj?.deductibleFactor) params.push(traceParam(adj.deductibleFactor, null, ratioText(adj.deductibleFactor.v)));
            if (adj?.ratioAdd) params.push(traceParam(adj.ratioAdd, classId, ratioText(adj.ratioAdd.v[cls]!)));
            if (adj?.ratioMax) params.push(traceParam(adj.ratioMax, null, ratioText(adj.ratioMax.v)));
            trace.push(
              this.step('basic', st.id, st.kind, st.title['zh-CN'], params, {
                T, O, I, D0, D, factor: adj?.deductibleFactor?.v ?? null, ratio: r, raw, cap, capLeft, amount,
              }, amount),
            );
          }
          break;
        }
        case 'critical': {
          const ai = st.adjustmentFor[sk]!;
          const adj = ai >= 0 ? st.adjustments[ai]! : null;
          let thr = st.threshold.v;
          let ratio = st.ratio.v;
          let cap = st.annualCap.v;
          const used: (CompiledParam<unknown> | null)[] = [];
          if (adj?.threshold) {
            thr = adj.threshold.v;
            used.push(adj.threshold);
          } else {
            used.push(st.threshold);
            if (adj?.thresholdFactor) {
              thr = mulRatio(st.threshold.v, adj.thresholdFactor.v);
              used.push(adj.thresholdFactor);
            }
          }
          if (adj?.ratio) {
            ratio = adj.ratio.v;
            used.push(adj.ratio);
          } else {
            used.push(st.ratio);
            if (adj?.ratioAdd) {
              ratio = Math.min(RATIO_ONE, ratio + adj.ratioAdd.v);
              used.push(adj.ratioAdd);
            }
          }
          if (adj?.annualCap) {
            cap = adj.annualCap.v;
            used.push(adj.annualCap);
          } else {
            used.push(st.annualCap);
          }
          for (const p of used) this.use(p);
          const S1 = inLeft;
          const before = acc.base[s]!;
          const after = before + S1;
          const marginal = (after > thr ? after - thr : 0) - (before > thr ? before - thr : 0);
          const raw = mulRatio(marginal, ratio);
          const capLeft = capRoom(cap, acc.paid[s]!);
          const amount = raw < capLeft ? raw : capLeft;
          acc.base[s] = after;
          acc.paid[s]! += amount;
          payers[1]! += amount;
          paidSum += amount;
          inLeft -= amount;
          if (trace) {
            const params = used.map((p) => traceParam(p!, null, displayParam(p!.info, p!.v)));
            trace.push(
              this.step('critical', st.id, st.kind, st.title['zh-CN'], params, {
                S1, before, after, threshold: thr, marginal, ratio, raw, cap, capLeft, amount,
              }, amount),
            );
          }
          break;
        }
        case 'catalogue-control': {
          let E = 0;
          let X = O;
          let limit = 0;
          const eligible = st.eligible[sk] === 1;
          if (eligible) {
            this.use(st.controlRatio);
            limit = mulRatio(T, st.controlRatio.v[cls]!);
            E = O < limit ? O : limit;
            X = O - E;
          }
          eLeft = E;
          xLeft = X;
          if (trace && eligible) {
            trace.push(
              this.step('control', st.id, st.kind, st.title['zh-CN'], [traceParam(st.controlRatio, classId, ratioText(st.controlRatio.v[cls]!))], {
                T, O, ratio: st.controlRatio.v[cls]!, limit, E, X,
              }, E),
            );
          }
          break;
        }
        case 'burden-cap': {
          const tierCap = st.cap.v[cls]!;
          if (tierCap > acc.capInForce[s]!) acc.capInForce[s] = tierCap;
          const capInForce = acc.capInForce[s]!;
          const before = acc.base[s]!;
          let amount = 0;
          if (st.eligible[sk] === 1) {
            this.use(st.cap);
            this.use(st.scope);
            const room = capInForce > before ? capInForce - before : 0;
            amount = inLeft > room ? inLeft - room : 0;
            const burden = inLeft;
            acc.base[s] = before + (inLeft - amount);
            this.pay(st.payerIndex, amount, payers);
            paidSum += amount;
            inLeft -= amount;
            if (trace) {
              trace.push(
                this.step(st.payer!, st.id, st.kind, st.title['zh-CN'], [
                  traceParam(st.cap, classId, formatFen(tierCap)),
                  traceParam(st.scope, null, st.scope.v),
                ], { burden, cap: capInForce, tierCap, before, room, amount }, amount),
              );
            }
          } else {
            acc.base[s] = before + inLeft;
          }
          break;
        }
        case 'control-share': {
          if (st.eligible[sk] === 1) {
            this.use(st.rate);
            const E = eLeft;
            const amount = mulRatio(E, st.rate.v);
            this.pay(st.payerIndex, amount, payers);
            paidSum += amount;
            eLeft -= amount;
            if (trace) {
              trace.push(this.step(st.payer!, st.id, st.kind, st.title['zh-CN'], [traceParam(st.rate, null, ratioText(st.rate.v))], { E, ratio: st.rate.v, amount }, amount));
            }
          }
          break;
        }
        case 'annual-burden': {
          const thr = st.threshold.v;
          const before = acc.base[s]!;
          const ti = st.tierFor[sk]!;
          acc.base[s] = before + inLeft + eLeft;
          if (ti >= 0) {
            const tier = st.tiers[ti]!;
            this.use(st.threshold);
            this.use(st.order);
            this.use(tier.inRate);
            this.use(tier.outRate);
            const remaining = thr > before ? thr - before : 0;
            const inAbove = inLeft > remaining ? inLeft - remaining : 0;
            const rem2 = remaining > inLeft ? remaining - inLeft : 0;
            const eAbove = eLeft > rem2 ? eLeft - rem2 : 0;
            const amount = roundFen(inAbove * tier.inRate.v + eAbove * tier.outRate.v);
            let inPaid = mulRatio(inAbove, tier.inRate.v);
            if (inPaid > amount) inPaid = amount;
            if (inPaid > inLeft) inPaid = inLeft;
            const ePaid = amount - inPaid;
            const inPart = inLeft;
            const ePart = eLeft;
            inLeft -= inPaid;
            eLeft -= ePaid;
            this.pay(st.payerIndex, amount, payers);
            paidSum += amount;
            if (trace) {
              trace.push(
                this.step(st.payer!, st.id, st.kind, st.title['zh-CN'], [
                  traceParam(st.threshold, null, formatFen(thr)),
                  traceParam(tier.inRate, null, ratioText(tier.inRate.v)),
                  traceParam(tier.outRate, null, ratioText(tier.outRate.v)),
                  traceParam(st.order, null, st.order.v),
                ], { inPart, ePart, before, after: before + inPart + ePart, threshold: thr, inAbove, eAbove, inRate: tier.inRate.v, outRate: tier.outRate.v, amount }, amount),
              );
            }
          }
          break;
        }
        case 'hospital-excess': {
          if (st.eligible[sk] === 1) {
            this.use(st.share);
            const X = xLeft;
            const share = st.share.v[cls]!;
            const amount = mulRatio(X, share);
            this.pay(st.payerIndex, amount, payers);
            paidSum += amount;
            xLeft -= amount;
            if (trace) {
              trace.push(this.step(st.payer!, st.id, st.kind, st.title['zh-CN'], [traceParam(st.share, classId, ratioText(share))], { X, ratio: share, amount, inArea: pack.classes[cls]!.inArea ? 1 : 0 }, amount));
            }
          }
          break;
        }
        case 'top-up': {
          if (st.eligible[sk] === 1) {
            this.use(st.targetRatio);
            const target = mulRatio(T, st.targetRatio.v);
            const amount = target > paidSum ? target - paidSum : 0;
            const soFar = paidSum;
            let rest = amount;
            const fromIn = rest < inLeft ? rest : inLeft;
            inLeft -= fromIn;
            rest -= fromIn;
            const fromE = rest < eLeft ? rest : eLeft;
            eLeft -= fromE;
            rest -= fromE;
            xLeft -= rest;
            this.pay(st.payerIndex, amount, payers);
            paidSum += amount;
            if (trace) {
              trace.push(this.step(st.payer!, st.id, st.kind, st.title['zh-CN'], [traceParam(st.targetRatio, null, ratioText(st.targetRatio.v))], { T, ratio: st.targetRatio.v, target, soFar, amount }, amount));
            }
          }
          break;
        }
        case 'compliant-left': {
          const base = inLeft + eLeft;
          const before = acc.base[s]!;
          const after = before + base;
          acc.base[s] = after;
          const ti = st.tierFor[sk]!;
          if (ti >= 0) {
            const tier = st.tiers[ti]!;
            this.use(tier.rate);
            this.use(tier.threshold);
            this.use(tier.annualCap);
            const thr = tier.threshold.v;
            const marginal = (after > thr ? after - thr : 0) - (before > thr ? before - thr : 0);
            const raw = mulRatio(marginal, tier.rate.v);
            const cap = tier.annualCap.v;
            const capLeft = capRoom(cap, acc.paid[s]!);
            const amount = raw < capLeft ? raw : capLeft;
            acc.paid[s]! += amount;
            const fromIn = amount < inLeft ? amount : inLeft;
            inLeft -= fromIn;
            eLeft -= amount - fromIn;
            this.pay(st.payerIndex, amount, payers);
            paidSum += amount;
            if (trace) {
              trace.push(
                this.step(st.payer!, st.id, st.kind, st.title['zh-CN'], [
                  traceParam(tier.rate, null, ratioText(tier.rate.v)),
                  traceParam(tier.threshold, null, formatFen(thr)),
                  traceParam(tier.annualCap, null, capText(cap)),
                ], { base, before, after, threshold: thr, marginal, ratio: tier.rate.v, raw, cap, capLeft, amount }, amount),
              );
            }
          }
          break;
        }
        case 'out-of-catalogue-left': {
          const ti = st.tierFor[sk]!;
          if (ti >= 0) {
            const tier = st.tiers[ti]!;
            this.use(tier.rate);
            this.use(tier.annualCap);
            const X = xLeft;
            const raw = mulRatio(X, tier.rate.v);
            const cap = tier.annualCap.v;
            const capLeft = capRoom(cap, acc.paid[s]!);
            const amount = raw < capLeft ? raw : capLeft;
            acc.paid[s]! += amount;
            xLeft -= amount;
            this.pay(st.payerIndex, amount, payers);
            paidSum += amount;
            if (trace) {
              trace.push(
                this.step(st.payer!, st.id, st.kind, st.title['zh-CN'], [
                  traceParam(tier.rate, null, ratioText(tier.rate.v)),
                  traceParam(tier.annualCap, null, capText(cap)),
                ], { X, ratio: tier.rate.v, raw, cap, capLeft, amount }, amount),
              );
            }
          }
          break;
        }
      }
    }
    const patient = T - paidSum;
    let negativePayer = false;
    for (let k = 0; k < payers.length; k++) if (payers[k]! < 0) negativePayer = true;
    if (patient !== inLeft + eLeft + xLeft || inLeft < 0 || eLeft < 0 || xLeft < 0 || negativePayer) {
      // An internal inconsistency is a defect, never an answer: no payer pays below zero and no part
      // left to the patient is below zero, so 0 ≤ patient ≤ T.
      throw new Error(`settlement does not add up for ${pack.id} on ${claim.date}: payers ${payers.join(',')}, patient ${patient}, parts ${inLeft}+${eLeft}+${xLeft}`);
    }
    return { payers, patient, trace };
  }

  private pay(payerIndex: number, amount: number, payers: number[]): void {
    payers[payerIndex]! += amount;
  }
}

function displayParam(info: ParamInfo, v: unknown): string {
  if (typeof v !== 'number') return String(v);
  if (v === Infinity) return 'none';
  // Names ending in ratio/rate/factor/Add/Max are ratios; the rest are money.
  return /(ratio|rate|factor|add|max)$/i.test(info.name) ? ratioText(v) : formatFen(v);
}

export { PAYERS, PAYER_INDEX };
