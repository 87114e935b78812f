/**
 * 0010-county: every row of the tables that grow with a county — `records` (every record synced)
 * and `record_changes` (a row for every write of one) — carries its county code, the first 6 digits
 * of the 12-digit village code, so that one database can hold a province: every read of sync, review
 * and the dashboard names the counties it concerns and is served inside them (docs/scale.md).
 *
 * On PostgreSQL both tables become partitioned by LIST (county_code), a partition per county (made by
 * ensureCounties when a county's first record arrives, here for the counties already held) and a
 * DEFAULT one for a row whose county has none; a primary key must then include the partition key,
 * so a record is (entity, id, county_code) and a change (id, county_code). SQLite gets the same
 * columns and indexes, unpartitioned. The other tables stay as they are: users, devices, sessions
 * and packs are few; applied_mutations is read only by its own key (device, mutation id); uploads
 * are content-addressed photos shared by whoever sent them; conflicts and filing_audit are read
 * by record or filing id, never scanned by area.
 *
 * The tables are copied into their new shape, with their data, and the old ones dropped.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const RECORD_COLUMNS = 'entity, id, village_code, data, rev, field_revs, seq, deleted, updated_at';
const CHANGE_COLUMNS = 'id, entity, entity_id, rev, op, fields, user_id, username, role, device_id, mutation_id, at';

const RECORDS = `(
  entity text not null, id text not null, village_code text not null, county_code text not null default '',
  data text not null, rev integer not null, field_revs text not null, seq bigint not null,
  deleted integer not null default 0, updated_at text not null`;
const CHANGES = `(
  id text not null, county_code text not null default '', entity text not null, entity_id text not null,
  rev integer not null, op text not null, fields text not null, user_id text not null, username text not null,
  role text not null, device_id text not null, mutation_id text, at text not null`;

/** A county code as a partition's name and value take it: six digits, nothing else. */
export const COUNTY = /^[0-9]{6}$/;

/** The statements that make the partitions of one county (PostgreSQL). */
export function countyPartitionSql(county: string): string[] {
  if (!COUNTY.test(county)) throw new Error(`not a county code: ${county}`);
  return [
    `create table if not exists records_c${county} partition of records for values in ('${county}')`,
    `create table if not exists record_changes_c${county} partition of record_changes for values in ('${county}')`,
  ];
}

export function countyMigration(backend: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<any>) {
      const run = (q: string) => sql.raw(q).execute(db);
      if (backend === 'postgres') {
        await run('alter table records rename to records_0009');
        await run('alter table records_0009 rename constraint records_pk to records_0009_pk');
        await run('alter index records_seq rename to records_0009_seq');
        await run('alter index records_village_seq rename to records_0009_village_seq');
        await run('alter table record_changes rename to record_changes_0009');
        await run('alter table record_changes_0009 rename constraint record_changes_pkey to record_changes_0009_pkey');
        await run('alter index record_changes_record rename to record_changes_0009_record');
        await run(`create table records ${RECORDS}) partition by list (county_code)`);
        await run(`create table record_changes ${CHANGES}) partition by list (county_code)`);
        await run('create table records_default partition of records default');
        await run('create table record_changes_default partition of record_changes default');
        const counties = await sql<{ c: string }>`select distinct substr(village_code, 1, 6) as c from records_0009`.execute(db);
        for (const { c } of counties.rows) if (COUNTY.test(c)) for (const q of countyPartitionSql(c)) await run(q);
      } else {
        // SQLite keeps an index's name when its table is renamed: the old ones go first.
        await run('drop index records_seq');
        await run('drop index records_village_seq');
        await run('drop index record_changes_record');
        await run('alter table records rename to records_0009');
        await run('alter table record_changes rename to record_changes_0009');
        await run(`create table records ${RECORDS}, constraint records_pk primary key (entity, id, county_code))`);
        await run(`create table record_changes ${CHANGES}, constraint record_changes_pk primary key (id, county_code))`);
      }
      await run(`insert into records (${RECORD_COLUMNS}, county_code) select ${RECORD_COLUMNS}, substr(village_code, 1, 6) from records_0009`);
      // The keys and indexes are made after the copy, which is faster than keeping them up row by row.
      if (backend === 'postgres') await run('alter table records add constraint records_pk primary key (entity, id, county_code)');
      const change = CHANGE_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ');
      await run(`insert into record_changes (${CHANGE_COLUMNS}, county_code) select ${change}, coalesce((select r.county_code from records r where r.entity = c.entity and r.id = c.entity_id limit 1), '') from record_changes_0009 c`);
      if (backend === 'postgres') await run('alter table record_changes add constraint record_changes_pk primary key (id, county_code)');
      await run('drop table records_0009');
      await run('drop table record_changes_0009');
      // Pull in sequence order (all of an area, or everything for the administrator); a village's or a
      // township's records by their code range; a record's history.
      await run('create unique index records_seq on records (seq, county_code)');
      await run('create index records_village_seq on records (village_code, seq)');
      await run('create index record_changes_record on record_changes (entity, entity_id, rev)');
      if (backend === 'sqlite') {
        // A writer that does not name the county (a tool of before 0010) has it filled in from the
        // village code. On PostgreSQL such a row stays in the DEFAULT partition with county ''.
        await run(`create trigger records_county after insert on records when new.county_code = '' begin update records set county_code = substr(new.village_code, 1, 6) where rowid = new.rowid; end`);
        await run(
          `create trigger record_changes_county after insert on record_changes when new.county_code = '' begin update record_changes set county_code = coalesce((select r.county_code from records r where r.entity = new.entity and r.id = new.entity_id limit 1), '') where rowid = new.rowid; end`,
        );
      }
      if (backend === 'postgres') for (const t of ['records', 'record_changes']) await run(`analyze ${t}`);
    },
  };
}
