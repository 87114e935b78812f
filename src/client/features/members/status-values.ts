/** What the status form holds, and where its first values come from. */
import type { StatusRecord } from '../../../model/roster.ts';
import { statusOnDate } from '../../db/repo.ts';

export type StatusValues = {
  poverty: StatusRecord['poverty'];
  poorClass: '' | '1' | '2';
  assistance: '' | 'tekun' | 'dibao';
  statusFrom: string;
  note: string;
};

/** A status record as the form shows it. */
export function valuesOf(s: Pick<StatusRecord, 'from' | 'poverty' | 'poorClass' | 'assistance' | 'note'>): StatusValues {
  return { poverty: s.poverty, poorClass: s.poorClass ? (String(s.poorClass) as '1' | '2') : '', assistance: s.assistance ?? '', statusFrom: s.from, note: s.note ?? '' };
}

/**
 * A new status record starts from the one in force today, so a change of one thing (低保 granted)
 * keeps everything else (建档立卡) as it is; dated today, without the old record's note.
 */
export function statusFormValues(history: StatusRecord[], today: string): StatusValues {
  const current = statusOnDate(history, today);
  if (!current) return { poverty: 'none', poorClass: '', assistance: '', statusFrom: today, note: '' };
  return { ...valuesOf(current), statusFrom: today, note: '' };
}

/** The form's values as the fields of a status record. */
export function recordOf(v: StatusValues): Pick<StatusRecord, 'from' | 'poverty' | 'poorClass' | 'assistance' | 'note'> {
  return { from: v.statusFrom, poverty: v.poverty, poorClass: v.poorClass ? (Number(v.poorClass) as 1 | 2) : null, assistance: v.assistance || null, note: v.note.trim() || null };
}
