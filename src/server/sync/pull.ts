/**
 * Pull: the records of the user's villages changed after a checkpoint, in the order of a sequence
 * that commits in order (nextSeq), so a tablet that resumes from its checkpoint misses nothing.
 */
import { sql, type Kysely } from 'kysely';
import type { Entity, PulledRecord } from '../../model/sync.ts';
import { inScope, type Principal } from '../auth.ts';
import type { Tables } from '../db.ts';

/** The user's area by county and village code range (auth.ts inAreas), so a pull reads its counties only. */
const scope = inScope;
/**
 * Records of the user's villages changed after `since`, in sequence order. `remaining` is 0 when
 * this page is the last; otherwise the count of what is left when asked (`count`, once per download,
 * for the progress bar: counting the rest on every page made a download quadratic), else -1, "more".
 */
export async function pull(db: Kysely<Tables>, p: Principal, since: number, limit: number, count = true): Promise<{ records: PulledRecord[]; checkpoint: number; remaining: number }> {
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
  if (records.length < limit) return { records, checkpoint, remaining: 0 };
  if (!count) return { records, checkpoint, remaining: -1 };
  const left = await db.selectFrom('records').select(sql<number>`count(*)`.as('n')).where('seq', '>', checkpoint).where(scope(p)).executeTakeFirstOrThrow();
  return { records, checkpoint, remaining: Number(left.n) };
}
