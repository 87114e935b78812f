/**
 * A person's insurance-relevant status on a given date, and its compact key: 2 (registered poor)
 * × 3 (class none/1/2) × 3 (assistance none/dibao/tekun) = 18 keys, so each stage can work out
 * once, at pack load, which tier every status falls in.
 */
import type { Group } from './pack-types.ts';

export type Assistance = 'tekun' | 'dibao' | null;

export interface PersonStatus {
  registeredPoor: boolean;
  poorClass: 1 | 2 | null;
  assistance: Assistance;
}

/** A status in force from a date (inclusive); the first entry may have from = null (always). */
export interface DatedStatus extends PersonStatus {
  from: string | null;
}

export type StatusKey = number;
export const STATUS_KEYS = 18;

export function statusKey(s: PersonStatus): StatusKey {
  const rp = s.registeredPoor ? 1 : 0;
  const pc = s.poorClass ?? 0;
  const as = s.assistance === 'dibao' ? 1 : s.assistance === 'tekun' ? 2 : 0;
  return rp * 9 + pc * 3 + as;
}

export function statusOfKey(k: StatusKey): PersonStatus {
  const rp = Math.floor(k / 9);
  const pc = Math.floor((k % 9) / 3);
  const as = k % 3;
  return {
    registeredPoor: rp === 1,
    poorClass: pc === 0 ? null : (pc as 1 | 2),
    assistance: as === 1 ? 'dibao' : as === 2 ? 'tekun' : null,
  };
}

export function statusFits(k: StatusKey, g: Group): boolean {
  const s = statusOfKey(k);
  switch (g) {
    case 'any':
      return true;
    case 'registeredPoor':
      return s.registeredPoor;
    case 'poorClass1':
      return s.registeredPoor && s.poorClass === 1;
    case 'poorClass2':
      return s.registeredPoor && s.poorClass === 2;
    case 'dibao':
      return s.assistance === 'dibao';
    case 'tekun':
      return s.assistance === 'tekun';
  }
}

/** The status in force on `date` (ISO): the last entry whose from is on or before it. */
export function statusOn(history: readonly DatedStatus[], date: string): PersonStatus {
  let found: DatedStatus | undefined;
  for (const h of history) {
    if (h.from === null || h.from <= date) found = h;
    else break;
  }
  return found ?? { registeredPoor: false, poorClass: null, assistance: null };
}
