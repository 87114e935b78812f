/**
 * Push and pull. Every mutation is applied in its own transaction together with the record of its
 * result, keyed by (device, mutation id), so a replayed mutation returns the stored result instead
 * of applying twice; a permanent rejection is stored the same way and never blocks the queue.
 * Pull reads by a sequence number that commits in order (nextSeq), scoped to the user's villages.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Enrolment, Household, Member, StatusRecord, Village } from '../model/roster.ts';
import { ENTITIES, type Entity, type Mutation, type MutationResult, type PulledRecord } from '../model/sync.ts';
import { ulid } from '../model/ulid.ts';
import { inJurisdiction, type Principal } from './auth.ts';
import { nextSeq, type Tables } from './db.ts';
import { applyFilingMutation } from './filings.ts';

type Trx = Transaction<Tables>;

/** Fields that tie a record to its place and can never change by an edit. */
const IMMUTABLE = new Set(['id', 'villageId', 'householdId', 'memberId', 'createdAt']);

function reject(id: string, code: string, message: string): MutationResult {
  return { id, status: 'rejected', code, message };
}

async function recordOf(trx: Trx, entity: string, id: string) {
  return trx.selectFrom('records').selectAll().where('entity', '=', entity).where('id', '=', id).executeTakeFirst();
}

/** The village code a new record belongs to, from the record it hangs on. */
async function villageCodeFor(trx: Trx, entity: Entity, data: Record<string, unknown>): Promise<string | null> {
  if (entity === 'village') return typeof data.code === 'string' ? data.code : null;
  if (entity === 'household' || entity === 'member') {
    const v = typeof data.villageId === 'string' ? await recordOf(trx, 'village', data.villageId) : undefined;
    if (!v) return null;
    if (entity === 'member') {
      const h = typeof data.householdId === 'string' ? await recordOf(trx, 'household', data.householdId) : undefined;
      if (!h || h.village_code !== v.village_code) return null;
    }
    return v.village_code;
  }
  const m = typeof data.memberId === 'string' ? await recordOf(trx, 'member', data.memberId) : undefined;
  return m?.village_code ?? null;
}

async function apply(trx: Trx, p: Principal, m: Mutation): Promise<MutationResult> {
  if (!ENTITIES.includes(m.entity)) return reject(m.id, 'invalid', `unknown entity "${String(m.entity)}"`);
  if (typeof m.entityId !== 'string' || m.entityId === '') return reject(m.id, 'invalid', 'entityId is required');
  if (m.data === null || typeof m.data !== 'object' || Array.isArray(m.data)) return reject(m.id, 'invalid', 'data must be an object');
  if (m.entity === 'village' && p.role !== 'admin') return reject(m.id, 'forbidden', 'only the county administrator changes villages');
  // Filings follow their own workflow (docs/filing.md), in this same transaction.
  if (m.entity === 'filing') return applyFilingMutation(trx, p, m);
  const now = new Date().toISOString();
  const existing = await recordOf(trx, m.entity, m.entityId);

  if (m.op === 'create') {
    if (m.data.id !== undefined && m.data.id !== m.entityId) return reject(m.id, 'invalid', 'data.id differs from entityId');
    if (existing) return reject(m.id, 'exists', `${m.entity} ${m.entityId} already exists`);
    const code = await villageCodeFor(trx, m.entity, m.data);
    if (code === null) return reject(m.id, 'not-found', `the ${m.entity === 'member' || m.entity === 'household' ? 'village or household' : 'member'} this ${m.entity} belongs to is not on the server`);
    if (!inJurisdiction(p, code)) return reject(m.id, 'forbidden', '不在您负责的村庄范围内 (outside your villages)');
    const data = { ...m.data, id: m.entityId };
    const fieldRevs = Object.fromEntries(Object.keys(data).map((k) => [k, 1]));
    const seq = await nextSeq(trx, 1);
    await trx
      .insertInto('records')
      .values({ entity: m.entity, id: m.entityId, village_code: code, data: JSON.stringify(data), rev: 1, field_revs: JSON.stringify(fieldRevs), seq, deleted: 0, updated_at: now })
      .execute();
    return { id: m.id, status: 'applied', rev: 1 };
  }

  if (!existing) return reject(m.id, 'not-found', `${m.entity} ${m.entityId} is not on the server`);
  if (!inJurisdiction(p, existing.village_code)) return reject(m.id, 'forbidden', '不在您负责的村庄范围内 (outside your villages)');
  if (existing.deleted) return reject(m.id, 'deleted', `${m.entity} ${m.entityId} was deleted`);

  if (m.op === 'delete') {
    const seq = await nextSeq(trx, 1);
    await trx.updateTable('records').set({ deleted: 1, rev: existing.rev + 1, seq, updated_at: now }).where('entity', '=', m.entity).where('id', '=', m.entityId).execute();
    return { id: m.id, status: 'applied', rev: existing.rev + 1 };
  }
  if (m.op !== 'update') return reject(m.id, 'invalid', `unknown op "${String(m.op)}"`);

  const current = JSON.parse(existing.data) as Record<string, unknown>;
  const fieldRevs = JSON.parse(existing.field_revs) as Record<string, number>;
  const base = typeof m.baseRev === 'number' ? m.baseRev : existing.rev;
  const newRev = existing.rev + 1;
  const conflicts: { field: string; server: unknown; client: unknown }[] = [];
  let changed = false;
  for (const [field, value] of Object.entries(m.data)) {
    if (IMMUTABLE.has(field)) return reject(m.id, 'immutable-field', `${field} cannot be changed`);
    const same = JSON.stringify(current[field] ?? null) === JSON.stringify(value ?? null);
    if (same) continue;
    if ((fieldRevs[field] ?? 0) > base) {
      // Changed on the server since the device last saw it, and changed differently on the device.
      conflicts.push({ field, server: current[field] ?? null, client: value ?? null });
      continue;
    }
    current[field] = value;
    fieldRevs[field] = newRev;
    changed = true;
  }
  for (const c of conflicts) {
    await trx
      .insertInto('conflicts')
      .values({ id: ulid(), entity: m.entity, entity_id: m.entityId, field: c.field, server_value: JSON.stringify(c.server), client_value: JSON.stringify(c.client), device_id: p.deviceId, mutation_id: m.id, created_at: now, resolved_at: null })
      .execute();
  }
  let rev = existing.rev;
  if (changed) {
    const seq = await nextSeq(trx, 1);
    rev = newRev;
    await trx
      .updateTable('records')
      .set({ data: JSON.stringify(current), field_revs: JSON.stringify(fieldRevs), rev, seq, updated_at: now })
      .where('entity', '=', m.entity)
      .where('id', '=', m.entityId)
      .execute();
  }
  return conflicts.length ? { id: m.id, status: 'conflict', rev, conflicts } : { id: m.id, status: 'applied', rev };
}

/** Applies each mutation exactly once; a replay returns the stored result. */
export async function push(db: Kysely<Tables>, p: Principal, mutations: readonly Mutation[]): Promise<MutationResult[]> {
  const results: MutationResult[] = [];
  for (const m of mutations) {
    if (!m || typeof m.id !== 'string' || !/^[0-9A-Z]{26}$/.test(m.id)) {
      results.push(reject(String(m?.id ?? ''), 'invalid', 'mutation id must be a ULID'));
      continue;
    }
    const r = await db.transaction().execute(async (trx) => {
      const done = await trx.selectFrom('applied_mutations').select('result').where('device_id', '=', p.deviceId).where('mutation_id', '=', m.id).executeTakeFirst();
      if (done) return JSON.parse(done.result) as MutationResult;
      const result = await apply(trx, p, m);
      await trx.insertInto('applied_mutations').values({ device_id: p.deviceId, mutation_id: m.id, result: JSON.stringify(result), applied_at: new Date().toISOString() }).execute();
      return result;
    });
    results.push(r);
  }
  return results;
}

function scope(p: Principal) {
  return (eb: any) => (p.role === 'admin' ? eb.lit(true) : eb.or(p.areas.map((a) => eb('village_code', 'like', `${a}%`))));
}

/** Records of the user's villages changed after `since`, in sequence order. */
export async function pull(db: Kysely<Tables>, p: Principal, since: number, limit: number): Promise<{ records: PulledRecord[]; checkpoint: number; remaining: number }> {
  if (p.role !== 'admin' && p.areas.length === 0) return { records: [], checkpoint: since, remaining: 0 };
  const rows = await db.selectFrom('records').selectAll().where('seq', '>', since).where(scope(p)).orderBy('seq').limit(limit).execute();
  const records = rows.map((r) => ({
    entity: r.entity as Entity,
    id: r.id,
    rev: r.rev,
    seq: Number(r.seq),
    deleted: r.deleted === 1,
    data: r.deleted === 1 ? null : (JSON.parse(r.data) as Record<string, unknown>),
  }));
  const checkpoint = records.length ? records[records.length - 1]!.seq : since;
  const left = await db.selectFrom('records').select(sql<number>`count(*)`.as('n')).where('seq', '>', checkpoint).where(scope(p)).executeTakeFirstOrThrow();
  return { records, checkpoint, remaining: Number(left.n) };
}

export interface CountyData {
  villages: Village[];
  households: Household[];
  members: Member[];
  statuses: StatusRecord[];
  enrolments: Enrolment[];
}

/** Imports a county's roster in one transaction: all of it or none. */
export async function importCounty(db: Kysely<Tables>, c: CountyData): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const codeOfVillage = new Map(c.villages.map((v) => [v.id, v.code]));
    const codeOfMember = new Map(c.members.map((m) => [m.id, codeOfVillage.get(m.villageId)]));
    const rows: { entity: Entity; id: string; code: string | undefined; data: object }[] = [
      ...c.villages.map((v) => ({ entity: 'village' as const, id: v.id, code: v.code, data: v })),
      ...c.households.map((h) => ({ entity: 'household' as const, id: h.id, code: codeOfVillage.get(h.villageId), data: h })),
      ...c.members.map((m) => ({ entity: 'member' as const, id: m.id, code: codeOfVillage.get(m.villageId), data: m })),
      ...c.statuses.map((s) => ({ entity: 'status' as const, id: s.id, code: codeOfMember.get(s.memberId), data: s })),
      ...c.enrolments.map((e) => ({ entity: 'enrolment' as const, id: e.id, code: codeOfMember.get(e.memberId), data: e })),
    ];
    const missing = rows.find((r) => !r.code);
    if (missing) throw new Error(`${missing.entity} ${missing.id}: its village is not in the import`);
    const first = await nextSeq(trx, rows.length);
    const now = new Date().toISOString();
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('records')
        .values(
          rows.slice(i, i + 500).map((r, j) => ({
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
    }
    return rows.length;
  });
}
