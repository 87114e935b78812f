import { ageOn as ageOnDate } from '../../../model/roster.ts';
import type { TFunction } from 'i18next';
import type { Member, StatusRecord } from '../../../model/roster.ts';

/** Full years of age on a date (the shared rule, src/model/roster.ts). */
export function ageOn(birthDate: string, on: string): number {
  return ageOnDate(birthDate, on) ?? 0;
}

export function statusLabel(t: TFunction, s: StatusRecord | null): string {
  if (!s) return t('status.poverty.none');
  const parts = [t(`status.poverty.${s.poverty}`)];
  if (s.poorClass) parts.push(t(`status.class${s.poorClass}`));
  if (s.assistance) parts.push(t(`status.assistance.${s.assistance}`));
  return parts.join(' · ');
}

export function stateLabel(t: TFunction, m: Pick<Member, 'state'>): string | null {
  return m.state === 'active' ? null : t(`members.state.${m.state}`);
}
