/**
 * The village 台账 of a year: one row per person on the roster in that year, with what a township
 * or county asks of a village about each of them: insured for the year and the contribution
 * subsidy (as the roster and the year's household visits say), chronic-disease certification, the
 * family-doctor contract, the 两病 follow-ups and household visits done, hospital stays with what
 * each payer paid (from the settlement slips recorded), and proxy filings with their outcome. A
 * second sheet lists every recorded claim of the year.
 */
import { BUILTIN_PACK_JSON, layerName, PAYERS, type Payer } from '../../rules/index.ts';
import type { Contract, Followup, HouseholdVisit } from '../careplan/records.ts';
import type { LedgerEntry } from '../records.ts';
import type { Enrolment } from '../roster.ts';
import { fileName, heading, int, str, text, titleRows, yuan, type ExportArea, type SheetCell, type SheetRow, type Workbook } from './cells.ts';
import { diseaseName } from './enrolments.ts';
import { filingFacts, filingInYear, type ExportFiling } from './filings.ts';
import { ANSWER_LABEL, ASSISTANCE_LABEL, FILING_STATUS_LABEL, POVERTY_LABEL, SCHEME_LABEL, STATE_LABEL } from './labels.ts';
import { peopleOf, phoneCell, relationCell, statusHistory, statusOn, WHO, WHO_WIDTHS, whoCells, type Person, type RosterInput } from './people.ts';

export interface LedgerInput extends RosterInput {
  enrolments: readonly Enrolment[];
  followups: readonly Followup[];
  visits: readonly HouseholdVisit[];
  contracts: readonly Contract[];
  ledger: readonly LedgerEntry[];
  filings: readonly ExportFiling[];
}

const PAYER_HEADINGS = PAYERS.map((p) => `${layerName(p, 'zh-CN')}（元）`);

export const LEDGER_HEADINGS = [
  ...WHO,
  '与户主关系',
  '联系电话',
  '在册状态',
  '身份',
  '当年参保',
  '险种',
  '参保年度',
  '参保资助（走访核实）',
  '慢病认定',
  '家庭医生签约',
  '签约情况',
  '两病随访次数',
  '最近随访',
  '入户走访次数',
  '最近走访',
  '住院次数',
  '住院总费用（元）',
  ...PAYER_HEADINGS,
  '住院个人自付（元）',
  '门诊慢病次数',
  '门诊慢病总费用（元）',
  '门诊慢病个人自付（元）',
  '代办件数',
  '代办结果',
  '批准金额（元）',
  '已发放（元）',
];

export const CLAIM_HEADINGS = [...WHO, '日期', '类别', '医院', '医院级别', '病种', '总费用（元）', '目录外费用（元）', ...PAYER_HEADINGS, '个人自付（元）'];

const KIND_LABEL: Record<LedgerEntry['kind'], string> = { inpatient: '住院', 'outpatient-chronic': '门诊慢病' };

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const l = out.get(k);
    if (l) l.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** What the patient paid of a claim: the total less every payer. */
export const patientShare = (l: Pick<LedgerEntry, 'total' | 'paid'>): number => l.total - PAYERS.reduce((s, p) => s + (l.paid[p] ?? 0), 0);

/** A facility class by its name in the pack. */
function className(packId: string, id: string): string {
  const c = BUILTIN_PACK_JSON.find((p) => p.id === packId)?.facilityClasses.find((x) => x.id === id);
  return c ? c['zh-CN'] : id;
}

/** Whether the year is over by `date`: the 台账 says each person's status at its end, or on `date`. */
export function ledgerAsOf(year: number, date: string): string {
  const end = `${year}-12-31`;
  return date < end ? date : end;
}

/** The 台账 of `year` for these villages, exported on `date`. */
export function ledgerBook(input: LedgerInput, area: ExportArea, date: string, year: number): Workbook {
  const y = String(year);
  const from = `${y}-01-01`;
  const to = `${y}-12-31`;
  const asOf = ledgerAsOf(year, date);
  const inYear = (d: string) => d >= from && d <= to;
  const { people } = peopleOf(input);
  const history = statusHistory(input.statuses);
  const enrolments = groupBy(input.enrolments, (e) => e.memberId);
  const followups = groupBy(input.followups.filter((f) => inYear(f.date)), (f) => f.memberId);
  const visits = groupBy(
    [...input.visits].filter((v) => inYear(v.date)).sort((a, b) => a.date.localeCompare(b.date) || a.createdAt.localeCompare(b.createdAt)),
    (v) => v.householdId,
  );
  const contracts = groupBy(input.contracts, (c) => c.memberId);
  const claims = input.ledger.filter((l) => inYear(l.date)).sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  const claimsOf = groupBy(claims, (l) => l.memberId);
  const filings = groupBy(input.filings.filter((f) => filingInYear(f, year)), (f) => f.memberId);
  const names = new Map<string, string>();
  const disease = (e: Enrolment) => {
    const k = `${e.packId}|${e.entryId}`;
    let n = names.get(k);
    if (n === undefined) names.set(k, (n = diseaseName(e.packId, e.entryId)));
    return n;
  };

  /** The latest answer of the year's visits to the household about this member, for one checklist item. */
  const checked = (p: Person, item: 'insured' | 'subsidy'): 'yes' | 'no' | 'unknown' | null => {
    let answer: 'yes' | 'no' | 'unknown' | null = null;
    for (const v of visits.get(p.household.id) ?? []) {
      const a = v.checklist.find((c) => c.memberId === p.member.id)?.items[item]?.answer;
      if (a) answer = a;
    }
    return answer;
  };

  const rows: SheetRow[] = [...titleRows(`${y} 年度台账`, area, date, `　年度：${y}（身份为 ${asOf} 的）`), LEDGER_HEADINGS.map(heading)];
  const claimRows: SheetRow[] = [...titleRows(`${y} 年度医疗费用明细`, area, date), CLAIM_HEADINGS.map(heading)];
  let listed = 0;
  const byMember = new Map(people.map((p) => [p.member.id, p]));
  for (const p of people) {
    const m = p.member;
    // Gone before the year began: not on this year's 台账.
    if (m.state !== 'active' && m.stateDate && m.stateDate < from) continue;
    listed++;
    const s = statusOn(history.get(m.id), asOf);
    const insuredByVisit = checked(p, 'insured');
    const insured = m.insured.year === year || insuredByVisit === 'yes' ? '是' : m.insured.year !== null && m.insured.year > year ? `不详（已登记 ${m.insured.year} 年度）` : '否';
    const subsidy = checked(p, 'subsidy');
    const certified = (enrolments.get(m.id) ?? [])
      .filter((e) => e.certifiedOn <= to && (e.endedOn === null || e.endedOn >= from))
      .sort((a, b) => a.certifiedOn.localeCompare(b.certifiedOn))
      .map((e) => `${disease(e)}（${e.icd}，${e.certifiedOn} 认定${e.endedOn ? `，${e.endedOn} 终止` : ''}）`);
    const contract = (contracts.get(m.id) ?? [])
      .filter((c) => c.signedOn <= to && c.validUntil >= from && (c.endedOn === null || c.endedOn >= from))
      .sort((a, b) => a.signedOn.localeCompare(b.signedOn))
      .at(-1);
    const fu = (followups.get(m.id) ?? []).map((f) => f.date).sort();
    const vs = visits.get(p.household.id) ?? [];
    const mine = claimsOf.get(m.id) ?? [];
    const stays = mine.filter((l) => l.kind === 'inpatient');
    const clinic = mine.filter((l) => l.kind === 'outpatient-chronic');
    const sum = (ls: readonly LedgerEntry[], f: (l: LedgerEntry) => number) => ls.reduce((a, l) => a + f(l), 0);
    const fs = filings.get(m.id) ?? [];
    const outcome = new Map<string, number>();
    for (const f of fs) outcome.set(FILING_STATUS_LABEL[f.status] ?? f.status, (outcome.get(FILING_STATUS_LABEL[f.status] ?? f.status) ?? 0) + 1);
    const approved = fs.filter((f) => f.amount !== null).reduce((a, f) => a + f.amount!, 0);
    const paid = fs.reduce((a, f) => a + (filingFacts(f).paid?.amount ?? 0), 0);
    const money = (fen: number, any: boolean): SheetCell | null => (any ? yuan(fen) : null);
    rows.push([
      ...whoCells(p),
      relationCell(m),
      phoneCell(m),
      str(m.state === 'active' ? STATE_LABEL.active : `${STATE_LABEL[m.state]}${m.stateDate ? `（${m.stateDate}）` : ''}`),
      str(s ? [POVERTY_LABEL[s.poverty], s.poorClass ? (s.poorClass === 1 ? '一类' : '二类') : '', s.assistance ? ASSISTANCE_LABEL[s.assistance] : ''].filter(Boolean).join('·') : ''),
      str(insured),
      str(SCHEME_LABEL[m.insured.scheme]),
      m.insured.year !== null ? text(String(m.insured.year)) : null,
      str(subsidy ? ANSWER_LABEL[subsidy] : '未核实'),
      str(certified.length ? certified.join('；') : '无'),
      str(contract ? '是' : '否'),
      str(contract ? `${contract.doctor.name}${contract.doctor.team ? `（${contract.doctor.team}）` : ''} ${contract.signedOn} 至 ${contract.validUntil}${contract.endedOn ? `，${contract.endedOn} 解约` : ''}` : ''),
      int(fu.length),
      fu.length ? text(fu[fu.length - 1]!) : null,
      int(vs.length),
      vs.length ? text(vs[vs.length - 1]!.date) : null,
      int(stays.length),
      money(sum(stays, (l) => l.total), stays.length > 0),
      ...PAYERS.map((k: Payer) => money(sum(stays, (l) => l.paid[k] ?? 0), stays.length > 0)),
      money(sum(stays, patientShare), stays.length > 0),
      int(clinic.length),
      money(sum(clinic, (l) => l.total), clinic.length > 0),
      money(sum(clinic, patientShare), clinic.length > 0),
      int(fs.length),
      str([...outcome].map(([k, n]) => `${k} ${n}`).join('、')),
      money(approved, fs.some((f) => f.amount !== null)),
      money(paid, paid > 0),
    ]);
  }
  for (const l of claims) {
    const p = byMember.get(l.memberId);
    if (!p) continue;
    claimRows.push([
      ...whoCells(p),
      text(l.date),
      str(KIND_LABEL[l.kind]),
      str(l.facilityName),
      str(className(l.packId, l.facilityClass)),
      str(l.disease),
      yuan(l.total),
      yuan(l.outOfCatalog),
      ...PAYERS.map((k) => yuan(l.paid[k] ?? 0)),
      yuan(patientShare(l)),
    ]);
  }
  const money = PAYERS.map(() => 12);
  return {
    fileName: fileName(`台账-${y}年`, area, date),
    sheets: [
      { name: `${y}年台账`, rows, widths: [...WHO_WIDTHS, 9, 13, 9, 16, 9, 12, 8, 10, 36, 7, 30, 7, 11, 7, 11, 7, 12, ...money, 12, 7, 12, 12, 7, 18, 12, 12], sticky: 5 },
      { name: '医疗费用明细', rows: claimRows, widths: [...WHO_WIDTHS, 11, 9, 20, 12, 12, 12, 12, ...money, 12], sticky: 5 },
    ],
    rows: listed,
  };
}
