/**
 * 0010-county on SQLite and PostgreSQL: a database of 0009 with the records and changes of two
 * counties is converted with its data (each row given its county), the tablets' sync goes on over
 * it, and a county's first record makes its partitions on PostgreSQL (none is left in DEFAULT).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { ulid } from '../../src/model/ulid.ts';
import type { Principal } from '../../src/server/auth.ts';
import { migrate } from '../../src/server/db.ts';
import { importCounty, pull, push, recordHistory } from '../../src/server/sync/index.ts';
import { BACKENDS, freshDb } from './backends.ts';
import { asCounty } from './province.ts';

const east = generateCounty({ seed: 4, members: 60 });
const west = asCounty(east, '610322', 1);
const north = asCounty(east, '130102', 2);
const doctorOf = (c: typeof east, v = c.villages[0]!): Principal => ({ userId: 'u', username: 'doc', displayName: 'd', role: 'village-doctor', deviceId: ulid(), areas: [v.code] });

for (const backend of BACKENDS) {
  describe(`migration 0010-county on ${backend}`, () => {
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    const ids: { entity: string; id: string; code: string }[] = [];
    beforeAll(async () => {
      sdb = await freshDb(backend, '0009-admin-audit');
      // Records and their changes as 0009 stores them: no county code.
      let seq = 0;
      for (const c of [east, west]) {
        const code = new Map(c.villages.map((v) => [v.id, v.code]));
        const rows = [
          ...c.villages.map((v) => ['village', v.id, v.code, v] as const),
          ...c.households.map((h) => ['household', h.id, code.get(h.villageId)!, h] as const),
          ...c.members.map((m) => ['member', m.id, code.get(m.villageId)!, m] as const),
        ];
        for (const [entity, id, villageCode, data] of rows) {
          seq++;
          ids.push({ entity, id, code: villageCode });
          await sql`insert into records (entity, id, village_code, data, rev, field_revs, seq, deleted, updated_at) values (${entity}, ${id}, ${villageCode}, ${JSON.stringify(data)}, 1, '{}', ${seq}, 0, '2026-01-01T00:00:00.000Z')`.execute(sdb.db);
          await sql`insert into record_changes (id, entity, entity_id, rev, op, fields, user_id, username, role, device_id, mutation_id, at) values (${ulid()}, ${entity}, ${id}, 1, 'import', '[]', 'system', 'system', 'admin', 'server', null, '2026-01-01T00:00:00.000Z')`.execute(sdb.db);
        }
      }
      await sql`update counters set value = ${seq} where name = 'seq'`.execute(sdb.db);
      await migrate(sdb.db, backend);
    });
    afterAll(async () => {
      await sdb.drop();
    });

    it('gives every record and every change its county, and keeps the data', async () => {
      const records = await sdb.db.selectFrom('records').select(['entity', 'id', 'village_code', 'county_code', 'seq']).execute();
      expect(records).toHaveLength(ids.length);
      for (const r of records) expect(r.county_code).toBe(r.village_code.slice(0, 6));
      expect(new Set(records.map((r) => r.county_code))).toEqual(new Set(['141130', '610322']));
      const changes = await sdb.db.selectFrom('record_changes').select(['entity', 'entity_id', 'county_code']).execute();
      expect(changes).toHaveLength(ids.length);
      const byId = new Map(ids.map((x) => [`${x.entity}/${x.id}`, x.code.slice(0, 6)]));
      for (const c of changes) expect(c.county_code).toBe(byId.get(`${c.entity}/${c.entity_id}`));
      if (backend === 'postgres') {
        const parts = await sql<{ name: string; n: number }>`select c.relname as name, (xpath('/row/n/text()', query_to_xml('select count(*) as n from ' || c.relname, false, true, '')))[1]::text::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'records' and p.relnamespace = c.relnamespace and c.relnamespace = (select oid from pg_namespace where nspname = current_schema()) order by 1`.execute(sdb.db);
        expect(parts.rows.map((r) => [r.name, r.n])).toEqual([
          ['records_c141130', ids.filter((x) => x.code.startsWith('141130')).length],
          ['records_c610322', ids.filter((x) => x.code.startsWith('610322')).length],
          ['records_default', 0],
        ]);
      }
    });

    it('goes on syncing: a doctor pulls the village, edits a member, the history names it', async () => {
      const v = west.villages.find((x) => x.id === west.members[0]!.villageId)!;
      const p = doctorOf(west, v);
      const got = await pull(sdb.db, p, 0, 1000);
      const expected = 1 + west.households.filter((h) => h.villageId === v.id).length + west.members.filter((m) => m.villageId === v.id).length;
      expect(got.records).toHaveLength(expected);
      const m = west.members.find((x) => x.villageId === v.id)!;
      const [r] = await push(sdb.db, p, [{ id: ulid(), entity: 'member', entityId: m.id, op: 'update', baseRev: 1, data: { phone: '13900000001' }, createdAt: new Date().toISOString() }]);
      expect(r).toMatchObject({ status: 'applied', rev: 2 });
      const history = await recordHistory(sdb.db, 'member', m.id, '610322');
      expect(history.map((h) => h.op)).toEqual(['import', 'update']);
      const row = await sdb.db.selectFrom('record_changes').select('county_code').where('entity_id', '=', m.id).where('rev', '=', 2).executeTakeFirstOrThrow();
      expect(row.county_code).toBe('610322');
      // A record of another county is not there for this doctor, not even to be refused.
      const other = east.members[0]!;
      const [no] = await push(sdb.db, p, [{ id: ulid(), entity: 'member', entityId: other.id, op: 'update', baseRev: 1, data: { phone: '13900000002' }, createdAt: new Date().toISOString() }]);
      expect(no).toMatchObject({ status: 'rejected', code: 'not-found' });
    });

    it("makes a county's partitions with its first records", async () => {
      await importCounty(sdb.db, north);
      const n = await sdb.db.selectFrom('records').select((eb) => eb.fn.countAll<number | string>().as('n')).where('county_code', '=', '130102').executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(north.villages.length + north.households.length + north.members.length + north.statuses.length + north.enrolments.length);
      if (backend === 'postgres') {
        const inDefault = await sql<{ n: string }>`select (select count(*) from records_default) + (select count(*) from record_changes_default) as n`.execute(sdb.db);
        expect(Number(inDefault.rows[0]!.n)).toBe(0);
        const made = await sql<{ r: string | null; c: string | null }>`select to_regclass('records_c130102')::text as r, to_regclass('record_changes_c130102')::text as c`.execute(sdb.db);
        expect(made.rows[0]).toEqual({ r: 'records_c130102', c: 'record_changes_c130102' });
      }
    });
  });
}
