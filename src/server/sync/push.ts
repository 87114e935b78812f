/**
 * Push: every mutation is applied together with the record of its result, keyed by (device,
 * mutation id), in the push's one transaction, so a replayed mutation returns the stored result
 * instead of applying twice; a permanent refusal is stored the same way and never blocks the queue.
 *
 * Before anything is stored, a mutation is checked: its envelope and its record against the one
 * schema of src/model/records.ts, the writer's role against src/model/permissions.ts, its place
 * (an enrolment, status, ledger row, follow-up or contract belongs to its member's village and
 * household; a household visit to its household's village, and the members it names live there)
 * against what the server holds; a follow-up's classification against its care-plan pack
 * (src/model/careplan/check.ts). A mutation id sent again with other content is refused as
 * `id-reused`.
 */
import { createHash } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import { checkFollowupClassification, checkVisitMembers, visitMemberIds } from '../../model/careplan/check.ts';
import type { Followup, HouseholdVisit } from '../../model/careplan/records.ts';
import { mayWrite } from '../../model/permissions.ts';
import { checkMutation, checkRecord } from '../../model/records.ts';
import type { Entity, Mutation, MutationResult } from '../../model/sync.ts';
import { ulid } from '../../model/ulid.ts';
import { inCounties, inJurisdiction, type Principal } from '../auth.ts';
import { countyOf, ensureCounties, isStorageFull, nextSeq, type RecordRow, type Tables } from '../db.ts';
import { applyFilingMutation } from '../filings.ts';
import { changeRow, type RecordChange } from './history.ts';

type Trx = Transaction<Tables>;
type Row = RecordRow;

/** Fields that tie a record to its place and can never change by an edit. */
const IMMUTABLE = new Set(['id', 'villageId', 'householdId', 'memberId', 'createdAt']);

/** The storage is full: the push is answered 507 and the tablet keeps its outbox to send later. */
export class StorageFullError extends Error {}

function reject(id: string, code: string, message: string, path?: string): MutationResult {
  return { id, status: 'rejected', code, message: path ? `${path}: ${message}` : message, ...(path ? { path } : {}) };
}

/**
 * The first photo a visit names that this device has not sent whole to the county (with the size
 * and type named), unless the visit as stored names it already: a record cannot name, and so let
 * its readers open, a photo of someone else's by knowing its hash. As for a filing's documents.
 */
async function photosNotSent(trx: Trx, deviceId: string, photos: readonly { sha256: string; size: number; mime: string }[], earlier: ReadonlySet<string>): Promise<{ index: number; message: string } | null> {
  const shas = [...new Set(photos.map((x) => x.sha256))];
  const rows = new Map((await trx.selectFrom('uploads').select(['sha256', 'size', 'mime', 'complete']).where('sha256', 'in', shas).execute()).map((r) => [r.sha256, r]));
  const owned = new Set((await trx.selectFrom('upload_owners').select('sha256').where('device_id', '=', deviceId).where('sha256', 'in', shas).execute()).map((r) => r.sha256));
  for (const [index, ph] of photos.entries()) {
    const u = rows.get(ph.sha256);
    if (!u || u.complete !== 1 || !(owned.has(ph.sha256) || earlier.has(ph.sha256))) return { index, message: `照片尚未从这台设备上传完整 (photo ${ph.sha256.slice(0, 12)}… is not uploaded from this device)` };
    if (u.size !== ph.size || u.mime !== ph.mime) return { index, message: `照片与上传的不一致 (photo ${ph.sha256.slice(0, 12)}… was uploaded as ${u.size} bytes ${u.mime})` };
  }
  return null;
}

/** What applying a mutation writes: held in the push's batch until it is flushed. */
interface Writes {
  row?: { row: Row; isNew: boolean };
  change?: RecordChange;
  conflicts?: Tables['conflicts'][];
}

const key = (entity: string, id: string) => `${entity}\u0000${id}`;
/** Rows a statement may carry: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 500;

/**
 * A push's reads and writes. Mutations are checked against the records as this push leaves them
 * (read once, in bulk, before the first mutation), and what they write is kept here and written
 * with one multi-row statement per table: a push of 100 visits is a handful of statements, not
 * nine round trips each. Everything stays in the push's one transaction.
 */
class Batch {
  private readonly rows = new Map<string, Row | null>();
  private readonly dirty = new Map<string, { row: Row; isNew: boolean }>();
  private changes: Insertable<Tables['record_changes']>[] = [];
  private conflicts: Tables['conflicts'][] = [];
  private results: Tables['applied_mutations'][] = [];
  /** Results stored before this push, or in it (a mutation sent twice in one push). */
  private readonly stored = new Map<string, { result: string; content_hash: string | null }>();

  constructor(
    readonly trx: Trx,
    private readonly p: Principal,
  ) {}

  /** The device the push comes from. */
  get deviceId(): string {
    return this.p.deviceId;
  }

  /** Reads, in one query a kind, the records and stored results these mutations will look at. */
  async prefetch(mutations: readonly Record<string, unknown>[]): Promise<void> {
    const ids = mutations.map((m) => m.id as string);
    for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
      const found = await this.trx
        .selectFrom('applied_mutations')
        .select(['mutation_id', 'result', 'content_hash'])
        .where('device_id', '=', this.p.deviceId)
        .where('mutation_id', 'in', ids.slice(i, i + ROWS_PER_STATEMENT))
        .execute();
      for (const r of found) this.stored.set(r.mutation_id, r);
    }
    const wanted = new Map<string, Set<string>>();
    const want = (entity: string, id: unknown) => {
      if (typeof id !== 'string' || id.length > 64 || id.includes('\u0000')) return;
      if (!wanted.has(entity)) wanted.set(entity, new Set());
      wanted.get(entity)!.add(id);
    };
    // Only what a well-formed mutation names (a refused one reads nothing).
    for (const m of mutations.filter((x) => !checkMutation(x))) {
      if (typeof m.entity === 'string') want(m.entity, m.entityId);
      const data = isObject(m.data) ? m.data : {};
      want('village', data.villageId);
      want('household', data.householdId);
      want('member', data.memberId);
      // The members a household visit names are checked against their household.
      if (m.entity === 'visit') for (const id of visitMemberIds(data)) want('member', id);
    }
    for (const [entity, set] of wanted) {
      const all = [...set];
      for (const id of all) this.rows.set(key(entity, id), null);
      for (let i = 0; i < all.length; i += ROWS_PER_STATEMENT) {
        const found = await this.trx.selectFrom('records').selectAll().where(inCounties(this.p)).where('entity', '=', entity).where('id', 'in', all.slice(i, i + ROWS_PER_STATEMENT)).execute();
        for (const r of found) this.rows.set(key(entity, r.id), r);
      }
    }
  }

  /** A record as this push has left it so far. */
  async get(entity: string, id: string): Promise<Row | undefined> {
    const k = key(entity, id);
    if (!this.rows.has(k)) {
      const r = await this.trx.selectFrom('records').selectAll().where(inCounties(this.p)).where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
      this.rows.set(k, r ?? null);
    }
    return this.rows.get(k) ?? undefined;
  }

  /**
   * The sequence number of a row written: none yet. Rows take theirs when flushed, together, so the
   * counter row — one for the whole database, whose lock orders the commits (nextSeq) — is held only
   * from the flush to the commit, not through the push's reads and checks: with many devices at
   * once (a province's), pushes wait on it for their writes only.
   */
  seq(): number {
    return 0;
  }

  storedResult(id: string, hash: string): MutationResult | null {
    const done = this.stored.get(id);
    if (!done) return null;
    if (done.content_hash !== null && done.content_hash !== hash) {
      return reject(id, 'id-reused', 'this mutation id was used before for another change; the first one stands (the device must make a new id for a new change)');
    }
    return JSON.parse(done.result) as MutationResult;
  }

  /** Keeps what a mutation wrote, and its result, for the next flush. */
  keep(id: string, hash: string, result: MutationResult, w: Writes = {}): void {
    if (w.row) {
      const k = key(w.row.row.entity, w.row.row.id);
      const before = this.dirty.get(k);
      // An update of a record created in this same push is still one insert.
      this.dirty.set(k, { row: w.row.row, isNew: w.row.isNew || (before?.isNew ?? false) });
      this.rows.set(k, w.row.row);
    }
    if (w.change) this.changes.push(changeRow(this.p, w.change));
    if (w.conflicts) this.conflicts.push(...w.conflicts);
    const stored = { device_id: this.p.deviceId, mutation_id: id, result: JSON.stringify(result), applied_at: new Date().toISOString(), content_hash: hash };
    this.results.push(stored);
    this.stored.set(id, stored);
  }

  /** Writes what was kept: one statement per table and 500 rows, updates one by one. */
  async flush(): Promise<void> {
    const dirty = [...this.dirty.values()];
    if (dirty.length) {
      let seq = await nextSeq(this.trx, dirty.length);
      // In the order the mutations first wrote them (a record written twice keeps its place).
      for (const d of dirty) d.row.seq = seq++;
    }
    const inserts: Row[] = [];
    for (const { row, isNew } of dirty) {
      if (isNew) inserts.push(row);
      else {
        const { entity, id, county_code, ...rest } = row;
        await this.trx.updateTable('records').set(rest).where('entity', '=', entity).where('id', '=', id).where('county_code', '=', county_code).execute();
      }
    }
    // The first record of a county makes its partitions (PostgreSQL).
    if (inserts.length) await ensureCounties(this.trx, inserts.map((r) => r.county_code));
    const chunks = async <T extends keyof Tables>(table: T, rows: Insertable<Tables[T]>[]) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await this.trx.insertInto(table).values(rows.slice(i, i + ROWS_PER_STATEMENT) as never).execute();
    };
    await chunks('records', inserts);
    await chunks('conflicts', this.conflicts);
    await chunks('record_changes', this.changes);
    await chunks('applied_mutations', this.results);
    this.dirty.clear();
    this.changes = [];
    this.conflicts = [];
    this.results = [];
  }
}

const OUTSIDE = '不在您负责的村庄范围内 (outside your villages)';

/**
 * The village code a new record belongs to, from the record it hangs on, or a refusal when that
 * record is missing or in another place than the new one says.
 */
async function placeOf(b: Batch, entity: Entity, data: Record<string, unknown>, mutationId: string): Promise<string | MutationResult> {
  const missing = (what: string, path: string) => reject(mutationId, 'not-found', `the ${what} this ${entity} belongs to is not on the server`, path);
  if (entity === 'village') return data.code as string;
  if (entity === 'household' || entity === 'member') {
    const v = await b.get('village', data.villageId as string);
    if (!v || v.deleted) return missing('village', 'data.villageId');
    if (entity === 'member') {
      const h = await b.get('household', data.householdId as string);
      if (!h || h.deleted) return missing('household', 'data.householdId');
      const household = JSON.parse(h.data) as { villageId?: unknown };
      if (household.villageId !== data.villageId) return reject(mutationId, 'invalid', 'differs from the village of the household', 'data.villageId');
    }
    return v.village_code;
  }
  if (entity === 'visit') {
    // A household visit hangs on its household (it names no one member).
    const h = await b.get('household', data.householdId as string);
    if (!h || h.deleted) return missing('household', 'data.householdId');
    const household = JSON.parse(h.data) as { villageId?: unknown };
    if (household.villageId !== data.villageId) return reject(mutationId, 'invalid', 'differs from the village of the household', 'data.villageId');
    return h.village_code;
  }
  const m = await b.get('member', data.memberId as string);
  if (!m || m.deleted) return missing('member', 'data.memberId');
  const member = JSON.parse(m.data) as { villageId?: unknown; householdId?: unknown };
  // A record that names its village or household names the member's own.
  if ('villageId' in data && data.villageId !== member.villageId) return reject(mutationId, 'invalid', "differs from the member's village", 'data.villageId');
  if ('householdId' in data && data.householdId !== member.householdId) return reject(mutationId, 'invalid', "differs from the member's household", 'data.householdId');
  return m.village_code;
}

/**
 * What a care-plan record must agree with in what the server holds (src/model/careplan/check.ts):
 * the members a visit names live in its household; a follow-up's classification is its pack's.
 * `record` is valid under its schema and placed already.
 */
async function careplanProblem(b: Batch, m: Mutation, record: Record<string, unknown>): Promise<MutationResult | null> {
  let problem = null;
  if (m.entity === 'visit') {
    const v = record as unknown as HouseholdVisit;
    const homes = new Map<string, string | null>();
    for (const id of visitMemberIds(v)) {
      const r = await b.get('member', id);
      homes.set(id, r && !r.deleted ? (((JSON.parse(r.data) as { householdId?: unknown }).householdId as string | undefined) ?? null) : null);
    }
    problem = checkVisitMembers(v, (id) => homes.get(id) ?? null);
    if (!problem && v.photos?.length) {
      const stored = await b.get('visit', v.id);
      const earlier = new Set(stored && !stored.deleted ? ((JSON.parse(stored.data) as HouseholdVisit).photos ?? []).map((x) => x.sha256) : []);
      const missing = await photosNotSent(b.trx, b.deviceId, v.photos, earlier);
      if (missing) return reject(m.id, 'document-missing', missing.message, `data.photos.${missing.index}`);
    }
  } else if (m.entity === 'followup') {
    const f = record as unknown as Followup;
    const r = await b.get('member', f.memberId);
    const birthDate = r ? (((JSON.parse(r.data) as { birthDate?: unknown }).birthDate as string | undefined) ?? null) : null;
    problem = checkFollowupClassification(f, birthDate);
  }
  return problem ? reject(m.id, 'invalid', problem.message, `data.${problem.path}`) : null;
}

function invalidRecord(m: Mutation, record: unknown): MutationResult | null {
  const problem = checkRecord(m.entity, record);
  if (!problem) return null;
  return reject(m.id, 'invalid', problem.message, problem.path ? `data.${problem.path}` : 'data');
}

/** A mutation's result and what it writes (nothing is written here: the batch keeps it). */
async function apply(b: Batch, p: Principal, m: Mutation): Promise<{ result: MutationResult; writes?: Writes }> {
  if (!mayWrite(p.role, m.entity, m.op)) {
    // The field that is refused: the operation (a record of this kind is kept) or the kind of record (not this role's).
    const deleting = m.op === 'delete' && mayWrite(p.role, m.entity, 'update');
    return { result: reject(m.id, 'forbidden', deleting ? `a ${m.entity} cannot be deleted` : `the role ${p.role} does not write ${m.entity} records`, deleting ? 'op' : 'entity') };
  }
  // Filings follow their own workflow (docs/filing.md), in this same transaction.
  if (m.entity === 'filing') {
    await b.flush();
    return { result: await applyFilingMutation(b.trx, p, m) };
  }
  const now = new Date().toISOString();
  const existing = await b.get(m.entity, m.entityId);

  if (m.op === 'create') {
    if (m.data.id !== undefined && m.data.id !== m.entityId) return { result: reject(m.id, 'invalid', 'differs from entityId', 'data.id') };
    const data = { ...m.data, id: m.entityId };
    const bad = invalidRecord(m, data);
    if (bad) return { result: bad };
    if (existing) return { result: reject(m.id, 'exists', `${m.entity} ${m.entityId} already exists`) };
    const code = await placeOf(b, m.entity, data, m.id);
    if (typeof code !== 'string') return { result: code };
    if (!inJurisdiction(p, code)) return { result: reject(m.id, 'forbidden', OUTSIDE) };
    const disagrees = await careplanProblem(b, m, data);
    if (disagrees) return { result: disagrees };
    const fieldRevs = Object.fromEntries(Object.keys(data).map((k) => [k, 1]));
    const row: Row = { entity: m.entity, id: m.entityId, village_code: code, county_code: countyOf(code), data: JSON.stringify(data), rev: 1, field_revs: JSON.stringify(fieldRevs), seq: b.seq(), deleted: 0, updated_at: now };
    return {
      result: { id: m.id, status: 'applied', rev: 1 },
      writes: { row: { row, isNew: true }, change: { entity: m.entity, entityId: m.entityId, county: row.county_code, rev: 1, op: 'create', fields: Object.keys(data), mutationId: m.id, at: now } },
    };
  }

  if (!existing) return { result: reject(m.id, 'not-found', `${m.entity} ${m.entityId} is not on the server`) };
  if (!inJurisdiction(p, existing.village_code)) return { result: reject(m.id, 'forbidden', OUTSIDE) };
  if (existing.deleted) return { result: reject(m.id, 'deleted', `${m.entity} ${m.entityId} was deleted`) };

  if (m.op === 'delete') {
    const rev = existing.rev + 1;
    return {
      result: { id: m.id, status: 'applied', rev },
      writes: { row: { row: { ...existing, deleted: 1, rev, seq: b.seq(), updated_at: now }, isNew: false }, change: { entity: m.entity, entityId: m.entityId, county: existing.county_code, rev, op: 'delete', fields: [], mutationId: m.id, at: now } },
    };
  }

  const current = JSON.parse(existing.data) as Record<string, unknown>;
  const fieldRevs = JSON.parse(existing.field_revs) as Record<string, number>;
  const base = typeof m.baseRev === 'number' ? m.baseRev : existing.rev;
  const newRev = existing.rev + 1;
  const conflicts: { field: string; server: unknown; client: unknown }[] = [];
  const changedFields: string[] = [];
  for (const field of Object.keys(m.data)) {
    if (IMMUTABLE.has(field)) return { result: reject(m.id, 'immutable-field', 'cannot be changed', `data.${field}`) };
  }
  // The record as it would be: it must still be a valid record.
  const merged = { ...current, ...m.data };
  const bad = invalidRecord(m, merged) ?? (await careplanProblem(b, m, merged));
  if (bad) return { result: bad };
  for (const [field, value] of Object.entries(m.data)) {
    const same = JSON.stringify(current[field] ?? null) === JSON.stringify(value ?? null);
    if (same) continue;
    if ((fieldRevs[field] ?? 0) > base) {
      // Changed on the server since the device last saw it, and changed differently on the device.
      conflicts.push({ field, server: current[field] ?? null, client: value ?? null });
      continue;
    }
    current[field] = value;
    fieldRevs[field] = newRev;
    changedFields.push(field);
  }
  if (conflicts.length && changedFields.length && (invalidRecord(m, current) ?? (await careplanProblem(b, m, current)))) {
    // The fields that would apply do not make a valid record without the ones in conflict (a
    // follow-up's readings without its class): nothing applies, and every changed field is shown.
    const before = JSON.parse(existing.data) as Record<string, unknown>;
    for (const field of changedFields) conflicts.push({ field, server: before[field] ?? null, client: m.data[field] ?? null });
    changedFields.length = 0;
  }
  const writes: Writes = {
    conflicts: conflicts.map((c) => ({ id: ulid(), entity: m.entity, entity_id: m.entityId, field: c.field, server_value: JSON.stringify(c.server), client_value: JSON.stringify(c.client), device_id: p.deviceId, mutation_id: m.id, created_at: now, resolved_at: null })),
  };
  let rev = existing.rev;
  if (changedFields.length) {
    rev = newRev;
    writes.row = { row: { ...existing, data: JSON.stringify(current), field_revs: JSON.stringify(fieldRevs), rev, seq: b.seq(), updated_at: now }, isNew: false };
    writes.change = { entity: m.entity, entityId: m.entityId, county: existing.county_code, rev, op: 'update', fields: changedFields, mutationId: m.id, at: now };
  }
  return { result: conflicts.length ? { id: m.id, status: 'conflict', rev, conflicts } : { id: m.id, status: 'applied', rev }, writes };
}

/** JSON with sorted keys, so the same mutation hashes the same whatever order its keys came in. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/** What a mutation says, apart from its id: the same id must always say the same. */
export function contentHash(m: Record<string, unknown>): string {
  const { id: _id, ...rest } = m;
  return createHash('sha256').update(canonical(rest)).digest('hex');
}

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** One mutation: its stored result, or its result now with what it writes, kept in the batch. */
async function applyOnce(b: Batch, p: Principal, raw: Record<string, unknown>, id: string, hash: string): Promise<MutationResult> {
  const stored = b.storedResult(id, hash);
  if (stored) return stored;
  const problem = checkMutation(raw);
  if (problem) {
    const result = reject(id, 'invalid', problem.message, problem.path || 'mutation');
    b.keep(id, hash, result);
    return result;
  }
  const { result, writes } = await apply(b, p, raw as unknown as Mutation);
  b.keep(id, hash, result, writes);
  return result;
}

const FAILED = (id: string) => reject(id, 'failed', '县级服务器无法处理这条修改，已保留在平板上 (the server could not apply this change; it is kept on the tablet)');

interface Item {
  raw: Record<string, unknown>;
  id: string;
  hash: string;
}

/**
 * Applies each mutation exactly once; a replay returns the stored result. The whole push is one
 * database transaction (one commit, one flush to disk). Its mutations are first applied together
 * (one batch: bulk reads, bulk writes); should that fail, the batch is rolled back to its savepoint
 * and the mutations are applied one by one, each in a savepoint of its own: a mutation that fails
 * is rolled back alone, tried once more (a replay racing another request of the same device then
 * finds the other's stored result), and otherwise stored as refused (`failed`) so it never blocks
 * the ones behind it. A full disk rolls the push back and answers 507; the tablet sends it all
 * again later.
 */
export async function push(db: Kysely<Tables>, p: Principal, mutations: readonly unknown[], log?: (msg: string, err: unknown) => void): Promise<MutationResult[]> {
  const results: (MutationResult | Item)[] = [];
  const trx = await db.startTransaction().execute();
  try {
    for (const raw of mutations) {
      const id = isObject(raw) ? raw.id : undefined;
      if (!isObject(raw) || typeof id !== 'string' || !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) {
        // Without a usable id nothing can be stored for it: refused, and the tablet sets it aside.
        results.push(reject(typeof id === 'string' && id.length <= 64 && !id.includes('\u0000') ? id : '', 'invalid', 'must be an id made by the app (a ULID)', 'id'));
        continue;
      }
      results.push({ raw, id, hash: contentHash(raw) });
    }
    const items = results.filter((r): r is Item => 'raw' in r);
    let done: Map<Item, MutationResult> | null = new Map();
    await sql`savepoint batch`.execute(trx);
    try {
      const b = new Batch(trx, p);
      await b.prefetch(items.map((i) => i.raw));
      for (const it of items) done.set(it, await applyOnce(b, p, it.raw, it.id, it.hash));
      await b.flush();
      await sql`release savepoint batch`.execute(trx);
    } catch (e) {
      if (isStorageFull(e)) throw new StorageFullError('storage full');
      await sql`rollback to savepoint batch`.execute(trx);
      await sql`release savepoint batch`.execute(trx);
      done = null;
    }
    if (done === null) {
      done = new Map();
      for (const it of items) done.set(it, await applyAlone(trx, p, it, log));
    }
    const out = results.map((r) => ('raw' in r ? done.get(r)! : r));
    await trx.commit().execute();
    return out;
  } catch (e) {
    await trx.rollback().execute().catch(() => undefined);
    if (isStorageFull(e)) throw new StorageFullError('storage full');
    throw e;
  }
}

/** One mutation in a savepoint of its own, tried twice, else stored as `failed`. */
async function applyAlone(trx: Trx, p: Principal, it: Item, log?: (msg: string, err: unknown) => void): Promise<MutationResult> {
  for (let attempt = 0; attempt < 2; attempt++) {
    await sql`savepoint m`.execute(trx);
    try {
      const b = new Batch(trx, p);
      await b.prefetch([it.raw]);
      const result = await applyOnce(b, p, it.raw, it.id, it.hash);
      await b.flush();
      await sql`release savepoint m`.execute(trx);
      return result;
    } catch (e) {
      if (isStorageFull(e)) throw new StorageFullError('storage full');
      await sql`rollback to savepoint m`.execute(trx);
      await sql`release savepoint m`.execute(trx);
      if (attempt === 1) log?.(`push: mutation ${it.id} (${String(it.raw.entity)} ${String(it.raw.op)}) failed`, e);
    }
  }
  const b = new Batch(trx, p);
  const result = FAILED(it.id);
  b.keep(it.id, it.hash, result);
  await b.flush();
  return result;
}
