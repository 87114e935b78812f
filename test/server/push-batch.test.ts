/**
 * A push is applied as one batch (bulk reads, bulk writes) in one transaction, on SQLite and
 * PostgreSQL: a push of 100 creates is a handful of statements, records made earlier in the same
 * push are seen by later mutations, and a mutation the database fails on sends the push down the
 * one-by-one path, where it alone is stored as `failed` and every other one is applied once.
 */
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { makeIdNumber } from '../../src/model/idcard.ts';
import type { Mutation } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import type { Principal } from '../../src/server/auth.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { push } from '../../src/server/sync/push.ts';
import { BACKENDS, freshDb } from './backends.ts';
import { visitOf } from './careplan-records.ts';

const county = generateCounty({ seed: 31, members: 200 });
const count = (villageId: string) => county.members.filter((m) => m.villageId === villageId).length;
const village = [...county.villages].sort((a, b) => count(b.id) - count(a.id))[0]!;
const members = county.members.filter((m) => m.villageId === village.id);
const now = () => new Date().toISOString();
const doctor: Principal = { userId: 'u1', username: 'doctor', displayName: '王医生', role: 'village-doctor', deviceId: ulid(), areas: [village.code] };

function visit(i: number): Mutation {
  const m = members[i % members.length]!;
  const id = ulid();
  return { id: ulid(), entity: 'visit', entityId: id, op: 'create', baseRev: null, data: visitOf(m, id, { date: '2026-11-01', note: `visit ${i}` }), createdAt: now() };
}

/** Counts the statements a Kysely instance runs. */
class Counter implements KyselyPlugin {
  n = 0;
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    this.n++;
    return args.node;
  }
  async transformResult<T>(args: { result: T }): Promise<T> {
    return args.result;
  }
}

for (const backend of BACKENDS) {
  describe(`push as one batch on ${backend}`, () => {
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, county);
    });
    afterAll(async () => {
      await sdb.drop();
    });

    it('applies 100 creates with a handful of statements, not several per mutation', async () => {
      const counter = new Counter();
      const results = await push(sdb.db.withPlugin(counter), doctor, Array.from({ length: 100 }, (_, i) => visit(i)));
      expect(results.every((r) => r.status === 'applied')).toBe(true);
      // savepoint, seq, 1 stored-results read, 4 record reads (visit, village, household, member), 3 inserts, release
      expect(counter.n).toBeLessThanOrEqual(15);
      const n = await sdb.db.selectFrom('records').select(sql<number>`count(*)`.as('n')).where('entity', '=', 'visit').executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(100);
    });

    it('sees a household and member created earlier in the same push, and an update of a record it created', async () => {
      const t = now();
      const hid = ulid();
      const mid = ulid();
      const original = county.households.find((h) => h.villageId === village.id)!;
      const hh = { ...original, id: hid, number: 'B-9001', createdAt: t, updatedAt: t, rev: 1 };
      const member = { ...members[0]!, id: mid, householdId: hid, villageId: village.id, idNumber: makeIdNumber('141130', '1970-01-01', 77), birthDate: '1970-01-01', sex: 'M', relation: 'head', createdAt: t, updatedAt: t };
      const ms: Mutation[] = [
        { id: ulid(), entity: 'household', entityId: hid, op: 'create', baseRev: null, data: hh, createdAt: t },
        { id: ulid(), entity: 'member', entityId: mid, op: 'create', baseRev: null, data: member, createdAt: t },
        { id: ulid(), entity: 'member', entityId: mid, op: 'update', baseRev: 1, data: { phone: '13800138000' }, createdAt: t },
      ];
      const results = await push(sdb.db, doctor, ms);
      expect(results).toEqual([
        { id: ms[0]!.id, status: 'applied', rev: 1 },
        { id: ms[1]!.id, status: 'applied', rev: 1 },
        { id: ms[2]!.id, status: 'applied', rev: 2 },
      ]);
      const row = await sdb.db.selectFrom('records').selectAll().where('entity', '=', 'member').where('id', '=', mid).executeTakeFirstOrThrow();
      expect(row.rev).toBe(2);
      expect(JSON.parse(row.data).phone).toBe('13800138000');
      const changes = await sdb.db.selectFrom('record_changes').select(['op', 'rev']).where('entity_id', '=', mid).orderBy('rev').execute();
      expect(changes).toEqual([
        { op: 'create', rev: 1 },
        { op: 'update', rev: 2 },
      ]);
      // Replayed, the stored results come back and nothing is written twice.
      expect((await push(sdb.db, doctor, ms)).map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    });

    it('stores only the mutation the database fails on as failed; the others are applied once', async () => {
      const bad = visit(1);
      if (backend === 'sqlite') {
        await sql.raw(`create trigger boom before insert on records when new.id = '${bad.entityId}' begin select raise(abort, 'boom'); end`).execute(sdb.db);
      } else {
        await sql.raw(`create function boom() returns trigger language plpgsql as $$ begin if new.id = '${bad.entityId}' then raise exception 'boom'; end if; return new; end $$`).execute(sdb.db);
        await sql.raw('create trigger boom before insert on records for each row execute function boom()').execute(sdb.db);
      }
      const ms = [visit(0), bad, visit(2)];
      const results = await push(sdb.db, doctor, ms);
      expect(results.map((r) => r.status === 'rejected' ? r.code : r.status)).toEqual(['applied', 'failed', 'applied']);
      const seqs = await sdb.db.selectFrom('records').select('seq').where('id', 'in', [ms[0]!.entityId, ms[2]!.entityId]).execute();
      expect(seqs).toHaveLength(2);
      // Replayed: the same answers, the two visits still there once.
      expect((await push(sdb.db, doctor, ms)).map((r) => r.status)).toEqual(['applied', 'rejected', 'applied']);
      const stored = await sdb.db.selectFrom('applied_mutations').select('mutation_id').where('mutation_id', 'in', ms.map((m) => m.id)).execute();
      expect(stored).toHaveLength(3);
      // Sequence numbers stay unique across the rolled-back batch and the next push.
      const next = await push(sdb.db, doctor, [visit(3)]);
      expect(next[0]!.status).toBe('applied');
      const dup = await sdb.db.selectFrom('records').select(['seq', sql<number>`count(*)`.as('n')]).groupBy('seq').having(sql`count(*)`, '>', 1).execute();
      expect(dup).toEqual([]);
    });
  });
}
