/**
 * Push: every mutation is applied in its own transaction together with the record of its result,
 * keyed by (device, mutation id), so a replayed mutation returns the stored result instead of
 * applying twice; a permanent refusal is stored the same way and never blocks the queue.
 *
 * Before anything is stored, a mutation is checked: its envelope and its record against the one
 * schema of src/model/records.ts, the writer's role against src/model/permissions.ts, its place
 * (an enrolment, status or ledger row belongs to its member's village) against what the server
 * holds. A mutation id sent again with other content is refused as `id-reused`.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { mayWrite } from '../../model/permissions.ts';
import { checkMutation, checkRecord } from '../../model/records.ts';
import type { Entity, Mutation, MutationResult } from '../../model/sync.ts';
import { ulid } from '../../model/ulid.ts';
import { inJurisdiction, type Principal } from '../auth.ts';
import { isStorageFull, nextSeq, type Tables } from '../db.ts';
import { applyFilingMutation } from '../filings.ts';
import { recordChange } from './history.ts';

type Trx = Transaction<Tables>;

/** Fields that tie a record to its place and can never change by an edit. */
const IMMUTABLE = new Set(['id', 'villageId', 'householdId', 'memberId', 'createdAt']);

/** The storage is full: the push is answered 507 and the tablet keeps its outbox to send later. */
export class StorageFullError extends Error {}

function reject(id: string, code: string, message: string, path?: string): MutationResult {
  return { id, status: 'rejected', code, message: path ? `${path}: ${message}` : message, ...(path ? { path } : {}) };
}

async function recordOf(trx: Trx, entity: string, id: string) {
  return trx.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
}

const OUTSIDE = '不在您负责的村庄范围内 (outside your villages)';

/**
 * The village code a new record belongs to, from the record it hangs on, or a refusal when that
 * record is missing or in another place than the new one says.
 */
async function placeOf(trx: Trx, entity: Entity, data: Record<string, unknown>, mutationId: string): Promise<string | MutationResult> {
  const missing = (what: string, path: string) => reject(mutationId, 'not-found', `the ${what} this ${entity} belongs to is not on the server`, path);
  if (entity === 'village') return data.code as string;
  if (entity === 'household' || entity === 'member') {
    const v = await recordOf(trx, 'village', data.villageId as string);
    if (!v || v.deleted) return missing('village', 'data.villageId');
    if (entity === 'member') {
      const h = await recordOf(trx, 'household', data.householdId as string);
      if (!h || h.deleted) return missing('household', 'data.householdId');
      const household = JSON.parse(h.data) as { villageId?: unknown };
      if (household.villageId !== data.villageId) return reject(mutationId, 'invalid', 'differs from the village of the household', 'data.villageId');
    }
    return v.village_code;
  }
  const m = await recordOf(trx, 'member', data.memberId as string);
  if (!m || m.deleted) return missing('member', 'data.memberId');
  const member = JSON.parse(m.data) as { villageId?: unknown; householdId?: unknown };
  // A record that names its village or household names the member's own.
  if ('villageId' in data && data.villageId !== member.villageId) return reject(mutationId, 'invalid', "differs from the member's village", 'data.villageId');
  if ('householdId' in data && data.householdId !== member.householdId) return reject(mutationId, 'invalid', "differs from the member's household", 'data.householdId');
  return m.village_code;
}

function invalidRecord(m: Mutation, record: unknown): MutationResult | null {
  const problem = checkRecord(m.entity, record);
  if (!problem) return null;
  return reject(m.id, 'invalid', problem.message, problem.path ? `data.${problem.path}` : 'data');
}

async function apply(trx: Trx, p: Principal, m: Mutation): Promise<MutationResult> {
  if (!mayWrite(p.role, m.entity, m.op)) {
    return reject(m.id, 'forbidden', m.op === 'delete' && m.entity !== 'village' ? `a ${m.entity} cannot be deleted` : `the role ${p.role} does not change ${m.entity} records`);
  }
  // Filings follow their own workflow (docs/filing.md), in this same transaction.
  if (m.entity === 'filing') return applyFilingMutation(trx, p, m);
  const now = new Date().toISOString();
  const existing = await recordOf(trx, m.entity, m.entityId);

  if (m.op === 'create') {
    if (m.data.id !== undefined && m.data.id !== m.entityId) return reject(m.id, 'invalid', 'differs from entityId', 'data.id');
    const data = { ...m.data, id: m.entityId };
    const bad = invalidRecord(m, data);
    if (bad) return bad;
    if (existing) return reject(m.id, 'exists', `${m.entity} ${m.entityId} already exists`);
    const code = await placeOf(trx, m.entity, data, m.id);
    if (typeof code !== 'string') return code;
    if (!inJurisdiction(p, code)) return reject(m.id, 'forbidden', OUTSIDE);
    const fieldRevs = Object.fromEntries(Object.keys(data).map((k) => [k, 1]));
    const seq = await nextSeq(trx, 1);
    await trx
      .insertInto('records')
      .values({ entity: m.entity, id: m.entityId, village_code: code, data: JSON.stringify(data), rev: 1, field_revs: JSON.stringify(fieldRevs), seq, deleted: 0, updated_at: now })
      .execute();
    await recordChange(trx, p, { entity: m.entity, entityId: m.entityId, rev: 1, op: 'create', fields: Object.keys(data), mutationId: m.id, at: now });
    return { id: m.id, status: 'applied', rev: 1 };
  }

  if (!existing) return reject(m.id, 'not-found', `${m.entity} ${m.entityId} is not on the server`);
  if (!inJurisdiction(p, existing.village_code)) return reject(m.id, 'forbidden', OUTSIDE);
  if (existing.deleted) return reject(m.id, 'deleted', `${m.entity} ${m.entityId} was deleted`);

  if (m.op === 'delete') {
    const seq = await nextSeq(trx, 1);
    await trx.updateTable('records').set({ deleted: 1, rev: existing.rev + 1, seq, updated_at: now }).where('entity', '=', m.entity).where('id', '=', m.entityId).execute();
    await recordChange(trx, p, { entity: m.entity, entityId: m.entityId, rev: existing.rev + 1, op: 'delete', fields: [], mutationId: m.id, at: now });
    return { id: m.id, status: 'applied', rev: existing.rev + 1 };
  }

  const current = JSON.parse(existing.data) as Record<string, unknown>;
  const fieldRevs = JSON.parse(existing.field_revs) as Record<string, number>;
  const base = typeof m.baseRev === 'number' ? m.baseRev : existing.rev;
  const newRev = existing.rev + 1;
  const conflicts: { field: string; server: unknown; client: unknown }[] = [];
  const changedFields: string[] = [];
  for (const field of Object.keys(m.data)) {
    if (IMMUTABLE.has(field)) return reject(m.id, 'immutable-field', 'cannot be changed', `data.${field}`);
  }
  // The record as it would be: it must still be a valid record.
  const bad = invalidRecord(m, { ...current, ...m.data });
  if (bad) return bad;
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
  for (const c of conflicts) {
    await trx
      .insertInto('conflicts')
      .values({ id: ulid(), entity: m.entity, entity_id: m.entityId, field: c.field, server_value: JSON.stringify(c.server), client_value: JSON.stringify(c.client), device_id: p.deviceId, mutation_id: m.id, created_at: now, resolved_at: null })
      .execute();
  }
  let rev = existing.rev;
  if (changedFields.length) {
    const seq = await nextSeq(trx, 1);
    rev = newRev;
    await trx
      .updateTable('records')
      .set({ data: JSON.stringify(current), field_revs: JSON.stringify(fieldRevs), rev, seq, updated_at: now })
      .where('entity', '=', m.entity)
      .where('id', '=', m.entityId)
      .execute();
    await recordChange(trx, p, { entity: m.entity, entityId: m.entityId, rev, op: 'update', fields: changedFields, mutationId: m.id, at: now });
  }
  return conflicts.length ? { id: m.id, status: 'conflict', rev, conflicts } : { id: m.id, status: 'applied', rev };
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

/** The stored result of a mutation, the refusal of a reused id, or null when it is new. */
async function storedResult(trx: Trx, p: Principal, id: string, hash: string): Promise<MutationResult | null> {
  const done = await trx.selectFrom('applied_mutations').select(['result', 'content_hash']).where('device_id', '=', p.deviceId).where('mutation_id', '=', id).executeTakeFirst();
  if (!done) return null;
  if (done.content_hash !== null && done.content_hash !== hash) {
    return reject(id, 'id-reused', 'this mutation id was used before for another change; the first one stands (the device must make a new id for a new change)');
  }
  return JSON.parse(done.result) as MutationResult;
}

async function storeResult(trx: Trx, p: Principal, id: string, hash: string, result: MutationResult): Promise<void> {
  await trx.insertInto('applied_mutations').values({ device_id: p.deviceId, mutation_id: id, result: JSON.stringify(result), applied_at: new Date().toISOString(), content_hash: hash }).execute();
}

/** One mutation inside the push's transaction: its stored result, or applied and stored now. */
async function applyOnce(trx: Trx, p: Principal, raw: Record<string, unknown>, id: string, hash: string): Promise<MutationResult> {
  const stored = await storedResult(trx, p, id, hash);
  if (stored) return stored;
  const problem = checkMutation(raw);
  const result = problem ? reject(id, 'invalid', problem.message, problem.path || 'mutation') : await apply(trx, p, raw as unknown as Mutation);
  await storeResult(trx, p, id, hash, result);
  return result;
}

const FAILED = (id: string) => reject(id, 'failed', '县级服务器无法处理这条修改，已保留在平板上 (the server could not apply this change; it is kept on the tablet)');

/**
 * Applies each mutation exactly once; a replay returns the stored result. The whole push is one
 * database transaction (one commit, one flush to disk), with a savepoint per mutation: a mutation
 * that fails is rolled back to its savepoint alone, tried once more (a replay racing another
 * request of the same device then finds the other's stored result), and otherwise stored as
 * refused (`failed`) so it never blocks the ones behind it. A full disk rolls the push back and
 * answers 507; the tablet sends it all again later.
 */
export async function push(db: Kysely<Tables>, p: Principal, mutations: readonly unknown[], log?: (msg: string, err: unknown) => void): Promise<MutationResult[]> {
  const results: MutationResult[] = [];
  const trx = await db.startTransaction().execute();
  try {
    for (const raw of mutations) {
      const id = isObject(raw) ? raw.id : undefined;
      if (!isObject(raw) || typeof id !== 'string' || !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) {
        // Without a usable id nothing can be stored for it: refused, and the tablet sets it aside.
        results.push(reject(typeof id === 'string' && id.length <= 64 && !id.includes('\u0000') ? id : '', 'invalid', 'must be an id made by the app (a ULID)', 'id'));
        continue;
      }
      const hash = contentHash(raw);
      let result: MutationResult | null = null;
      for (let attempt = 0; attempt < 2 && result === null; attempt++) {
        await sql`savepoint m`.execute(trx);
        try {
          result = await applyOnce(trx, p, raw, id, hash);
          await sql`release savepoint m`.execute(trx);
        } catch (e) {
          if (isStorageFull(e)) throw new StorageFullError('storage full');
          await sql`rollback to savepoint m`.execute(trx);
          await sql`release savepoint m`.execute(trx);
          if (attempt === 1) log?.(`push: mutation ${id} (${String(raw.entity)} ${String(raw.op)}) failed`, e);
        }
      }
      if (result === null) {
        result = FAILED(id);
        await storeResult(trx, p, id, hash, result);
      }
      results.push(result);
    }
    await trx.commit().execute();
  } catch (e) {
    await trx.rollback().execute().catch(() => undefined);
    if (isStorageFull(e)) throw new StorageFullError('storage full');
    throw e;
  }
  return results;
}
