/**
 * Chronic-disease enrolments (慢特病、两病认定) of an area: one row per certification, in force or
 * ended, with who, the disease by the pack's name and its ICD-10 code, the category, when and where
 * it was certified and the annual limit.
 */
import { BUILTIN_PACK_JSON, type PackJson } from '../../rules/index.ts';
import type { Enrolment } from '../roster.ts';
import { fileName, heading, str, text, titleRows, yuan, type ExportArea, type SheetRow, type Workbook } from './cells.ts';
import { CATEGORY_LABEL } from './labels.ts';
import { peopleOf, phoneCell, WHO, WHO_WIDTHS, whoCells, type RosterInput } from './people.ts';

export interface EnrolmentsInput extends RosterInput {
  enrolments: readonly Enrolment[];
}

/** The pack's name of a disease entry, in Simplified Chinese (the entry id when the pack does not list it). */
export function diseaseName(packId: string, entryId: string, packs: readonly PackJson[] = BUILTIN_PACK_JSON): string {
  const e = packs.find((p) => p.id === packId)?.outpatient?.entries.find((x) => x.id === entryId);
  return e ? e['zh-CN'] : entryId;
}

export const ENROLMENT_HEADINGS = [...WHO, '联系电话', '病种', '诊断编码', '类别', '认定日期', '认定医院', '年度限额（元）', '状态', '终止日期'];

/** Every certification of the villages' members, in roster order, then by date; ended ones say so. */
export function enrolmentsBook(input: EnrolmentsInput, area: ExportArea, date: string): Workbook {
  const { byMember } = peopleOf(input);
  const rows: SheetRow[] = [...titleRows('慢性病认定名单', area, date), ENROLMENT_HEADINGS.map(heading)];
  const list = input.enrolments
    .filter((e) => byMember.has(e.memberId))
    .sort((a, b) => byMember.get(a.memberId)!.index - byMember.get(b.memberId)!.index || a.certifiedOn.localeCompare(b.certifiedOn) || a.id.localeCompare(b.id));
  const names = new Map<string, string>();
  for (const e of list) {
    const p = byMember.get(e.memberId)!;
    const key = `${e.packId}|${e.entryId}`;
    let name = names.get(key);
    if (name === undefined) names.set(key, (name = diseaseName(e.packId, e.entryId)));
    const ended = e.endedOn !== null && e.endedOn <= date;
    rows.push([...whoCells(p), phoneCell(p.member), str(name), text(e.icd), str(CATEGORY_LABEL[e.category]), text(e.certifiedOn), str(e.hospital), yuan(e.annualLimit), str(ended ? '已终止' : '有效'), e.endedOn ? text(e.endedOn) : null]);
  }
  return { fileName: fileName('慢性病认定', area, date), sheets: [{ name: '慢性病认定', rows, widths: [...WHO_WIDTHS, 14, 18, 9, 11, 12, 20, 12, 7, 12], sticky: 5 }], rows: list.length };
}
