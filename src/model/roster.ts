/**
 * The household roster as both the tablet and the county server hold it. IDs are ULIDs generated
 * on the device that creates the record; dates are ISO local dates ("2024-03-01"); timestamps are
 * ISO instants ("2024-03-01T08:30:00.000Z"); money is integer fen.
 */

export type IsoDate = string;
export type IsoInstant = string;

/** A village (行政村) under a township (乡镇) under a county, with 12-digit statistical codes. */
export interface Village {
  id: string;
  /** 12-digit administrative code of the village (统计用区划代码). */
  code: string;
  name: string;
  townshipCode: string;
  townshipName: string;
  countyCode: string;
  countyName: string;
  /** The policy pack in force for the county, e.g. "CN-140000-2017". */
  packId: string;
}

export interface Household {
  id: string;
  villageId: string;
  /** The household number in the poverty register (户编号), unique in its village. */
  number: string;
  address: string;
  /** Member id of the head of household (户主), once members exist. */
  headMemberId: string | null;
  phone: string | null;
  createdAt: IsoInstant;
  updatedAt: IsoInstant;
  /** Local revision, incremented on each edit. */
  rev: number;
}

export type Relation =
  | 'head' // 户主
  | 'spouse' // 配偶
  | 'son' // 子
  | 'daughter' // 女
  | 'daughterInLaw' // 儿媳
  | 'sonInLaw' // 女婿
  | 'grandchild' // 孙子女
  | 'parent' // 父母
  | 'sibling' // 兄弟姐妹
  | 'other'; // 其他

export const RELATIONS: readonly Relation[] = ['head', 'spouse', 'son', 'daughter', 'daughterInLaw', 'sonInLaw', 'grandchild', 'parent', 'sibling', 'other'];

export type MemberState = 'active' | 'deceased' | 'movedOut';

export interface Member {
  id: string;
  householdId: string;
  villageId: string;
  name: string;
  /** Full pinyin without tones or spaces, lower case ("zhangjianguo"). */
  pinyin: string;
  /** Pinyin initials ("zjg"). */
  initials: string;
  /** 18-character resident ID number (GB 11643). */
  idNumber: string;
  sex: 'M' | 'F';
  birthDate: IsoDate;
  relation: Relation;
  phone: string | null;
  /** Kept, never deleted: a deceased or moved-out member stays on the roster with the date. */
  state: MemberState;
  stateDate: IsoDate | null;
  /** Basic medical insurance: scheme and the year paid for. */
  insured: { scheme: 'resident' | 'employee' | 'none'; year: number | null };
  createdAt: IsoInstant;
  updatedAt: IsoInstant;
  rev: number;
}

/**
 * Poverty and assistance status in force from a date (inclusive), until the next record of the
 * same member. poverty: 建档立卡 still poor, 已脱贫 lifted out, 监测 under monitoring (防返贫监测).
 */
export interface StatusRecord {
  id: string;
  memberId: string;
  from: IsoDate;
  poverty: 'poor' | 'lifted' | 'monitored' | 'none';
  /** 1 一类 or 2 二类 where the county distinguishes them. */
  poorClass: 1 | 2 | null;
  assistance: 'tekun' | 'dibao' | null;
  note: string | null;
  createdAt: IsoInstant;
}

/** A chronic-disease enrolment (慢特病/两病 认定) against an entry of the pack's outpatient table. */
export interface Enrolment {
  id: string;
  memberId: string;
  villageId: string;
  packId: string;
  /** Entry id in the pack's outpatient table. */
  entryId: string;
  /** ICD-10 code of the certified diagnosis. */
  icd: string;
  category: 'special' | 'other' | 'two-diseases';
  certifiedOn: IsoDate;
  hospital: string;
  /** From the pack at enrolment, fen. */
  annualLimit: number;
  endedOn: IsoDate | null;
  createdAt: IsoInstant;
  updatedAt: IsoInstant;
}

/**
 * A household visit (入户走访): its schema and type are the care plan's (careplan/records.ts), where
 * the checklist per member and the findings are. It replaced protocol 1's visit of one member.
 */
export type { HouseholdVisit as Visit } from './careplan/records.ts';

/**
 * Whether a status counts as registered poor for the settlement engine: households still poor,
 * and those lifted out or monitored, keep their 建档立卡 registration.
 */
export function isRegisteredPoor(s: Pick<StatusRecord, 'poverty'>): boolean {
  return s.poverty === 'poor' || s.poverty === 'lifted' || s.poverty === 'monitored';
}

/** Full years of age on a date (ISO dates), or null without a valid birth date. */
export function ageOn(birthDate: string | null | undefined, on: string): number | null {
  if (!birthDate || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(birthDate)) return null;
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
