/**
 * A county's roster imported in one transaction (the demo county, the CSV import): every record
 * checked against its schema first, so the server never holds a record a tablet would refuse.
 */
import type { Kysely } from 'kysely';
import { checkRecord } from '../../model/records.ts';
import type { Enrolment, Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import type { Entity } from '../../model/sync.ts';
import { nextSeq, type Tables } from '../db.ts';
import { changeRow, type Author } from './history.ts';

export interface CountyData {
  villages: Village[];
  households: Household[];
  members: Member[];
  statuses: StatusRecord[];
  enrolments: Enrolment[];
}

/** A record of the import that is not valid: which one and which field. */
export class ImportError extends Error {
  constructor(
    readonly entity: Entity,
    readonly index: number,
    readonly path: string,
    message: string,
  ) {
    super(`${entity} ${index + 1}${path ? ` ${path}` : ''}: ${message}`);
  }
}

/** The author of records that came in by an import from the server's own command line. */
export const SYSTEM: Author = { userId: 'system', username: 'system', role: 'admin', deviceId: 'server' };

/** Imports a county's roster in one transaction: all of it or none. */
export async function importCounty(db: Kysely<Tables>, c: CountyData, by: Author = SYSTEM): Promise<number> {
  const lists: [Entity, unknown[]][] = [
    ['village', c.villages],
    ['household', c.households],
    ['member', c.members],
    ['status', c.statuses],
    ['enrolment', c.enrolments],
  ];
  for (const [entity, list] of lists) {
    for (const [i, r] of list.entries()) {
      const problem = checkRecord(entity, r);
      if (problem) throw new ImportError(entity, i, problem.path, problem.message);
    }
  }
  return db.transaction().execute(async (trx) => {
    const codeOfVillage = new Map(c.villages.map((v) => [v.id, v.code]));
    const member = new Map(c.members.map((m) => [m.id, m]));
    const householdVillage = new Map(c.households.map((h) => [h.id, h.villageId]));
    for (const [i, m] of c.members.entries()) {
      if (householdVillage.get(m.householdId) !== m.villageId) throw new ImportError('member', i, 'householdId', 'the household is not in the import, or in another village');
    }
    for (const [i, e] of c.enrolments.entries()) {
      if (member.get(e.memberId)?.villageId !== e.villageId) throw new ImportError('enrolment', i, 'villageId', "differs from the member's village");
    }
    const rows: { entity: Entity; id: string; code: string | undefined; data: object }[] = [
      ...c.villages.map((v) => ({ entity: 'village' as const, id: v.id, code: v.code, data: v })),
      ...c.households.map((h) => ({ entity: 'household' as const, id: h.id, code: codeOfVillage.get(h.villageId), data: h })),
      ...c.members.map((m) => ({ entity: 'member' as const, id: m.id, code: codeOfVillage.get(m.villageId), data: m })),
      ...c.statuses.map((s) => ({ entity: 'status' as const, id: s.id, code: codeOfVillage.get(member.get(s.memberId)?.villageId ?? ''), data: s })),
      ...c.enrolments.map((e) => ({ entity: 'enrolment' as const, id: e.id, code: codeOfVillage.get(e.villageId), data: e })),
    ];
    const missing = rows.find((r) => !r.code);
    if (missing) throw new Error(`${missing.entity} ${missing.id}: its village is not in the import`);
    const first = await nextSeq(trx, rows.length);
    const now = new Date().toISOString();
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await trx
        .insertInto('records')
        .values(
          chunk.map((r, j) => ({
            entity: r.entity,
            id: r.id,
            village_code: r.code!,
            data: JSON.stringify(r.data),
            rev: 1,
            field_revs: JSON.stringify(Object.fromEntries(Object.keys(r.data).map((k) => [k, 1]))),
            seq: first + i + j,
            deleted: 0,
            updated_at: now,
          })),
        )
        .execute();
      await trx
        .insertInto('record_changes')
        .values(chunk.map((r) => changeRow(by, { entity: r.entity, entityId: r.id, rev: 1, op: 'import', fields: Object.keys(r.data), mutationId: null, at: now })))
        .execute();
    }
    return rows.length;
  });
}
