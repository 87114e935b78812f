/**
 * Proxy filings (代报代办) of an area: one row per filing, with who, what was filed, where it stands
 * (status and review stage), when it was begun, submitted and last acted on, the reason of a return
 * or refusal, the amount approved and paid, and who filed it.
 */
import { BUILTIN_PACK_JSON, type FilingTypeRule, type PackJson } from '../../rules/index.ts';
import { lastReason, type FilingAction, type FilingRecord, type FilingStatus } from '../filing.ts';
import { fileName, heading, int, str, text, titleRows, yuan, type ExportArea, type SheetRow, type Workbook } from './cells.ts';
import { FILING_STATUS_LABEL } from './labels.ts';
import { peopleOf, phoneCell, WHO, WHO_WIDTHS, whoCells, type RosterInput } from './people.ts';

/** A filing as the county holds it, or as the tablet shows it (a draft, or queued). */
export type ExportFiling = Pick<FilingRecord, 'id' | 'memberId' | 'villageId' | 'packId' | 'type' | 'version' | 'stage' | 'events' | 'amount' | 'createdAt'> & { status: FilingStatus };

export const ACTION_LABEL: Record<FilingAction, string> = {
  submitted: '提交',
  resubmitted: '重新提交',
  received: '受理',
  advanced: '审核通过',
  returned: '退回',
  approved: '批准',
  rejected: '未通过',
  paid: '发放',
};

export function filingType(packId: string, typeId: string, packs: readonly PackJson[] = BUILTIN_PACK_JSON): FilingTypeRule | undefined {
  return packs.find((p) => p.id === packId)?.filings?.find((t) => t.id === typeId);
}

/** What a filing's events say: submitted when and by whom, the last step, the payment. */
export function filingFacts(f: Pick<ExportFiling, 'events'>) {
  const submitted = f.events.find((e) => e.action === 'submitted') ?? null;
  const last = f.events.length ? f.events[f.events.length - 1]! : null;
  let paid: (typeof f.events)[number] | null = null;
  for (const e of f.events) if (e.action === 'paid') paid = e;
  return { submitted, last, paid };
}

/** Whether a filing belongs to a year: begun in it, or acted on in it. */
export const filingInYear = (f: Pick<ExportFiling, 'createdAt' | 'events'>, year: number): boolean => {
  const y = String(year);
  return f.createdAt.startsWith(y) || f.events.some((e) => e.at.startsWith(y));
};

export const FILING_HEADINGS = [...WHO, '联系电话', '申请事项', '版本', '状态', '所在环节', '开始填写', '提交日期', '最近办理', '最近办理日期', '退回或未通过的原因', '批准金额（元）', '已发放（元）', '发放日期', '经办人'];

/** The filings of the villages' members (of `year` only, when given), in roster order, oldest first. */
export function filingsBook(input: RosterInput & { filings: readonly ExportFiling[] }, area: ExportArea, date: string, year: number | null = null): Workbook {
  const { byMember } = peopleOf(input);
  const rows: SheetRow[] = [...titleRows(year ? `${year} 年代报代办` : '代报代办', area, date), FILING_HEADINGS.map(heading)];
  const list = input.filings
    .filter((f) => byMember.has(f.memberId) && (year === null || filingInYear(f, year)))
    .sort((a, b) => byMember.get(a.memberId)!.index - byMember.get(b.memberId)!.index || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  for (const f of list) {
    const p = byMember.get(f.memberId)!;
    const type = filingType(f.packId, f.type);
    const stage = type?.review.find((s) => s.id === f.stage);
    const { submitted, last, paid } = filingFacts(f);
    const lastStage = last?.stage ? type?.review.find((s) => s.id === last.stage) : undefined;
    const reason = f.status === 'returned' || f.status === 'rejected' ? lastReason(f) : null;
    rows.push([
      ...whoCells(p),
      phoneCell(p.member),
      str(type ? type.title['zh-CN'] : f.type),
      int(f.version),
      str(FILING_STATUS_LABEL[f.status] ?? f.status),
      str(stage ? `${stage['zh-CN']}（${stage.office['zh-CN']}）` : ''),
      text(f.createdAt.slice(0, 10)),
      submitted ? text(submitted.at.slice(0, 10)) : null,
      str(last ? `${lastStage ? `${lastStage['zh-CN']}：` : ''}${ACTION_LABEL[last.action] ?? last.action}` : ''),
      last ? text(last.at.slice(0, 10)) : null,
      str(reason),
      yuan(f.amount),
      yuan(paid?.amount ?? null),
      paid ? text(paid.paidOn ?? paid.at.slice(0, 10)) : null,
      str(submitted?.byName),
    ]);
  }
  const what = year ? `代报代办-${year}年` : '代报代办';
  return { fileName: fileName(what, area, date), sheets: [{ name: '代报代办', rows, widths: [...WHO_WIDTHS, 14, 22, 5, 9, 22, 11, 11, 16, 11, 24, 12, 12, 11, 10], sticky: 5 }], rows: list.length };
}
