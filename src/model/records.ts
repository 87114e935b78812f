/**
 * One schema per record that crosses the wire (valibot): the county server checks every pushed
 * record with it before storing, the tablet checks every pulled record before writing it. The
 * TypeScript types of the roster (roster.ts) are checked against these schemas at compile time
 * (the `Same` assertions below), so the two cannot drift apart. The care-plan records (household
 * visit, follow-up, contract) have their schemas in careplan/records.ts and are listed here with
 * the rest; the building blocks both use are in record-parts.ts.
 *
 * A failure names the field by its path (`data.idNumber`, `insured.year`) and says what is wrong
 * in plain words; `checkRecord` returns the first one.
 */
import * as v from 'valibot';
import { PAYERS } from '../rules/index.ts';
import { ContractSchema, FollowupSchema, HouseholdVisitSchema } from './careplan/records.ts';
import { AreaCode, Fen, Id, IdNumber, IsoDate, IsoInstant, PackId, Phone, Rev, firstProblem, text, type RecordProblem } from './record-parts.ts';
import { RELATIONS, type Enrolment, type Household, type Member, type StatusRecord, type Village } from './roster.ts';
import { ENTITIES, type Entity } from './sync.ts';

export { AreaCode, Fen, Id, IdNumber, IsoDate, IsoInstant, PackId, Phone, Rev, firstProblem, text, type RecordProblem };

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

/**
 * A household visit (入户走访, careplan/records.ts). It replaced the visit of one member with a note
 * of protocol 1 under the same entity name; the county's migration 0006 converted stored ones.
 */
export const VisitSchema = HouseholdVisitSchema;

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
  followup: FollowupSchema,
  contract: ContractSchema,
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
];
