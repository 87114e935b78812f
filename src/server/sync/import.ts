/**
 * A county's roster imported in one transaction (the demo county, the CSV import): every record
 * checked against its schema first, so the server never holds a record a tablet would refuse.
 * The roster import from Excel (src/server/import/) writes through writeRecords too, its updates
 * as new revisions the way a pushed edit is stored (push.ts), so the tablets pull them.
 */
import type Database from 'better-sqlite3';
import type { Insertable, Kysely, Transaction } from 'kysely';
import { checkRecord } from '../../model/records.ts';
import type { Enrolment, Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import type { Entity } from '../../model/sync.ts';
import { ulid } from '../../model/ulid.ts';
import { countyOf, ensureCounties, nextSeq, sqliteOf, type RecordRow, type Tables } from '../db.ts';
import type { Author } from './history.ts';

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
  // A county's first records make its partitions (PostgreSQL), before the import's transaction.
  await ensureCounties(db, c.villages.map((v) => countyOf(v.code)));
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
    await writeRecords(trx, rows.map((r) => ({ entity: r.entity, id: r.id, villageCode: r.code!, create: r.data })), by);
    return rows.length;
  });
}

/**
 * One record to write: a new one whole (`create`), or the fields that change of one the server
 * holds (`update`, with its row as read in the same transaction).
 */
export type RecordWrite =
  | { entity: Entity; id: string; villageCode: string; create: object }
  | { entity: Entity; id: string; villageCode: string; update: { row: RecordRow; fields: Record<string, unknown> } };

const CHUNK = 500;

const RECORD_COLUMNS = ['entity', 'id', 'village_code', 'county_code', 'data', 'rev', 'field_revs', 'seq', 'deleted', 'updated_at'] as const;
const CHANGE_COLUMNS = ['id', 'county_code', 'entity', 'entity_id', 'rev', 'op', 'fields', 'user_id', 'username', 'role', 'device_id', 'mutation_id', 'at'] as const;
type Values = (string | number | null)[];

/**
 * Writes records in the caller's transaction, each with a sequence number of its own, and a row of
 * its history: a created record is revision 1 (op `import`), an update takes the next revision and
 * the fields it sets take it as their field revision, as a pushed update does, so a tablet's later
 * edit made on the older revision of another field still applies and one of the same field
 * conflicts. The records must have been checked (checkRecord) by the caller.
 */
export async function writeRecords(trx: Transaction<Tables>, writes: readonly RecordWrite[], by: Author, at = new Date().toISOString()): Promise<number> {
  if (writes.length === 0) return 0;
  const first = await nextSeq(trx, writes.length);
  // Rows as values in their table's column order (RECORD_COLUMNS, CHANGE_COLUMNS).
  const inserts: Values[] = [];
  const changes: Values[] = [];
  const updates: { data: string; fieldRevs: string; rev: number; seq: number; entity: string; id: string; county: string }[] = [];
  // Records of a kind mostly have the same fields: their field revisions and lists are made once.
  const shapes = new Map<string, { fieldRevs: string; fields: string }>();
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    const seq = first + i;
    if ('create' in w) {
      const keys = Object.keys(w.create);
      const sig = keys.join(',');
      let shape = shapes.get(sig);
      if (!shape) {
        shape = { fieldRevs: JSON.stringify(Object.fromEntries(keys.map((k) => [k, 1]))), fields: JSON.stringify(keys) };
        shapes.set(sig, shape);
      }
      const county = countyOf(w.villageCode);
      inserts.push([w.entity, w.id, w.villageCode, county, JSON.stringify(w.create), 1, shape.fieldRevs, seq, 0, at]);
      changes.push([ulid(), county, w.entity, w.id, 1, 'import', shape.fields, by.userId, by.username, by.role, by.deviceId, null, at]);
    } else {
      const { row, fields } = w.update;
      const rev = row.rev + 1;
      const data = { ...(JSON.parse(row.data) as Record<string, unknown>), ...fields };
      const fieldRevs = JSON.parse(row.field_revs) as Record<string, number>;
      for (const k of Object.keys(fields)) fieldRevs[k] = rev;
      updates.push({ data: JSON.stringify(data), fieldRevs: JSON.stringify(fieldRevs), rev, seq, entity: w.entity, id: w.id, county: row.county_code });
      changes.push([ulid(), row.county_code, w.entity, w.id, rev, 'update', JSON.stringify(Object.keys(fields)), by.userId, by.username, by.role, by.deviceId, null, at]);
    }
  }
  await ensureCounties(trx, new Set(writes.map((w) => countyOf(w.villageCode))));
  const sqlite = await sqliteOf(trx);
  if (sqlite) {
    // On SQLite the statements are prepared once and run for every chunk, straight on the
    // transaction's connection: Kysely would build and prepare a statement of thousands of
    // parameters anew for each chunk, which took about as long as SQLite's own writing.
    const update = sqlite.prepare('update records set data = ?, field_revs = ?, rev = ?, seq = ?, updated_at = ? where entity = ? and id = ? and county_code = ?');
    for (const u of updates) update.run(u.data, u.fieldRevs, u.rev, u.seq, at, u.entity, u.id, u.county);
    insertPrepared(sqlite, 'records', RECORD_COLUMNS, inserts);
    insertPrepared(sqlite, 'record_changes', CHANGE_COLUMNS, changes);
    return writes.length;
  }
  for (const u of updates) {
    await trx.updateTable('records').set({ data: u.data, field_revs: u.fieldRevs, rev: u.rev, seq: u.seq, updated_at: at }).where('entity', '=', u.entity).where('id', '=', u.id).where('county_code', '=', u.county).execute();
  }
  const objects = <T>(columns: readonly string[], rows: Values[]) => rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])) as T);
  for (let i = 0; i < inserts.length; i += CHUNK) await trx.insertInto('records').values(objects<Insertable<Tables['records']>>(RECORD_COLUMNS, inserts.slice(i, i + CHUNK))).execute();
  for (let i = 0; i < changes.length; i += CHUNK) await trx.insertInto('record_changes').values(objects<Insertable<Tables['record_changes']>>(CHANGE_COLUMNS, changes.slice(i, i + CHUNK))).execute();
  return writes.length;
}

/** Rows inserted CHUNK at a time by one statement prepared once (and one for the rest). */
function insertPrepared(sqlite: Database.Database, table: string, columns: readonly string[], rows: Values[]): void {
  const statement = (n: number) => sqlite.prepare(`insert into ${table} (${columns.join(', ')}) values ${Array(n).fill(`(${columns.map(() => '?').join(', ')})`).join(', ')}`);
  const full = rows.length >= CHUNK ? statement(CHUNK) : null;
  const params: Values = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const end = Math.min(i + CHUNK, rows.length);
    params.length = 0;
    for (let r = i; r < end; r++) for (const v of rows[r]!) params.push(v);
    (end - i === CHUNK ? full! : statement(end - i)).run(params);
  }
}
