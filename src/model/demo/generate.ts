/**
 * A deterministic synthetic county for demo mode and tests: 交口县 with its (invented) townships and
 * villages, households of one to six with consistent relations, ages and surnames, valid ID numbers,
 * a dated poverty and assistance history, insurance, and chronic-disease enrolments against the
 * Shanxi policy pack. The same seed gives the same county; nothing here touches Node or the DOM.
 *
 * Nothing is real: the people are drawn at random from name tables; only the county, its code and
 * the policy pack are real.
 */
import { builtinPack, statusKey, type CompiledPack } from '../../rules/index.ts';
import { makeIdNumber } from '../idcard.ts';
import type { Enrolment, Household, Member, MemberState, Relation, StatusRecord, Village } from '../roster.ts';
import { GIVEN, SURNAMES, generationOf, type NamePart } from './names.ts';
import { DEMO_COUNTY, HOSPITALS, NEIGHBOUR_REGIONS, TOWNSHIPS } from './places.ts';
import { Rng, dayNumber, isoDay, seededIds } from './random.ts';

export interface GenerateOptions {
  seed?: number;
  /** About how many members (default 10,000); the household count scales to reach it. */
  members?: number;
  /** The instant the data is generated at (ISO), default 2026-01-01T00:00:00.000Z. */
  now?: string;
}

export interface DemoCounty {
  county: { code: string; name: string; packId: string };
  villages: Village[];
  households: Household[];
  members: Member[];
  statuses: StatusRecord[];
  enrolments: Enrolment[];
}

export const DEFAULT_SEED = 1;
export const DEFAULT_MEMBERS = 10_000;
export const DEFAULT_NOW = '2026-01-01T00:00:00.000Z';
export const MAX_MEMBERS = 1_000_000;

type Sex = 'M' | 'F';
type Poverty = StatusRecord['poverty'];

/** Whose surname a planned person carries. */
type SurnameFrom = 'head' | 'kids' | 'new';

interface PersonPlan {
  relation: Relation;
  sex: Sex;
  age: number;
  surname: SurnameFrom;
}

// ---------------------------------------------------------------------------------------------
// Household composition

function person(relation: Relation, sex: Sex, age: number, surname: SurnameFrom): PersonPlan {
  return { relation, sex, age, surname };
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Head and spouse; the husband is usually a few years older. */
function couple(r: Rng, lo: number, hi: number): PersonPlan[] {
  const headMale = r.chance(0.95);
  const h = r.int(lo, hi);
  const diff = r.int(-2, 6);
  return [person('head', headMale ? 'M' : 'F', h, 'head'), person('spouse', headMale ? 'F' : 'M', clamp(headMale ? h - diff : h + diff, 20, 99), 'new')];
}

function youngestAge(ps: PersonPlan[]): number {
  let a = Infinity;
  for (const p of ps) a = Math.min(a, p.age);
  return a;
}

/** A child's age: at least 21 years younger than the younger parent, 1-6 years after an older sibling. */
function childAge(r: Rng, minParent: number, older?: number): number {
  const max = minParent - 21;
  let a = older === undefined ? minParent - r.int(22, 32) : older - r.int(1, 6);
  if (a < 0) a = r.int(0, Math.min(max, older ?? max));
  return Math.min(a, max);
}

function children(r: Rng, parents: PersonPlan[], n: number, surname: SurnameFrom = 'kids'): PersonPlan[] {
  const min = youngestAge(parents);
  const out: PersonPlan[] = [];
  let older: number | undefined;
  for (let i = 0; i < n; i++) {
    const age = childAge(r, min, older);
    older = age;
    const son = r.chance(0.52);
    out.push(person(son ? 'son' : 'daughter', son ? 'M' : 'F', age, surname));
  }
  return out;
}

/** One parent of the head (father or mother), or both. */
function parents(r: Rng, head: PersonPlan, both: boolean): PersonPlan[] {
  if (both) {
    const father = Math.min(99, head.age + r.int(24, 36));
    const mother = Math.min(99, Math.max(head.age + 21, father - r.int(0, 5)));
    return [person('parent', 'M', father, 'head'), person('parent', 'F', mother, 'new')];
  }
  const male = r.chance(0.25);
  return [person('parent', male ? 'M' : 'F', Math.min(99, head.age + r.int(22, 34)), male ? 'head' : 'new')];
}

/** Son and daughter-in-law (and their children) living with the head's couple. */
function sonsFamily(r: Rng, couplePlan: PersonPlan[], grandchildren: number): PersonPlan[] {
  const min = youngestAge(couplePlan);
  const son = clamp(min - r.int(22, 30), 23, min - 21);
  const dil = clamp(son - r.int(-2, 4), 21, 60);
  const out = [person('son', 'M', son, 'kids'), person('daughterInLaw', 'F', dil, 'new')];
  let older: number | undefined;
  for (let i = 0; i < grandchildren; i++) {
    const age = childAge(r, Math.min(son, dil), older);
    older = age;
    out.push(person('grandchild', r.chance(0.52) ? 'M' : 'F', age, 'kids'));
  }
  return out;
}

/** Grandparents bringing up grandchildren whose parents work away (留守儿童). */
function leftBehind(r: Rng, couplePlan: PersonPlan[], n: number): PersonPlan[] {
  const max = Math.min(16, youngestAge(couplePlan) - 40);
  const surname: SurnameFrom = r.chance(0.85) ? 'kids' : 'new';
  const out: PersonPlan[] = [];
  for (let i = 0; i < n; i++) out.push(person('grandchild', r.chance(0.52) ? 'M' : 'F', r.int(0, max), surname));
  return out;
}

function singleParent(r: Rng, n: number): PersonPlan[] {
  const head = person('head', r.chance(0.6) ? 'F' : 'M', r.int(35 + (n - 1) * 3, 65), 'head');
  return [head, ...children(r, [head], n)];
}

const SIZE_WEIGHTS = { 1: 14, 2: 21, 3: 18, 4: 23, 5: 15, 6: 9 } as const;

function planHousehold(r: Rng): PersonPlan[] {
  const size = Number(r.weighted(SIZE_WEIGHTS));
  switch (size) {
    case 1:
      if (r.chance(0.6)) return [person('head', r.chance(0.5) ? 'M' : 'F', r.int(60, 92), 'head')];
      return [person('head', r.chance(0.9) ? 'M' : 'F', r.int(30, 59), 'head')];
    case 2:
      switch (r.weighted({ oldCouple: 50, withParent: 20, singleParent: 22, sibling: 8 })) {
        case 'oldCouple':
          return couple(r, 55, 88);
        case 'withParent': {
          const head = person('head', r.chance(0.85) ? 'M' : 'F', r.int(30, 60), 'head');
          return [head, ...parents(r, head, false)];
        }
        case 'singleParent':
          return singleParent(r, 1);
        default: {
          const head = person('head', r.chance(0.8) ? 'M' : 'F', r.int(40, 70), 'head');
          const male = r.chance(0.6);
          return [head, person('sibling', male ? 'M' : 'F', clamp(head.age + r.int(-8, 8), 30, 90), 'head')];
        }
      }
    case 3:
      switch (r.weighted({ child: 55, parent: 22, singleParent: 10, leftBehind: 13 })) {
        case 'child': {
          const c = couple(r, 28, 60);
          return [...c, ...children(r, c, 1)];
        }
        case 'parent': {
          const c = couple(r, 30, 62);
          return [...c, ...parents(r, c[0]!, false)];
        }
        case 'singleParent':
          return singleParent(r, 2);
        default: {
          const c = couple(r, 55, 75);
          return [...c, ...leftBehind(r, c, 1)];
        }
      }
    case 4:
      switch (r.weighted({ children: 50, childParent: 20, sonsFamily: 15, leftBehind: 8, sonInLaw: 7 })) {
        case 'children': {
          const c = couple(r, 30, 55);
          return [...c, ...children(r, c, 2)];
        }
        case 'childParent': {
          const c = couple(r, 30, 60);
          return [...c, ...children(r, c, 1), ...parents(r, c[0]!, false)];
        }
        case 'sonsFamily': {
          const c = couple(r, 53, 78);
          return [...c, ...sonsFamily(r, c, 0)];
        }
        case 'leftBehind': {
          const c = couple(r, 55, 75);
          return [...c, ...leftBehind(r, c, 2)];
        }
        default: {
          // 上门女婿: the daughter's husband lives with her parents
          const c = couple(r, 50, 72);
          const min = youngestAge(c);
          const daughter = clamp(min - r.int(22, 30), 22, min - 21);
          return [...c, person('daughter', 'F', daughter, 'kids'), person('sonInLaw', 'M', clamp(daughter + r.int(-2, 5), 22, 70), 'new')];
        }
      }
    case 5:
      switch (r.weighted({ childrenParent: 35, threeChildren: 15, sonsFamily: 40, childParents: 10 })) {
        case 'childrenParent': {
          const c = couple(r, 30, 60);
          return [...c, ...children(r, c, 2), ...parents(r, c[0]!, false)];
        }
        case 'threeChildren': {
          const c = couple(r, 32, 55);
          return [...c, ...children(r, c, 3)];
        }
        case 'sonsFamily': {
          const c = couple(r, 53, 78);
          return [...c, ...sonsFamily(r, c, 1)];
        }
        default: {
          const c = couple(r, 28, 55);
          return [...c, ...children(r, c, 1), ...parents(r, c[0]!, true)];
        }
      }
    default:
      switch (r.weighted({ sonsFamily: 55, childrenParents: 30, threeChildrenParent: 15 })) {
        case 'sonsFamily': {
          const c = couple(r, 53, 78);
          return [...c, ...sonsFamily(r, c, 2)];
        }
        case 'childrenParents': {
          const c = couple(r, 30, 55);
          return [...c, ...children(r, c, 2), ...parents(r, c[0]!, true)];
        }
        default: {
          const c = couple(r, 32, 58);
          return [...c, ...children(r, c, 3), ...parents(r, c[0]!, false)];
        }
      }
  }
}

// ---------------------------------------------------------------------------------------------
// Chronic diseases

interface DiseaseSpec {
  icd: readonly string[];
  weight: number;
  minAge: number;
  sex?: Sex;
  hospitals: 'common' | 'tumour' | 'city';
}

/** Certified chronic diseases of people over 40, weighted to how often they are enrolled. */
const DISEASES: readonly DiseaseSpec[] = [
  { icd: ['I10'], weight: 36, minAge: 35, hospitals: 'common' }, // 高血压
  { icd: ['E11.9', 'E11.2', 'E11.4', 'E11.7'], weight: 16, minAge: 30, hospitals: 'common' }, // 2 型糖尿病
  { icd: ['I25.1', 'I25.9'], weight: 12, minAge: 45, hospitals: 'common' }, // 冠心病
  { icd: ['J44.9', 'J44.1'], weight: 10, minAge: 45, hospitals: 'common' }, // 慢阻肺
  { icd: ['I63.9', 'I69.3'], weight: 6, minAge: 45, hospitals: 'common' }, // 脑梗死（后遗症）
  { icd: ['C15.9'], weight: 1.5, minAge: 45, hospitals: 'tumour' }, // 食管癌
  { icd: ['C16.9'], weight: 2, minAge: 40, hospitals: 'tumour' }, // 胃癌
  { icd: ['C34.9'], weight: 2, minAge: 45, hospitals: 'tumour' }, // 肺癌
  { icd: ['C22.0'], weight: 1, minAge: 40, hospitals: 'tumour' }, // 肝癌
  { icd: ['C50.9'], weight: 1, minAge: 35, sex: 'F', hospitals: 'tumour' }, // 乳腺癌
  { icd: ['N18.5'], weight: 1.5, minAge: 18, hospitals: 'city' }, // 尿毒症透析
  { icd: ['F20.9', 'F20.0'], weight: 2, minAge: 18, hospitals: 'city' }, // 精神分裂症
  { icd: ['K74.6'], weight: 1.5, minAge: 35, hospitals: 'common' }, // 肝硬化
  { icd: ['M05.9'], weight: 2, minAge: 25, hospitals: 'common' }, // 类风湿关节炎
  { icd: ['G20'], weight: 1, minAge: 55, hospitals: 'common' }, // 帕金森病
  { icd: ['J45.9'], weight: 1, minAge: 18, hospitals: 'common' }, // 哮喘
];

/** What younger adults are certified for, rarely. */
const YOUNG_DISEASES: readonly DiseaseSpec[] = DISEASES.filter((d) => d.minAge <= 25);

function pickDisease(r: Rng, list: readonly DiseaseSpec[], age: number, sex: Sex): DiseaseSpec | null {
  let total = 0;
  for (const d of list) if (age >= d.minAge && (!d.sex || d.sex === sex)) total += d.weight;
  let x = r.next() * total;
  for (const d of list) {
    if (age < d.minAge || (d.sex && d.sex !== sex)) continue;
    x -= d.weight;
    if (x < 0) return d;
  }
  return null;
}

function hospitalFor(r: Rng, d: DiseaseSpec): string {
  switch (d.hospitals) {
    case 'tumour':
      return r.chance(0.5) ? r.pick(HOSPITALS.tumour) : r.chance(0.6) ? r.pick(HOSPITALS.city) : r.pick(HOSPITALS.province);
    case 'city':
      return r.chance(0.55) ? r.pick(HOSPITALS.city) : r.chance(0.6) ? HOSPITALS.county[0] : r.pick(HOSPITALS.province);
    default: {
      const x = r.next();
      return x < 0.6 ? HOSPITALS.county[0] : x < 0.75 ? HOSPITALS.county[1] : x < 0.95 ? r.pick(HOSPITALS.city) : r.pick(HOSPITALS.province);
    }
  }
}

type PackEntry = NonNullable<CompiledPack['outpatient']>['entries'][number];

/** The pack's entry for a code and status, as the engine picks it: the first in range that fits. */
function entryFor(entries: readonly PackEntry[], icd: string, sk: number): PackEntry | null {
  const cat = icd.slice(0, 3);
  for (const e of entries) {
    if (!e.ranges.some(([a, b]) => cat >= a && cat <= b)) continue;
    if (e.eligible[sk]) return e;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The county

const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189',
  '191', '193', '195', '196', '197', '198', '199',
];

function mobile(r: Rng): string {
  return r.pick(MOBILE_PREFIXES) + String(r.int(0, 99_999_999)).padStart(8, '0');
}

const MONITOR_REASONS = ['因病', '因残', '因学', '因灾', '缺劳动力', '因意外事故', '因务工就业不稳'];

const POVERTY_MIX = { poor: 45, lifted: 35, monitored: 10, none: 10 } as const;
const REGISTERED_MIX = { poor: 45, lifted: 35, monitored: 10 } as const;

interface HouseholdRecord {
  from: number;
  poverty: Poverty;
  assistance: 'dibao' | 'tekun' | null;
  note: string | null;
}

function randomDay(r: Rng, from: number, to: number): number {
  return to <= from ? from : r.int(from, to);
}

function parseOptions(opts: GenerateOptions): { seed: number; members: number; nowMs: number; nowIso: string } {
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer: ${seed}`);
  const members = opts.members ?? DEFAULT_MEMBERS;
  if (!Number.isInteger(members) || members < 1 || members > MAX_MEMBERS) {
    throw new RangeError(`members must be an integer from 1 to ${MAX_MEMBERS}: ${members}`);
  }
  const now = opts.now ?? DEFAULT_NOW;
  const nowMs = /^\d{4}-\d{2}-\d{2}T/.test(now) ? Date.parse(now) : NaN;
  if (!Number.isFinite(nowMs) || nowMs < Date.UTC(2020, 0, 1) || nowMs > Date.UTC(2100, 0, 1)) {
    throw new RangeError(`now must be an ISO instant from 2020 to 2100: "${now}"`);
  }
  return { seed, members, nowMs, nowIso: new Date(nowMs).toISOString() };
}

/** Splits n households over villages in proportion to their weights (largest remainder). */
function allocate(n: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (n * w) / total);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  return counts;
}

export function generateCounty(opts: GenerateOptions = {}): DemoCounty {
  const { seed, members: target, nowMs, nowIso } = parseOptions(opts);
  const r = new Rng(seed);
  const newId = seededIds(seed, nowMs);
  const pack = builtinPack(DEMO_COUNTY.packId);
  const entries = pack.outpatient?.entries ?? [];
  const packFrom = dayNumber(Number(pack.from.slice(0, 4)), Number(pack.from.slice(5, 7)), Number(pack.from.slice(8, 10)));

  // The local date in China (UTC+8) at `now`.
  const nowDay = Math.floor((nowMs + 8 * 3_600_000) / 86_400_000);
  const nowYear = Number(isoDay(nowDay).slice(0, 4));
  const day = (y: number, m: number, d: number): number => dayNumber(y, m, d);
  const lastCertDay = Math.min(nowDay - 1, day(nowYear - 1, 12, 31));

  // Villages
  const villages: Village[] = [];
  for (const t of TOWNSHIPS) {
    const townshipCode = `${DEMO_COUNTY.code}${t.code}000`;
    t.villages.forEach((v, i) => {
      villages.push({
        id: newId(),
        code: `${DEMO_COUNTY.code}${t.code}${200 + i}`,
        name: `${v}村`,
        townshipCode,
        townshipName: t.name,
        countyCode: DEMO_COUNTY.code,
        countyName: DEMO_COUNTY.name,
        packId: DEMO_COUNTY.packId,
      });
    });
  }
  // Village sizes vary (fixed, not seeded, so a village looks the same across seeds).
  const weights = villages.map((_, i) => 0.6 + (((i * 7919) % 13) / 12) * 0.9);
  const groupsIn = villages.map((_, i) => 3 + ((i * 5) % 6));

  // Household plans until the members wanted are reached.
  const plans: PersonPlan[][] = [];
  let planned = 0;
  while (planned < target) {
    const p = planHousehold(r);
    plans.push(p);
    planned += p.length;
  }
  const perVillage = allocate(plans.length, weights);

  const households: Household[] = [];
  const members: Member[] = [];
  const statuses: StatusRecord[] = [];
  const enrolments: Enrolment[] = [];
  const usedIds = new Set<string>();

  let planIndex = 0;
  villages.forEach((village, vi) => {
    const houseNumbers = new Array<number>(groupsIn[vi]!).fill(0);
    for (let h = 0; h < perVillage[vi]!; h++) {
      const plan = plans[planIndex++]!;
      const group = r.int(1, groupsIn[vi]!);
      houseNumbers[group - 1]! += r.chance(0.15) ? 2 : 1;
      const household: Household = {
        id: newId(),
        villageId: village.id,
        number: String(h + 1).padStart(4, '0'),
        address: `${village.name}${group}组${houseNumbers[group - 1]}号`,
        headMemberId: null,
        phone: null,
        createdAt: nowIso,
        updatedAt: nowIso,
        rev: 1,
      };
      households.push(household);
      makeHousehold(household, village, plan);
    }
  });

  return { county: { ...DEMO_COUNTY }, villages, households, members, statuses, enrolments };

  // ------------------------------------------------------------------------------------------

  function makeHousehold(household: Household, village: Village, plan: PersonPlan[]): void {
    const head = plan[0]!;
    const headSurname = SURNAMES.parts[r.weightedIndex(SURNAMES.cumulative)]!;
    const spouse = plan.find((p) => p.relation === 'spouse');
    let spouseSurname: NamePart | null = null;
    const newSurname = (): NamePart => SURNAMES.parts[r.weightedIndex(SURNAMES.cumulative)]!;
    if (spouse) spouseSurname = newSurname();
    // The children's surname: the father's.
    let kidsSurname: NamePart;
    if (head.sex === 'M') kidsSurname = headSurname;
    else if (spouseSurname) kidsSurname = r.chance(0.75) ? spouseSurname : headSurname;
    else kidsSurname = r.chance(0.8) ? newSurname() : headSurname;

    // Poverty and assistance history of the household.
    const tekun = plan.length === 1 && r.chance(head.age >= 60 ? 0.88 : 0.45);
    const poverty = tekun ? r.weighted(REGISTERED_MIX) : r.weighted(POVERTY_MIX);
    const records = householdHistory(poverty);
    const assistance: 'dibao' | 'tekun' | null = tekun ? 'tekun' : r.chance(poverty === 'none' ? 0.04 : 0.135) ? 'dibao' : null;
    if (assistance) addAssistance(records, assistance);
    const firstRegistered = records.find((x) => x.poverty !== 'none')?.from ?? null;

    const names = new Set<string>();
    let headId: string | null = null;
    let headPhone: string | null = null;
    let otherPhone: string | null = null;
    for (const p of plan) {
      const id = newId();
      if (p.relation === 'head') headId = id;
      const surname = p.relation === 'head' ? headSurname : p.relation === 'spouse' ? spouseSurname! : p.surname === 'head' ? headSurname : p.surname === 'kids' ? kidsSurname : newSurname();

      // birth date within the age year
      const birthDay = Math.max(dayNumber(1900, 1, 1), nowDay - Math.floor(p.age * 365.2425) - r.int(0, 364));
      const birthDate = isoDay(birthDay);
      const given = GIVEN[generationOf(Number(birthDate.slice(0, 4)))][p.sex];
      let name = '';
      let pinyin = '';
      let initials = '';
      for (let attempt = 0; attempt < 6; attempt++) {
        const parts: NamePart[] = [surname];
        if (r.chance(given.singleShare)) parts.push(r.pick(given.single));
        else parts.push(r.pick(given.first), r.pick(given.second));
        name = parts.map((x) => x.text).join('');
        pinyin = parts.map((x) => x.pinyin).join('');
        initials = parts.map((x) => x.initials).join('');
        if (!names.has(name)) break;
      }
      names.add(name);

      // ID number: mostly registered in 交口, spouses who married in often elsewhere nearby.
      const marriedIn = p.relation === 'spouse' || p.relation === 'daughterInLaw' || p.relation === 'sonInLaw';
      const region = r.chance(marriedIn ? 0.3 : p.relation === 'parent' ? 0.08 : 0.03) ? r.pick(NEIGHBOUR_REGIONS) : DEMO_COUNTY.code;
      let seq = r.int(0, 499) * 2 + (p.sex === 'M' ? 1 : 0);
      let idNumber = makeIdNumber(region, birthDate, seq);
      while (usedIds.has(idNumber)) {
        seq = (seq + 2) % 1000;
        idNumber = makeIdNumber(region, birthDate, seq);
      }
      usedIds.add(idNumber);

      // Deaths and moves, kept on the roster with the date.
      let state: MemberState = 'active';
      let stateDay: number | null = null;
      if (p.relation !== 'head') {
        const pDead = p.age >= 75 ? 0.06 : p.age >= 60 ? 0.02 : 0.002;
        const pMoved = p.age >= 18 && p.age <= 35 ? (p.relation === 'daughter' ? 0.08 : 0.04) : 0;
        const x = r.next();
        const dead = x < pDead;
        if (dead || x < pDead + pMoved) {
          // within the last five years, after birth (or, for a move, after turning 18)
          const lo = Math.max(day(nowYear - 5, 1, 1), birthDay + (dead ? 1 : 18 * 366));
          if (lo <= nowDay - 1) {
            state = dead ? 'deceased' : 'movedOut';
            stateDay = r.int(lo, nowDay - 1);
          }
        }
      }

      // Phones: most heads, some other adults.
      let phone: string | null = null;
      if (state === 'active' && p.age >= 16) {
        const pPhone = p.relation === 'head' ? (p.age < 70 ? 0.76 : 0.45) : p.age <= 65 ? 0.35 : 0.05;
        if (r.chance(pPhone)) phone = mobile(r);
      }
      if (p.relation === 'head') headPhone = phone;
      else otherPhone ??= phone;

      // Insurance: the resident scheme, paid for this year or (not yet renewed) last year.
      let insured: Member['insured'];
      const x = r.next();
      if (x < 0.012) insured = { scheme: 'none', year: null };
      else if (x < 0.022 && p.age >= 22 && p.age <= 60) insured = { scheme: 'employee', year: nowYear };
      else insured = { scheme: 'resident', year: r.chance(0.88) ? nowYear : nowYear - 1 };
      if (stateDay !== null && insured.year !== null) insured.year = Math.min(insured.year, Number(isoDay(stateDay).slice(0, 4)));

      members.push({
        id,
        householdId: household.id,
        villageId: village.id,
        name,
        pinyin,
        initials,
        idNumber,
        sex: p.sex,
        birthDate,
        relation: p.relation,
        phone,
        state,
        stateDate: stateDay === null ? null : isoDay(stateDay),
        insured,
        createdAt: nowIso,
        updatedAt: nowIso,
        rev: 1,
      });

      // Status records in force since the member's birth.
      let current: HouseholdRecord | null = null;
      for (let i = 0; i < records.length; i++) {
        const rec = records[i]!;
        const next = records[i + 1];
        if (next && next.from <= birthDay) continue;
        current = rec;
        statuses.push({
          id: newId(),
          memberId: id,
          from: isoDay(Math.max(rec.from, birthDay)),
          poverty: rec.poverty,
          poorClass: null,
          assistance: rec.assistance,
          note: rec.note,
          createdAt: nowIso,
        });
      }

      // Chronic-disease enrolments.
      const sk = statusKey({ registeredPoor: current !== null && current.poverty !== 'none', poorClass: null, assistance: current?.assistance ?? null });
      const pEnrol = p.age > 70 ? 0.32 : p.age > 60 ? 0.28 : p.age > 50 ? 0.2 : p.age > 40 ? 0.12 : p.age >= 18 ? 0.01 : 0;
      if (pEnrol > 0 && r.chance(pEnrol)) {
        const count = p.age > 40 ? (r.chance(0.75) ? 1 : r.chance(0.8) ? 2 : 3) : 1;
        const list = p.age > 40 ? DISEASES : YOUNG_DISEASES;
        const used = new Set<string>();
        const lo = Math.max(packFrom, birthDay + 18 * 366, firstRegistered ?? packFrom);
        const hi = Math.min(lastCertDay, stateDay === null ? Infinity : stateDay - 1);
        for (let k = 0; k < count && lo <= hi; k++) {
          const d = pickDisease(r, list, p.age, p.sex);
          if (!d) continue;
          const icd = r.pick(d.icd);
          const entry = entryFor(entries, icd, sk);
          if (!entry || used.has(entry.id)) continue;
          used.add(entry.id);
          enrolments.push({
            id: newId(),
            memberId: id,
            villageId: village.id,
            packId: pack.id,
            entryId: entry.id,
            icd,
            category: entry.category,
            certifiedOn: isoDay(r.int(lo, hi)),
            hospital: hospitalFor(r, d),
            annualLimit: entry.annualLimit.v,
            endedOn: stateDay === null ? null : isoDay(stateDay),
            createdAt: nowIso,
            updatedAt: nowIso,
          });
        }
      }
    }
    household.headMemberId = headId;
    household.phone = headPhone ?? otherPhone;
  }

  /** One or two records of the household's poverty status. */
  function householdHistory(poverty: Poverty): HouseholdRecord[] {
    // 建档立卡 from late 2014, with the re-checks (回头看) of 2015-2016.
    const registered = randomDay(r, day(2014, 10, 1), day(2016, 12, 31));
    const lastDay = nowDay - 30;
    switch (poverty) {
      case 'poor':
        return [{ from: registered, poverty: 'poor', assistance: null, note: null }];
      case 'lifted': {
        const year = Number(r.weighted({ 2016: 8, 2017: 20, 2018: 30, 2019: 32, 2020: 10 }));
        const lifted = Math.min(lastDay, Math.max(registered + 180, randomDay(r, day(year, 10, 1), day(year, 12, 31))));
        return [
          { from: registered, poverty: 'poor', assistance: null, note: null },
          { from: lifted, poverty: 'lifted', assistance: null, note: null },
        ];
      }
      case 'monitored': {
        const from = randomDay(r, day(2020, 6, 1), Math.min(lastDay, day(nowYear - 1, 10, 31)));
        const note = `防返贫监测：${r.pick(MONITOR_REASONS)}`;
        // Formerly registered poor, or a household on the edge (边缘易致贫户) first monitored then.
        if (r.chance(0.6)) {
          return [
            { from: registered, poverty: 'poor', assistance: null, note: null },
            { from, poverty: 'monitored', assistance: null, note },
          ];
        }
        return [{ from, poverty: 'monitored', assistance: null, note }];
      }
      default:
        return [{ from: registered, poverty: 'none', assistance: null, note: null }];
    }
  }

  /** Assistance from the first record, or from a later date (at most two records in all). */
  function addAssistance(records: HouseholdRecord[], a: 'dibao' | 'tekun'): void {
    const first = records[0]!;
    const fromStart = r.chance(0.55);
    if (records.length === 2) {
      if (fromStart) first.assistance = a;
      records[1]!.assistance = a;
      return;
    }
    const later = first.from + r.int(180, 2400);
    if (fromStart || later >= nowDay - 30) {
      first.assistance = a;
      return;
    }
    records.push({ ...first, from: later, assistance: a, note: null });
  }
}
