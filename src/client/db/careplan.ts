/**
 * The care plan on the tablet: household visits (入户走访), 两病 follow-ups (随访) and family-doctor
 * contracts (签约), written and read below the screens. Each write is one strict-durability
 * transaction with its records, an audit row and an outbox row per record (as repo.ts), so a power
 * cut leaves all of it or none of it, and the sync engine sends them like any roster edit.
 *
 * Every record is checked before it is stored with its model schema (src/model/careplan/records.ts)
 * and with what it must agree with (src/model/careplan/check.ts), the checks the county runs on
 * push: what the county would refuse is refused here first, as an InputError naming the field. A
 * follow-up's classification is computed here from the care-plan pack; the doctor's own is kept
 * beside it as the override.
 */
import { checkFollowupClassification, checkVisitMembers } from '../../model/careplan/check.ts';
import { effectiveClassification, evaluateFollowup, nextDueDate, type Evaluation } from '../../model/careplan/evaluate.ts';
import type { CarePack } from '../../model/careplan/pack.ts';
import { builtinCarePack, DEFAULT_CARE_PACK_ID } from '../../model/careplan/packs/index.ts';
import { ContractSchema, FollowupSchema, HouseholdVisitSchema, type Classification, type Contract, type Followup, type HouseholdVisit, type VisitFinding } from '../../model/careplan/records.ts';
import { contractValidUntil, generateWorklist, type WorkItem, type WorklistFilter, type WorklistInput } from '../../model/careplan/worklist.ts';
import { localToday } from '../../model/idcard.ts';
import { mayWrite } from '../../model/permissions.ts';
import { firstProblem, type RecordProblem } from '../../model/record-parts.ts';
import type { Enrolment, Household, Member, StatusRecord } from '../../model/roster.ts';
import type { Entity, Role } from '../../model/sync.ts';
import { ulid } from '../../model/ulid.ts';
import { readDigest } from './digest.ts';
import { checkedPhoto, shownStatus } from './filings.ts';
import { sealBlob } from './seal.ts';
import { InputError } from './repo.ts';
import { db, type AuditRow, type ContractRow, type CunyiDb, type FollowupRow, type OutboxRow, type VisitRow } from './schema.ts';

const now = () => new Date().toISOString();

function created(entity: OutboxRow['entity'], row: { id: string }): { audit: AuditRow; outbox: OutboxRow } {
  const t = now();
  const changes = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, [null, v] as [unknown, unknown]]));
  return {
    audit: { at: t, entity, entityId: row.id, action: 'create', changes },
    outbox: { id: ulid(), createdAt: t, entity, entityId: row.id, op: 'create', baseRev: null, data: { ...row } },
  };
}

function refuse(problem: RecordProblem | null): void {
  if (problem) throw new InputError(problem.path, 'invalid', problem.path ? `${problem.path}: ${problem.message}` : problem.message);
}

/** A role signed in on this profile that may not write the kind of record: refused before anything is stored. */
async function checkRole(d: CunyiDb, entity: Entity): Promise<void> {
  const role = ((await d.meta.get('session'))?.value as { role?: Role } | undefined)?.role;
  if (role && !mayWrite(role, entity, 'create')) throw new InputError('entity', 'invalid', `the role ${role} does not write ${entity} records`);
}

/** A date a record is dated by: not after today (the tablet's local day). */
function notFuture(field: string, date: string): void {
  if (date > localToday()) throw new InputError(field, 'future', `${field}: cannot be later than today`);
}

// ---------------------------------------------------------------------------------------------
// Household visits

export type NewFinding = Omit<VisitFinding, 'id' | 'doneOn'> & Partial<Pick<VisitFinding, 'id' | 'doneOn'>>;

/**
 * A visit as the form gives it: the village comes from the household; findings without an id get
 * one (a finding carried over from an earlier visit keeps its id, so its progress is recorded).
 */
export type NewVisit = Omit<HouseholdVisit, 'id' | 'villageId' | 'findings' | 'createdAt' | 'updatedAt' | 'rev'> & { findings?: NewFinding[] };

/** Records a household visit (by a cadre or a doctor): the members it names must live in the household. */
export async function addVisit(input: NewVisit, d: CunyiDb = db()): Promise<VisitRow> {
  await checkRole(d, 'visit');
  notFuture('date', input.date);
  const t = now();
  return d.transaction('rw', [d.households, d.members, d.visits, d.attachments, d.audit, d.outbox], async () => {
    const household = await d.households.get(input.householdId);
    if (!household) throw new InputError('householdId', 'invalid', 'householdId: is no household on this tablet');
    const findings = (input.findings ?? []).map((f) => ({ ...f, id: f.id ?? ulid(), doneOn: f.doneOn ?? null }));
    const row = { ...input, findings, id: ulid(), villageId: household.villageId, createdAt: t, updatedAt: t } as VisitRow;
    refuse(firstProblem(HouseholdVisitSchema, row));
    for (const [i, ph] of (row.photos ?? []).entries()) {
      if (!(await d.attachments.where('sha256').equals(ph.sha256).count())) throw new InputError(`photos.${i}`, 'invalid', `photos.${i}: is not on this tablet`);
    }
    const ids = [...new Set([...row.met, ...row.checklist.map((c) => c.memberId), ...row.findings.flatMap((f) => (f.memberId ? [f.memberId] : []))])];
    const members = await d.members.bulkGet(ids);
    const homes = new Map(ids.map((id, i) => [id, members[i]?.householdId ?? null]));
    refuse(checkVisitMembers(row, (id) => homes.get(id) ?? null));
    const { audit, outbox } = created('visit', row);
    await d.visits.add(row);
    await d.audit.add(audit);
    await d.outbox.add(outbox);
    return row;
  });
}

/** How a visit names a photo it carries. */
export type VisitPhoto = NonNullable<HouseholdVisit['photos']>[number];

/**
 * Keeps a (compressed) photo for a visit being recorded, sealed like a filing's documents; returns
 * how the visit will name it. The photo is sent to the county just before the visit that names it.
 */
export async function addVisitPhoto(blob: Blob, d: CunyiDb = db()): Promise<VisitPhoto> {
  const { mime, sha256 } = await checkedPhoto(blob);
  const ref: VisitPhoto = { sha256, size: blob.size, mime: mime as VisitPhoto['mime'] };
  if (await d.attachments.where('sha256').equals(sha256).count()) return ref;
  const key = await d.photoKey();
  const stored = await sealBlob(key, blob);
  await d.attachments.add({ id: ulid(), kind: 'visit', sha256, size: blob.size, mime, blob: stored, createdAt: now(), ...(key ? { sealed: true } : {}) });
  return ref;
}

/** Forgets a photo taken for a visit and left out of it (one a visit or a filing names stays). */
export async function dropVisitPhoto(sha256: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.attachments, d.visits], async () => {
    const rows = await d.attachments.where('sha256').equals(sha256).toArray();
    if (rows.some((r) => r.kind !== 'visit')) return;
    if ((await d.visits.filter((v) => (v.photos ?? []).some((x) => x.sha256 === sha256)).count()) > 0) return;
    await d.attachments.bulkDelete(rows.map((r) => r.id));
  });
}

/** The household's visits, latest first. */
export async function visitsOfHousehold(householdId: string, d: CunyiDb = db()): Promise<VisitRow[]> {
  const rows = await d.visits.where('householdId').equals(householdId).toArray();
  return rows.sort((a, b) => (a.date === b.date ? b.createdAt.localeCompare(a.createdAt) : b.date.localeCompare(a.date)));
}

// ---------------------------------------------------------------------------------------------
// Follow-ups

/**
 * A follow-up as the form gives it: the readings and answers. The village comes from the member,
 * the classification is computed from the pack, the next due date is the pack's unless the doctor
 * agreed a date with the patient (`nextDue`); `override` is the doctor's own class, with why.
 */
export type NewFollowup = Omit<Followup, 'id' | 'villageId' | 'classification' | 'override' | 'nextDue' | 'carePackId' | 'createdAt' | 'updatedAt' | 'rev'> & {
  override?: Followup['override'];
  nextDue?: string;
  carePackId?: string;
};

export interface SavedFollowup {
  row: FollowupRow;
  /** The evaluation the classification came from: the thresholds used (with their sources) and the danger flags. */
  evaluation: Evaluation;
}

/** The effective classifications of a member's follow-ups of a disease before a date, latest first. */
function previousClasses(rows: readonly Followup[], disease: Followup['disease'], before: string): Classification[] {
  return rows
    .filter((f) => f.disease === disease && f.date < before)
    .sort((a, b) => b.date.localeCompare(a.date))
    .map(effectiveClassification);
}

/** Records a 两病 follow-up (doctors only), classified by the care-plan pack; returns it with its evaluation. */
export async function addFollowUp(input: NewFollowup, d: CunyiDb = db()): Promise<SavedFollowup> {
  await checkRole(d, 'followup');
  notFuture('date', input.date);
  let pack: CarePack;
  try {
    pack = builtinCarePack(input.carePackId ?? DEFAULT_CARE_PACK_ID);
  } catch {
    throw new InputError('carePackId', 'invalid', 'carePackId: is no care-plan pack of this app');
  }
  const t = now();
  return d.transaction('rw', [d.members, d.followups, d.audit, d.outbox], async () => {
    const member = await d.members.get(input.memberId);
    if (!member) throw new InputError('memberId', 'invalid', 'memberId: is no member on this tablet');
    const earlier = await d.followups.where('memberId').equals(member.id).toArray();
    const evaluation = evaluateFollowup(pack, input, { birthDate: member.birthDate, date: input.date, previous: previousClasses(earlier, input.disease, input.date) });
    const classification = evaluation.classification;
    // An override that says what the pack says is no override.
    const override = input.override && input.override.classification !== classification ? input.override : null;
    const referral = input.referral ?? null;
    const nextDue = input.nextDue ?? nextDueDate(pack, input.date, override?.classification ?? classification, referral !== null).due;
    const { carePackId: _c, nextDue: _n, override: _o, ...facts } = input;
    const row: FollowupRow = { ...facts, id: ulid(), villageId: member.villageId, classification, override, referral, nextDue, carePackId: pack.id, createdAt: t, updatedAt: t };
    refuse(firstProblem(FollowupSchema, row));
    refuse(checkFollowupClassification(row, member.birthDate, pack));
    const { audit, outbox } = created('followup', row);
    await d.followups.add(row);
    await d.audit.add(audit);
    await d.outbox.add(outbox);
    return { row, evaluation };
  });
}

/** The member's follow-ups (of one disease, or all), latest first. */
export async function followupsOfMember(memberId: string, disease?: Followup['disease'], d: CunyiDb = db()): Promise<FollowupRow[]> {
  const rows = await d.followups.where('memberId').equals(memberId).toArray();
  return rows.filter((f) => disease === undefined || f.disease === disease).sort((a, b) => (a.date === b.date ? b.updatedAt.localeCompare(a.updatedAt) : b.date.localeCompare(a.date)));
}

// ---------------------------------------------------------------------------------------------
// Contracts

export interface NewContracts {
  householdId: string;
  /** The members signed in one go (each gets a contract of their own). */
  memberIds: readonly string[];
  signedOn: string;
  doctor: Contract['doctor'];
  packageId: string;
  /** Defaults to the pack's term from the signing date. */
  validUntil?: string;
  carePackId?: string;
}

/** Signs several members of a household in one go (doctors only): one contract each, all or none. */
export async function signContracts(input: NewContracts, d: CunyiDb = db()): Promise<ContractRow[]> {
  await checkRole(d, 'contract');
  notFuture('signedOn', input.signedOn);
  if (input.memberIds.length === 0) throw new InputError('memberIds', 'invalid', 'memberIds: sign at least one member');
  if (new Set(input.memberIds).size !== input.memberIds.length) throw new InputError('memberIds', 'invalid', 'memberIds: lists a member twice');
  const validUntil = input.validUntil ?? contractValidUntil(builtinCarePack(input.carePackId ?? DEFAULT_CARE_PACK_ID), input.signedOn);
  const t = now();
  return d.transaction('rw', [d.households, d.members, d.contracts, d.audit, d.outbox], async () => {
    const household = await d.households.get(input.householdId);
    if (!household) throw new InputError('householdId', 'invalid', 'householdId: is no household on this tablet');
    const members = await d.members.bulkGet([...input.memberIds]);
    const rows: ContractRow[] = [];
    for (const [i, m] of members.entries()) {
      if (!m || m.householdId !== household.id) throw new InputError(`memberIds.${i}`, 'invalid', `memberIds.${i}: is no member of this household`);
      if (m.state !== 'active') throw new InputError(`memberIds.${i}`, 'invalid', `memberIds.${i}: is no longer on the roster (${m.state})`);
      const row: ContractRow = { id: ulid(), memberId: m.id, householdId: household.id, villageId: household.villageId, signedOn: input.signedOn, doctor: input.doctor, packageId: input.packageId, validUntil, endedOn: null, createdAt: t, updatedAt: t };
      refuse(firstProblem(ContractSchema, row));
      rows.push(row);
    }
    for (const row of rows) {
      const { audit, outbox } = created('contract', row);
      await d.contracts.add(row);
      await d.audit.add(audit);
      await d.outbox.add(outbox);
    }
    return rows;
  });
}

/** The member's contracts, latest signed first. */
export async function contractsOfMember(memberId: string, d: CunyiDb = db()): Promise<ContractRow[]> {
  const rows = await d.contracts.where('memberId').equals(memberId).toArray();
  return rows.sort((a, b) => b.signedOn.localeCompare(a.signedOn) || b.validUntil.localeCompare(a.validUntil));
}

/** The contract in force for each member of a household on a date (members without one are left out). */
export async function contractsInForce(householdId: string, on: string = localToday(), d: CunyiDb = db()): Promise<Map<string, ContractRow>> {
  const out = new Map<string, ContractRow>();
  for (const c of await d.contracts.where('householdId').equals(householdId).toArray()) {
    if (c.signedOn > on || c.validUntil < on || (c.endedOn !== null && c.endedOn <= on)) continue;
    const cur = out.get(c.memberId);
    if (!cur || c.signedOn > cur.signedOn) out.set(c.memberId, c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The work list

/** What the work list reads, from this tablet's store: its villages, or only those given. */
export async function worklistInput(today: string, villageIds?: readonly string[], pack: CarePack = builtinCarePack(), d: CunyiDb = db()): Promise<WorklistInput> {
  // The roster from its digest (db/digest.ts): one sealed row rather than every member opened.
  const roster = await readDigest(d);
  const v = villageIds ? new Set(villageIds) : null;
  const inV = <T extends { villageId: string }>(rows: T[]): T[] => (v ? rows.filter((r) => v.has(r.villageId)) : rows);
  const members = inV(roster.members) as Member[];
  const households = inV(roster.households) as Household[];
  const enrolments = inV(roster.enrolments) as Enrolment[];
  let statuses = roster.statuses as StatusRecord[];
  if (v) {
    const ids = new Set(members.map((m) => m.id));
    statuses = statuses.filter((s) => ids.has(s.memberId));
  }
  return d.transaction('r', [d.followups, d.visits, d.contracts, d.filings], async () => {
    const vs = villageIds ? [...villageIds] : null;
    const [followups, visits, contracts, filings] = await Promise.all([
      vs ? d.followups.where('villageId').anyOf(vs).toArray() : d.followups.toArray(),
      vs ? d.visits.where('villageId').anyOf(vs).toArray() : d.visits.toArray(),
      vs ? d.contracts.where('villageId').anyOf(vs).toArray() : d.contracts.toArray(),
      vs ? d.filings.where('villageId').anyOf(vs).toArray() : d.filings.toArray(),
    ]);
    // A filing as the tablet shows it: a corrected one waiting to reach the county is no longer "returned".
    const shown = filings.map((f) => (f.local?.queued ? { ...f, status: shownStatus(f) } : f));
    return { today, pack, members, households, statuses, enrolments, followups, visits, contracts, filings: shown };
  });
}

/** Today's work list from this tablet's store (src/model/careplan/worklist.ts). */
export async function workList(today: string = localToday(), filter: WorklistFilter = {}, d: CunyiDb = db()): Promise<WorkItem[]> {
  return generateWorklist(await worklistInput(today, filter.villageIds, builtinCarePack(), d), filter);
}
