/**
 * Who changed which record and when: a row for every applied create, update and delete (and for
 * each record an import brought), with the user, role and device, queryable per record.
 */
import type { Insertable, Kysely, Transaction } from 'kysely';
import { ulid } from '../../model/ulid.ts';
import { inCounties, inJurisdiction, type Principal } from '../auth.ts';
import type { Tables } from '../db.ts';

export interface RecordChange {
  entity: string;
  entityId: string;
  /** The county of the record (its village code's first 6 digits). */
  county: string;
  rev: number;
  op: 'create' | 'update' | 'delete' | 'import';
  /** The fields the change set (names only: the values stay in the record). */
  fields: string[];
  mutationId: string | null;
  at: string;
}

export type Author = Pick<Principal, 'userId' | 'username' | 'role' | 'deviceId'>;

export function changeRow(by: Author, c: RecordChange): Insertable<Tables['record_changes']> {
  return {
    id: ulid(),
    county_code: c.county,
    entity: c.entity,
    entity_id: c.entityId,
    rev: c.rev,
    op: c.op,
    fields: JSON.stringify(c.fields),
    user_id: by.userId,
    username: by.username,
    role: by.role,
    device_id: by.deviceId,
    mutation_id: c.mutationId,
    at: c.at,
  };
}

export async function recordChange(trx: Transaction<Tables>, by: Author, c: RecordChange): Promise<void> {
  await trx.insertInto('record_changes').values(changeRow(by, c)).execute();
}

export interface HistoryEntry {
  rev: number;
  op: string;
  fields: string[];
  username: string;
  role: string;
  deviceId: string;
  mutationId: string | null;
  at: string;
}

/** The changes of one record, oldest first (of its county's, when given: one partition is read). */
export async function recordHistory(db: Kysely<Tables>, entity: string, entityId: string, county?: string): Promise<HistoryEntry[]> {
  let q = db.selectFrom('record_changes').selectAll().where('entity', '=', entity).where('entity_id', '=', entityId);
  if (county !== undefined) q = q.where('county_code', '=', county);
  const rows = await q.orderBy('rev').orderBy('id').execute();
  return rows.map((r) => ({ rev: r.rev, op: r.op, fields: JSON.parse(r.fields) as string[], username: r.username, role: r.role, deviceId: r.device_id, mutationId: r.mutation_id, at: r.at }));
}

/**
 * A record's history for a user whose jurisdiction holds the record, or null (no such record, or
 * not theirs). The record is looked up in the user's counties only, and its history in its own
 * county, so on a province's database one county's partitions are read.
 */
export async function historyFor(db: Kysely<Tables>, p: Principal, entity: string, entityId: string): Promise<HistoryEntry[] | null> {
  const row = await db.selectFrom('records').select(['village_code', 'county_code']).where('entity', '=', entity).where('id', '=', entityId).where(inCounties(p)).executeTakeFirst();
  if (!row || !inJurisdiction(p, row.village_code)) return null;
  return recordHistory(db, entity, entityId, row.county_code);
}
