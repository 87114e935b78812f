/**
 * The roster in the order every export lists it: villages by code, households by number (numbers
 * in numeric order: 2 before 10), the head of household first, then by birth date; and the cells
 * that say who a row is about.
 */
import type { Household, Member, StatusRecord, Village } from '../roster.ts';
import { str, text, type SheetCell } from './cells.ts';
import { RELATION_LABEL, SEX_LABEL } from './labels.ts';

export interface RosterInput {
  villages: readonly Village[];
  households: readonly Household[];
  members: readonly Member[];
  statuses: readonly StatusRecord[];
}

export interface Person {
  village: Village;
  household: Household;
  member: Member;
  /** Place in the export's order. */
  index: number;
}

const COLLATOR = new Intl.Collator('zh-CN', { numeric: true });

/** Every member of the input whose household and village it holds, in export order. */
export function peopleOf(input: Pick<RosterInput, 'villages' | 'households' | 'members'>): { people: Person[]; byMember: Map<string, Person> } {
  const villages = [...input.villages].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const households = new Map<string, Household[]>();
  for (const h of input.households) {
    const l = households.get(h.villageId);
    if (l) l.push(h);
    else households.set(h.villageId, [h]);
  }
  const members = new Map<string, Member[]>();
  for (const m of input.members) {
    const l = members.get(m.householdId);
    if (l) l.push(m);
    else members.set(m.householdId, [m]);
  }
  const people: Person[] = [];
  const byMember = new Map<string, Person>();
  for (const village of villages) {
    const hs = (households.get(village.id) ?? []).sort((a, b) => COLLATOR.compare(a.number, b.number));
    for (const household of hs) {
      const ms = (members.get(household.id) ?? []).sort(
        (a, b) => Number(b.id === household.headMemberId) - Number(a.id === household.headMemberId) || a.birthDate.localeCompare(b.birthDate) || a.idNumber.localeCompare(b.idNumber),
      );
      for (const member of ms) {
        const p = { village, household, member, index: people.length };
        people.push(p);
        byMember.set(member.id, p);
      }
    }
  }
  return { people, byMember };
}

/** Each member's latest status record (the latest date, then the latest made), as the roster export writes it. */
export function latestStatus(statuses: readonly StatusRecord[]): Map<string, StatusRecord> {
  const latest = new Map<string, StatusRecord>();
  for (const s of statuses) {
    const held = latest.get(s.memberId);
    if (!held || s.from > held.from || (s.from === held.from && s.createdAt > held.createdAt)) latest.set(s.memberId, s);
  }
  return latest;
}

/** Each member's status records, oldest first. */
export function statusHistory(statuses: readonly StatusRecord[]): Map<string, StatusRecord[]> {
  const out = new Map<string, StatusRecord[]>();
  for (const s of statuses) {
    const l = out.get(s.memberId);
    if (l) l.push(s);
    else out.set(s.memberId, [s]);
  }
  for (const l of out.values()) l.sort((a, b) => a.from.localeCompare(b.from) || a.createdAt.localeCompare(b.createdAt));
  return out;
}

/** The status in force on a date (the last one from on or before it), or null. */
export function statusOn(history: readonly StatusRecord[] | undefined, date: string): StatusRecord | null {
  let found: StatusRecord | null = null;
  for (const s of history ?? []) if (s.from <= date) found = s;
  return found;
}

/** The columns that say who a row is about, in this order. */
export const WHO = ['乡镇', '行政村代码', '行政村', '户编号', '姓名', '性别', '证件号码'] as const;
export const WHO_WIDTHS = [10, 15, 10, 12, 9, 5, 21];

export function whoCells(p: Person): (SheetCell | null)[] {
  return [str(p.village.townshipName), text(p.village.code), str(p.village.name), text(p.household.number), str(p.member.name), str(SEX_LABEL[p.member.sex]), text(p.member.idNumber)];
}

/** 与户主关系 and 联系电话 (the phone as text, every digit kept). */
export const relationCell = (m: Member) => str(RELATION_LABEL[m.relation]);
export const phoneCell = (m: Member) => text(m.phone ?? '');
