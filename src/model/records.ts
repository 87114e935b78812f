/**
 * One schema per record that crosses the wire (valibot): the county server checks every pushed
 * record with it before storing, the tablet checks every pulled record before writing it. The
 * TypeScript types of the roster (roster.ts) are checked against these schemas at compile time
 * (the `Same` assertions below), so the two cannot drift apart.
 *
 * A failure names the field by its path (`data.idNumber`, `insured.year`) and says what is wrong
 * in plain words; `checkRecord` returns the first one.
 */
import * as v from 'valibot';
import { MAX_FEN, PAYERS } from '../rules/index.ts';
import { checkIdNumber } from './idcard.ts';
import { RELATIONS, type Enrolment, type Household, type Member, type StatusRecord, type Village, type Visit } from './roster.ts';
import { ENTITIES, type Entity } from './sync.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Ids are ULIDs made on the device that created the record. */
export const Id = v.pipe(v.string('must be text'), v.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id made by the app (26 letters and digits)'));

/** No control characters (NUL and the like break storage and display); bounded length. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
export const text = (max: number, min = 0) =>
  v.pipe(
    v.string('must be text'),
    v.maxLength(max, `at most ${max} characters`),
    v.minLength(min, min === 1 ? 'is required' : `at least ${min} characters`),
    v.check((s) => !CONTROL.test(s), 'contains a control character'),
  );

function isRealDate(s: string): boolean {
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  const days = m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return m >= 1 && m <= 12 && d >= 1 && d <= days;
}

/** An ISO local date (yyyy-mm-dd) that is a real calendar day. */
export const IsoDate = v.pipe(
  v.string('must be a date'),
  v.regex(/^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$/, 'must be a date as yyyy-mm-dd'),
  v.check(isRealDate, 'is no calendar day'),
);

/** An ISO instant as `Date.prototype.toISOString` writes it. */
export const IsoInstant = v.pipe(
  v.string('must be a time'),
  v.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$/, 'must be a time as yyyy-mm-ddThh:mm:ss.sssZ'),
);

/** Money in integer fen. */
export const Fen = v.pipe(v.number('must be an amount in fen'), v.integer('must be whole fen'), v.minValue(0, 'cannot be negative'), v.maxValue(MAX_FEN, 'is too large'));

const Rev = v.pipe(v.number('must be a revision number'), v.integer('must be a whole number'), v.minValue(0, 'cannot be negative'));

/** Digits as kept after the phone field's check (mobile or landline), with an optional dash. */
const Phone = v.pipe(v.string('must be a phone number'), v.regex(/^[0-9][0-9-]{4,19}$/, 'must be a phone number of digits'));

const IdNumber = v.pipe(
  v.string('must be an ID number'),
  v.check((s) => checkIdNumber(s, '9999-12-31').ok && s === s.toUpperCase() && !/\s/.test(s), 'must be an 18-character resident ID number with a valid check digit'),
);

const AreaCode = (digits: number) => v.pipe(v.string(), v.regex(new RegExp(`^[0-9]{${digits}}$`), `must be a ${digits}-digit code`));

const PackId = v.pipe(v.string('must be a policy pack id'), v.regex(/^CN-[0-9]{6}-[0-9]{4}$/, 'must be a policy pack id such as CN-140000-2017'));

// ---------------------------------------------------------------------------------------------
// Records

export const VillageSchema = v.strictObject({
  id: Id,
  code: AreaCode(12),
  name: text(50, 1),
  /** 9 digits, or 12 with three zeros (as the statistical tables write it). */
  townshipCode: v.pipe(v.string(), v.regex(/^[0-9]{9}([0-9]{3})?$/, 'must be a 9- or 12-digit code')),
  townshipName: text(50, 1),
  countyCode: AreaCode(6),
  countyName: text(50, 1),
  packId: PackId,
});

export const HouseholdSchema = v.strictObject({
  id: Id,
  villageId: Id,
  number: text(32, 1),
  address: text(200),
  headMemberId: v.nullable(Id),
  phone: v.nullable(Phone),
  createdAt: IsoInstant,
  updatedAt: IsoInstant,
  rev: Rev,
});

export const MemberSchema = v.pipe(
  v.strictObject({
    id: Id,
    householdId: Id,
    villageId: Id,
    name: text(50, 1),
    pinyin: text(200),
    initials: text(50),
    idNumber: IdNumber,
    sex: v.picklist(['M', 'F'], 'must be M or F'),
    birthDate: IsoDate,
    relation: v.picklist(RELATIONS, 'must be a relation to the head of household'),
    phone: v.nullable(Phone),
    state: v.picklist(['active', 'deceased', 'movedOut'], 'must be active, deceased or movedOut'),
    stateDate: v.nullable(IsoDate),
    insured: v.strictObject({
      scheme: v.picklist(['resident', 'employee', 'none'], 'must be resident, employee or none'),
      year: v.nullable(v.pipe(v.number('must be a year'), v.integer('must be a year'), v.minValue(1990, 'must be a year from 1990'), v.maxValue(2100, 'must be a year before 2100'))),
    }),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
    rev: Rev,
  }),
  v.forward(
    v.check((m) => `${m.idNumber.slice(6, 10)}-${m.idNumber.slice(10, 12)}-${m.idNumber.slice(12, 14)}` === m.birthDate, 'differs from the birth date in the ID number'),
    ['birthDate'],
  ),
  v.forward(
    v.check((m) => ((m.idNumber.charCodeAt(16) - 48) % 2 === 1 ? 'M' : 'F') === m.sex, 'differs from the sex in the ID number'),
    ['sex'],
  ),
);

export const StatusSchema = v.strictObject({
  id: Id,
  memberId: Id,
  from: IsoDate,
  poverty: v.picklist(['poor', 'lifted', 'monitored', 'none'], 'must be poor, lifted, monitored or none'),
  poorClass: v.nullable(v.picklist([1, 2], 'must be 1 or 2')),
  assistance: v.nullable(v.picklist(['tekun', 'dibao'], 'must be tekun or dibao')),
  note: v.nullable(text(500)),
  createdAt: IsoInstant,
  rev: v.optional(Rev),
});

export const EnrolmentSchema = v.pipe(
  v.strictObject({
    id: Id,
    memberId: Id,
    villageId: Id,
    packId: PackId,
    entryId: text(64, 1),
    icd: v.pipe(text(16, 1), v.regex(/^[A-Z][0-9]{2}/, 'must be an ICD-10 code such as I10')),
    category: v.picklist(['special', 'other', 'two-diseases'], 'must be special, other or two-diseases'),
    certifiedOn: IsoDate,
    hospital: text(100),
    annualLimit: Fen,
    endedOn: v.nullable(IsoDate),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
    rev: v.optional(Rev),
  }),
  v.forward(
    v.check((e) => e.endedOn === null || e.endedOn >= e.certifiedOn, 'is before the certification date'),
    ['endedOn'],
  ),
);

export const VisitSchema = v.strictObject({
  id: Id,
  memberId: Id,
  householdId: Id,
  date: IsoDate,
  note: text(2000),
  createdAt: IsoInstant,
  rev: v.optional(Rev),
});

/** A claim recorded from a hospital's settlement slip: what each payer actually paid, in fen. */
export const LedgerSchema = v.pipe(
  v.strictObject({
    id: Id,
    memberId: Id,
    date: IsoDate,
    packId: PackId,
    kind: v.picklist(['inpatient', 'outpatient-chronic'], 'must be inpatient or outpatient-chronic'),
    facilityClass: text(64, 1),
    facilityName: text(100),
    disease: v.nullable(text(64)),
    total: Fen,
    outOfCatalog: Fen,
    paid: v.record(v.picklist(PAYERS, `must be a payer (${PAYERS.join(', ')})`), Fen),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
    rev: v.optional(Rev),
  }),
  v.forward(
    v.check((l) => l.outOfCatalog <= l.total, 'is more than the total'),
    ['outOfCatalog'],
  ),
  v.forward(
    v.check((l) => Object.values(l.paid).reduce((a, b) => a + (b ?? 0), 0) <= l.total, 'adds up to more than the total'),
    ['paid'],
  ),
);

export type LedgerEntry = v.InferOutput<typeof LedgerSchema>;

/**
 * A filing as the county sends it back (src/model/filing.ts FilingRecord): the fields that place it
 * are checked here; its content was checked by the filing rules when it was submitted.
 */
export const FilingRecordSchema = v.looseObject({
  id: Id,
  memberId: Id,
  householdId: Id,
  villageId: Id,
  packId: PackId,
  type: text(64, 1),
  status: v.picklist(['submitted', 'received', 'in-review', 'returned', 'approved', 'paid', 'rejected'], 'must be a filing status'),
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  content: v.looseObject({}),
  versions: v.array(v.unknown()),
  events: v.array(v.unknown()),
});

export const RECORD_SCHEMAS = {
  village: VillageSchema,
  household: HouseholdSchema,
  member: MemberSchema,
  status: StatusSchema,
  enrolment: EnrolmentSchema,
  visit: VisitSchema,
  ledger: LedgerSchema,
  filing: FilingRecordSchema,
} as const satisfies Record<Entity, v.GenericSchema>;

// ---------------------------------------------------------------------------------------------
// The mutation envelope

/** An object of fields (not a list, which valibot's record would take). */
const PlainObject = (message: string) => v.custom<Record<string, unknown>>((x) => x !== null && typeof x === 'object' && !Array.isArray(x), message);

export const MutationSchema = v.strictObject({
  id: Id,
  entity: v.picklist(ENTITIES, `must be one of ${ENTITIES.join(', ')}`),
  entityId: Id,
  op: v.picklist(['create', 'update', 'delete'], 'must be create, update or delete'),
  baseRev: v.nullish(Rev, null),
  data: PlainObject('must be an object'),
  createdAt: IsoInstant,
});

/** A record as the county sends it in a pull (the record itself is checked by its entity's schema). */
export const PulledRecordSchema = v.strictObject({
  entity: v.picklist(ENTITIES, `must be one of ${ENTITIES.join(', ')}`),
  id: Id,
  rev: Rev,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  deleted: v.boolean(),
  data: v.nullable(PlainObject('must be an object')),
});

/** A pulled record's envelope and, unless it is a deletion, the record under its entity's schema. */
export function checkPulled(r: unknown): RecordProblem | null {
  const envelope = firstProblem(PulledRecordSchema, r);
  if (envelope) return envelope;
  const p = r as { entity: Entity; id: string; deleted: boolean; data: Record<string, unknown> | null };
  if (p.deleted) return null;
  if (p.data === null) return { path: 'data', message: 'is required' };
  if (p.data.id !== p.id) return { path: 'data.id', message: 'differs from the record id' };
  const problem = checkRecord(p.entity, p.data);
  return problem ? { path: problem.path ? `data.${problem.path}` : 'data', message: problem.message } : null;
}

// ---------------------------------------------------------------------------------------------
// Checking

export interface RecordProblem {
  /** Dotted path of the offending field, from the record (`insured.year`), or '' for the whole record. */
  path: string;
  message: string;
}

function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((p) => String(p.key)).join('.');
}

/** The first problem of a value against a schema, or null when it is valid. */
export function firstProblem(schema: v.GenericSchema, value: unknown): RecordProblem | null {
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (r.success) return null;
  const issue = r.issues[0]!;
  const path = pathOf(issue);
  const message =
    issue.expected === 'never' ? 'is not a field of this record' : issue.received === 'undefined' && path ? 'is required' : issue.expected === 'Object' ? 'must be an object' : issue.message;
  return { path, message };
}

/** Checks a record of an entity; the problem names the field. */
export function checkRecord(entity: Entity, record: unknown): RecordProblem | null {
  return firstProblem(RECORD_SCHEMAS[entity], record);
}

/** Checks a pushed mutation's envelope (not its data's fields). */
export function checkMutation(m: unknown): RecordProblem | null {
  return firstProblem(MutationSchema, m);
}

// ---------------------------------------------------------------------------------------------
// The roster's types and these schemas are the same shapes.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type Plain<T> = { [K in keyof T]: T[K] };
export type _SchemaMatchesTypes = [
  Assert<Same<Plain<v.InferOutput<typeof VillageSchema>>, Plain<Village>>>,
  Assert<Same<Plain<v.InferOutput<typeof HouseholdSchema>>, Plain<Household>>>,
  Assert<Same<Plain<v.InferOutput<typeof MemberSchema>>, Plain<Member>>>,
  Assert<Same<Plain<Omit<v.InferOutput<typeof StatusSchema>, 'rev'>>, Plain<StatusRecord>>>,
  Assert<Same<Plain<Omit<v.InferOutput<typeof EnrolmentSchema>, 'rev'>>, Plain<Enrolment>>>,
  Assert<Same<Plain<Omit<v.InferOutput<typeof VisitSchema>, 'rev'>>, Plain<Visit>>>,
];
