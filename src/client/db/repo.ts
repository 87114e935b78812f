/**
 * Roster writes. Each edit is one strict-durability transaction that writes the record, its
 * search keys, an audit row (who changed what from what) and an outbox row for the county, so a
 * power cut leaves either all of it or none of it.
 */
import i18next from 'i18next';
import type { Enrolment, Household, Member, StatusRecord } from '../../model/roster.ts';
import { localToday } from '../../model/idcard.ts';
import { ulid } from '../../model/ulid.ts';
import { isIsoDate } from '../../rules/index.ts';
import { db, type AuditRow, type CunyiDb, type HouseholdRow, type LedgerRow, type MemberRow, type OutboxRow } from './schema.ts';
import { householdSearchKeys, idKey, memberSearchKeys, searchKeysReady } from './search-keys.ts';

const now = () => new Date().toISOString();

function diff<T extends object>(before: T, after: Partial<T>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    const old = (before as Record<string, unknown>)[k];
    if (JSON.stringify(old) !== JSON.stringify(v)) out[k] = [old ?? null, v ?? null];
  }
  return out;
}

function outboxRow(entity: OutboxRow['entity'], entityId: string, op: OutboxRow['op'], baseRev: number | null, data: Record<string, unknown>): OutboxRow {
  return { id: ulid(), createdAt: now(), entity, entityId, op, baseRev, data };
}

function auditRow(entity: AuditRow['entity'], entityId: string, action: string, changes: AuditRow['changes']): AuditRow {
  return { at: now(), entity, entityId, action, changes };
}

export type NewHousehold = Pick<Household, 'villageId' | 'number' | 'address' | 'phone'>;

export async function addHousehold(input: NewHousehold, d: CunyiDb = db()): Promise<HouseholdRow> {
  const t = now();
  const row: HouseholdRow = { id: ulid(), ...input, headMemberId: null, createdAt: t, updatedAt: t, rev: 1 };
  row.search = householdSearchKeys(row);
  await d.transaction('rw', [d.households, d.audit, d.outbox], async () => {
    const clash = await d.households.where('[villageId+number]').equals([input.villageId, input.number]).first();
    if (clash) throw new DuplicateError('number', clash.id);
    await d.households.add(row);
    const { search: _s, ...data } = row;
    await d.audit.add(auditRow('household', row.id, 'create', diff({}, data)));
    await d.outbox.add(outboxRow('household', row.id, 'create', null, data));
  });
  return row;
}

/**
 * An input the store refuses, named by its field (the record's own field name), with the message
 * in the user's language. Forms check the same first; this is the last word for every caller.
 */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: 'invalid' | 'future' | 'before-certified',
    message: string,
  ) {
    super(message);
  }
}

/** A message in the app's language; the English fallback where i18next is not started (Node tools). */
function say(key: string, fallback: string, opts: Record<string, unknown> = {}): string {
  return i18next.isInitialized ? i18next.t(key, opts) : fallback;
}

/** A date a record is dated by: a real ISO date, not after today (the tablet's local day). */
function checkPastDate(field: string, labelKey: string, labelFallback: string, value: unknown): void {
  const label = say(labelKey, labelFallback);
  if (!isIsoDate(value)) throw new InputError(field, 'invalid', say('errors.required', `Please enter the ${label}`, { field: label }));
  if (value > localToday()) throw new InputError(field, 'future', say('errors.future', `“${label}” cannot be later than today`, { field: label }));
}

const checkStatusFrom = (from: unknown) => checkPastDate('from', 'status.from', 'Effective from', from);

/** A status row as stored: the county's revision comes with it when it was pulled. */
type StatusRow = StatusRecord & { rev?: number };
const countyRev = (row: { rev?: unknown }): number | null => (typeof row.rev === 'number' ? row.rev : null);

/** A field value that must be unique already belongs to another record. */
export class DuplicateError extends Error {
  constructor(
    readonly field: string,
    readonly otherId: string,
  ) {
    super(`duplicate ${field}`);
  }
}

export async function updateHousehold(id: string, changes: Partial<Pick<Household, 'number' | 'address' | 'phone' | 'headMemberId'>>, d: CunyiDb = db()): Promise<HouseholdRow> {
  return d.transaction('rw', [d.households, d.audit, d.outbox], async () => {
    const before = await d.households.get(id);
    if (!before) throw new Error(`household ${id} not found`);
    const delta = diff(before, changes);
    if (Object.keys(delta).length === 0) return before;
    if (changes.number !== undefined && changes.number !== before.number) {
      const clash = await d.households.where('[villageId+number]').equals([before.villageId, changes.number]).first();
      if (clash && clash.id !== id) throw new DuplicateError('number', clash.id);
    }
    const after: HouseholdRow = { ...before, ...changes, updatedAt: now(), rev: before.rev + 1 };
    after.search = householdSearchKeys(after);
    await d.households.put(after);
    await d.audit.add(auditRow('household', id, 'update', delta));
    await d.outbox.add(outboxRow('household', id, 'update', before.rev, Object.fromEntries(Object.entries(delta).map(([k, [, v]]) => [k, v]))));
    return after;
  });
}

export type NewMember = Omit<Member, 'id' | 'createdAt' | 'updatedAt' | 'rev' | 'state' | 'stateDate'> & Partial<Pick<Member, 'state' | 'stateDate'>>;

export async function addMember(input: NewMember, status: Omit<StatusRecord, 'id' | 'memberId' | 'createdAt'> | null, d: CunyiDb = db()): Promise<MemberRow> {
  if (status) checkStatusFrom(status.from);
  const t = now();
  const row: MemberRow = { state: 'active', stateDate: null, ...input, id: ulid(), createdAt: t, updatedAt: t, rev: 1 };
  await searchKeysReady();
  row.search = memberSearchKeys(row);
  await d.transaction('rw', [d.members, d.households, d.statuses, d.audit, d.outbox], async () => {
    const dup = await d.members.where('search').equals(idKey(row.idNumber)).filter((m) => m.idNumber.toUpperCase() === row.idNumber.toUpperCase()).first();
    if (dup) throw new DuplicateError('idNumber', dup.id);
    await d.members.add(row);
    const { search: _s, ...data } = row;
    await d.audit.add(auditRow('member', row.id, 'create', diff({}, data)));
    await d.outbox.add(outboxRow('member', row.id, 'create', null, data));
    if (row.relation === 'head') {
      const h = await d.households.get(row.householdId);
      if (h && h.headMemberId === null) {
        await d.households.update(h.id, { headMemberId: row.id, updatedAt: now(), rev: h.rev + 1 });
        await d.audit.add(auditRow('household', h.id, 'update', { headMemberId: [null, row.id] }));
        await d.outbox.add(outboxRow('household', h.id, 'update', h.rev, { headMemberId: row.id }));
      }
    }
    if (status) {
      const s: StatusRecord = { ...status, id: ulid(), memberId: row.id, createdAt: t };
      await d.statuses.add(s);
      await d.audit.add(auditRow('status', s.id, 'create', diff({}, s)));
      await d.outbox.add(outboxRow('status', s.id, 'create', null, { ...s }));
    }
  });
  return row;
}

export type MemberChanges = Partial<Omit<Member, 'id' | 'householdId' | 'villageId' | 'createdAt' | 'updatedAt' | 'rev'>>;

export async function updateMember(id: string, changes: MemberChanges, d: CunyiDb = db()): Promise<MemberRow> {
  await searchKeysReady();
  return d.transaction('rw', [d.members, d.audit, d.outbox], async () => {
    const before = await d.members.get(id);
    if (!before) throw new Error(`member ${id} not found`);
    const delta = diff(before, changes);
    if (Object.keys(delta).length === 0) return before;
    if (changes.idNumber !== undefined && changes.idNumber !== before.idNumber) {
      const dup = await d.members.where('search').equals(idKey(changes.idNumber)).filter((m) => m.id !== id && m.idNumber.toUpperCase() === changes.idNumber!.toUpperCase()).first();
      if (dup && dup.id !== id) throw new DuplicateError('idNumber', dup.id);
    }
    const after: MemberRow = { ...before, ...changes, updatedAt: now(), rev: before.rev + 1 };
    after.search = memberSearchKeys(after);
    await d.members.put(after);
    await d.audit.add(auditRow('member', id, 'update', delta));
    await d.outbox.add(outboxRow('member', id, 'update', before.rev, Object.fromEntries(Object.entries(delta).map(([k, [, v]]) => [k, v]))));
    return after;
  });
}

/** A new dated status of a member, in force from its date (not after today). */
export async function addStatus(memberId: string, status: Omit<StatusRecord, 'id' | 'memberId' | 'createdAt'>, d: CunyiDb = db()): Promise<StatusRecord> {
  checkStatusFrom(status.from);
  const s: StatusRecord = { ...status, id: ulid(), memberId, createdAt: now() };
  await d.transaction('rw', [d.statuses, d.audit, d.outbox], async () => {
    await d.statuses.add(s);
    await d.audit.add(auditRow('status', s.id, 'create', diff({}, s)));
    await d.outbox.add(outboxRow('status', s.id, 'create', null, { ...s }));
  });
  return s;
}

export type StatusChanges = Partial<Pick<StatusRecord, 'from' | 'poverty' | 'poorClass' | 'assistance' | 'note'>>;

/**
 * Corrects a status record entered wrongly (a change of status is a new record, addStatus). Sends
 * only the changed fields, on the county's revision of the row when it has one.
 */
export async function updateStatus(id: string, changes: StatusChanges, d: CunyiDb = db()): Promise<StatusRecord> {
  if (changes.from !== undefined) checkStatusFrom(changes.from);
  return d.transaction('rw', [d.statuses, d.audit, d.outbox], async () => {
    const before = (await d.statuses.get(id)) as StatusRow | undefined;
    if (!before) throw new Error(`status ${id} not found`);
    const delta = diff(before, changes);
    if (Object.keys(delta).length === 0) return before;
    const rev = countyRev(before);
    // The row's revision follows the county's, as households' and members' do, so a second
    // correction before the next pull is not taken for a change made at the county.
    const after: StatusRow = { ...before, ...changes, ...(rev !== null ? { rev: rev + 1 } : {}) };
    await d.statuses.put(after);
    await d.audit.add(auditRow('status', id, 'update', delta));
    await d.outbox.add(outboxRow('status', id, 'update', rev, Object.fromEntries(Object.entries(delta).map(([k, [, v]]) => [k, v]))));
    return after;
  });
}

/** Removes a status record entered by mistake; the audit row keeps what it held, the county deletes it too. */
export async function deleteStatus(id: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.statuses, d.audit, d.outbox], async () => {
    const before = (await d.statuses.get(id)) as StatusRow | undefined;
    if (!before) return;
    await d.statuses.delete(id);
    await d.audit.add(auditRow('status', id, 'delete', Object.fromEntries(Object.entries(before).map(([k, v]) => [k, [v, null]]))));
    await d.outbox.add(outboxRow('status', id, 'delete', countyRev(before), {}));
  });
}

export async function addEnrolment(e: Omit<Enrolment, 'id' | 'createdAt' | 'updatedAt' | 'endedOn'>, d: CunyiDb = db()): Promise<Enrolment> {
  const t = now();
  const row: Enrolment = { ...e, endedOn: null, id: ulid(), createdAt: t, updatedAt: t };
  await d.transaction('rw', [d.enrolments, d.audit, d.outbox], async () => {
    await d.enrolments.add(row);
    await d.audit.add(auditRow('enrolment', row.id, 'create', diff({}, row)));
    await d.outbox.add(outboxRow('enrolment', row.id, 'create', null, { ...row }));
  });
  return row;
}

/** Ends a chronic-disease certification on a date: not after today, not before it was certified. */
export async function endEnrolment(id: string, endedOn: string, d: CunyiDb = db()): Promise<void> {
  checkPastDate('endedOn', 'enrolments.endedOn', 'End date', endedOn);
  await d.transaction('rw', [d.enrolments, d.audit, d.outbox], async () => {
    const before = await d.enrolments.get(id);
    if (!before) throw new Error(`enrolment ${id} not found`);
    if (endedOn < before.certifiedOn) {
      throw new InputError('endedOn', 'before-certified', say('enrolments.endBeforeCertified', `The end date cannot be before the certification date (${before.certifiedOn})`, { date: before.certifiedOn }));
    }
    await setEnrolmentEnd(d, before, endedOn);
  });
}

/** Undoes the ending of a certification: in force again, with its audit and outbox rows. */
export async function reopenEnrolment(id: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.enrolments, d.audit, d.outbox], async () => {
    const before = await d.enrolments.get(id);
    if (!before) throw new Error(`enrolment ${id} not found`);
    await setEnrolmentEnd(d, before, null);
  });
}

async function setEnrolmentEnd(d: CunyiDb, before: Enrolment, endedOn: string | null): Promise<void> {
  if (before.endedOn === endedOn) return;
  const rev = countyRev(before as { rev?: unknown });
  await d.enrolments.update(before.id, { endedOn, updatedAt: now(), ...(rev !== null ? { rev: rev + 1 } : {}) });
  await d.audit.add(auditRow('enrolment', before.id, 'update', { endedOn: [before.endedOn, endedOn] }));
  await d.outbox.add(outboxRow('enrolment', before.id, 'update', rev, { endedOn }));
}

/** The status of a member in force on a date (ISO), from its dated history. */
export function statusOnDate(history: StatusRecord[], date: string): StatusRecord | null {
  let found: StatusRecord | null = null;
  for (const s of [...history].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.createdAt < b.createdAt ? -1 : 1))) {
    if (s.from <= date) found = s;
  }
  return found;
}

export type LedgerInput = Omit<LedgerRow, 'id' | 'createdAt' | 'updatedAt'>;

/** Records a settled claim from a hospital's settlement slip into the member's ledger. */
export async function addLedgerEntry(input: LedgerInput, d: CunyiDb = db()): Promise<LedgerRow> {
  const t = now();
  const row: LedgerRow = { ...input, id: ulid(), createdAt: t, updatedAt: t };
  await d.transaction('rw', [d.ledger, d.audit, d.outbox], async () => {
    await d.ledger.add(row);
    await d.audit.add(auditRow('ledger', row.id, 'create', diff({}, row)));
    await d.outbox.add(outboxRow('ledger', row.id, 'create', null, { ...row }));
  });
  return row;
}

export async function updateLedgerEntry(id: string, changes: Partial<LedgerInput>, d: CunyiDb = db()): Promise<LedgerRow> {
  return d.transaction('rw', [d.ledger, d.audit, d.outbox], async () => {
    const before = await d.ledger.get(id);
    if (!before) throw new Error(`ledger entry ${id} not found`);
    const delta = diff(before, changes);
    if (Object.keys(delta).length === 0) return before;
    const after: LedgerRow = { ...before, ...changes, updatedAt: now() };
    await d.ledger.put(after);
    await d.audit.add(auditRow('ledger', id, 'update', delta));
    await d.outbox.add(outboxRow('ledger', id, 'update', null, Object.fromEntries(Object.entries(delta).map(([k, [, v]]) => [k, v]))));
    return after;
  });
}

/** Deletes a ledger entry; the audit row keeps what it held. */
export async function deleteLedgerEntry(id: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.ledger, d.audit, d.outbox], async () => {
    const before = await d.ledger.get(id);
    if (!before) return;
    await d.ledger.delete(id);
    await d.audit.add(auditRow('ledger', id, 'delete', Object.fromEntries(Object.entries(before).map(([k, v]) => [k, [v, null]]))));
    await d.outbox.add(outboxRow('ledger', id, 'delete', null, {}));
  });
}
