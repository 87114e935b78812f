/**
 * Pull: the records of the user's villages changed after a checkpoint, in the order of a sequence
 * that commits in order (nextSeq), so a tablet that resumes from its checkpoint misses nothing.
 */
import { sql, type Kysely } from 'kysely';
import type { Entity, PulledRecord } from '../../model/sync.ts';
import type { Principal } from '../auth.ts';
import type { Tables } from '../db.ts';

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
