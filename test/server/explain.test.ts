/**
 * On PostgreSQL, the plans of the reads that grow with a province — a tablet's pull and the lookups
 * of its push, the review queue and a filing's detail, the dashboard — for a principal whose area
 * is a village, a township or a county, in a database of three counties: each reads its own
 * county's partitions only (none of another county, not DEFAULT), and below a county each is
 * served by an index with a condition (no Seq Scan, no whole-index scan). The queries are the
 * ones the server runs, caught as they run, and planned with their parameters; sequential scans
 * are switched off for the planning so that the plan shows whether an index can serve the query
 * at all, whatever this small database's sizes would make cheapest.
 */
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { ulid } from '../../src/model/ulid.ts';
import type { Principal } from '../../src/server/auth.ts';
import { dashboardReport, figureList } from '../../src/server/dashboard.ts';
import type { Tables } from '../../src/server/db.ts';
import { filingDetail, listFilings } from '../../src/server/filings.ts';
import { historyFor, importCounty, pull, push } from '../../src/server/sync/index.ts';
import { freshDb, PG_PRESENT } from './backends.ts';
import { asCounty } from './province.ts';

const home = generateCounty({ seed: 11, members: 600 });
const counties = [home, asCounty(home, '610322', 1), asCounty(home, '130102', 2)];
const village = home.villages.find((v) => home.members.some((m) => m.villageId === v.id))!;
const member = home.members.find((m) => m.villageId === village.id)!;
const filingId = ulid();

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Plans?: PlanNode[];
}
/** The nodes that read a relation (an update's ModifyTable names the parent table it writes through). */
const scans = (n: PlanNode): PlanNode[] => [...(n['Relation Name'] && n['Node Type'] !== 'ModifyTable' ? [n] : []), ...(n.Plans ?? []).flatMap(scans)];

describe.runIf(PG_PRESENT)('plans on a province of counties (PostgreSQL)', () => {
  let sdb: Awaited<ReturnType<typeof freshDb>>;
  let client: pg.Client;
  let traced: Kysely<Tables>;
  let caught: CompiledQuery[] = [];
  beforeAll(async () => {
    sdb = await freshDb('postgres');
    for (const c of counties) await importCounty(sdb.db, c);
    // A filing of the village, so that the queue's and the detail's lookups run.
    const now = new Date().toISOString();
    const filing = { id: filingId, memberId: member.id, householdId: member.householdId, villageId: village.id, packId: 'none', type: 'x', status: 'submitted', stage: null, version: 1, versions: [], events: [], content: { fields: {}, documents: [], consent: null, villageConfirmation: null, estimate: null }, amount: null, createdAt: now, updatedAt: now };
    await sdb.db.insertInto('records').values({ entity: 'filing', id: filingId, village_code: village.code, county_code: village.code.slice(0, 6), data: JSON.stringify(filing), rev: 1, field_revs: '{}', seq: 1_000_000, deleted: 0, updated_at: now }).execute();
    traced = new Kysely<Tables>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: sdb.url, max: 2 }) }),
      log: (e) => {
        if (e.level === 'query') caught.push(e.query);
      },
    });
    client = new pg.Client({ connectionString: sdb.url });
    await client.connect();
    await client.query('analyze');
    await client.query('set enable_seqscan = off');
  });
  afterAll(async () => {
    await client?.end();
    await traced?.destroy();
    await sdb?.drop();
  });

  /** The plans of the queries on records and record_changes that `run` makes. */
  async function plansOf(run: (db: Kysely<Tables>) => Promise<unknown>): Promise<{ sql: string; plan: PlanNode }[]> {
    caught = [];
    await run(traced);
    const out = [];
    for (const q of caught) {
      if (!/"record(s|_changes)"/.test(q.sql)) continue;
      const r = await client.query(`explain (format json) ${q.sql}`, q.parameters as unknown[]);
      out.push({ sql: q.sql, plan: (r.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan });
      if (process.env.EXPLAIN_PRINT) console.log(q.sql, '\n', (await client.query(`explain ${q.sql}`, q.parameters as unknown[])).rows.map((x) => x['QUERY PLAN']).join('\n'));
    }
    expect(out.length).toBeGreaterThan(0);
    return out;
  }

  function expectScoped(plans: { sql: string; plan: PlanNode }[], county: string, indexed: boolean): void {
    for (const { sql, plan } of plans) {
      for (const s of scans(plan)) {
        const name = s['Relation Name']!;
        if (!/^record(s|_changes)/.test(name)) continue;
        expect(name, sql).toMatch(new RegExp(`^record(s|_changes)_c${county}$`));
        if (!indexed) continue;
        expect(s['Node Type'], `${sql}\n${JSON.stringify(plan)}`).not.toBe('Seq Scan');
        if (s['Node Type'] === 'Index Scan' || s['Node Type'] === 'Index Only Scan' || s['Node Type'] === 'Bitmap Heap Scan') {
          expect(s['Index Cond'] ?? s['Recheck Cond'], `${sql}\n${JSON.stringify(plan)}`).toBeTruthy();
        }
      }
    }
  }

  const areas = { village: village.code, township: village.code.slice(0, 9), county: village.code.slice(0, 6) };
  const as = (role: Principal['role'], area: string): Principal => ({ userId: 'u', username: 'u', displayName: 'u', role, deviceId: ulid(), areas: [area] });

  for (const [level, area] of Object.entries(areas)) {
    // Below a county, an index serves every read; a county's dashboard reads its whole partition.
    const indexed = level !== 'county';
    it(`pull of a ${level} reads its county's partition${indexed ? ' through an index' : ''}`, async () => {
      expectScoped(await plansOf((db) => pull(db, as('village-doctor', area), 0, 200)), areas.county, true);
    });

    it(`push lookups of a ${level}'s doctor stay in the county, by key`, async () => {
      const p = as('village-doctor', area);
      const m = { id: ulid(), entity: 'member' as const, entityId: member.id, op: 'update' as const, baseRev: 1, data: { phone: '13900000003' }, createdAt: new Date().toISOString() };
      expectScoped(await plansOf((db) => push(db, p, [m])), areas.county, true);
    });

    it(`a record's history for a ${level}'s reviewer stays in the county, by key`, async () => {
      const p = as('township-reviewer', area);
      expectScoped(
        await plansOf(async (db) => {
          expect((await historyFor(db, p, 'member', member.id))?.[0]?.op).toBe('import');
        }),
        areas.county,
        true,
      );
      // Another county's reviewer is told of no such record.
      expect(await historyFor(sdb.db, as('township-reviewer', '610322'), 'member', member.id)).toBeNull();
    });

    it(`review queue and a filing's detail of a ${level} stay in the county${indexed ? ', through an index' : ''}`, async () => {
      const p = as('county-reviewer', area);
      const queue = await plansOf(async (db) => {
        const list = await listFilings(db, p, {});
        expect(list.filings.map((f) => f.id)).toEqual([filingId]);
      });
      expectScoped(queue, areas.county, true);
      expectScoped(await plansOf((db) => filingDetail(db, p, filingId)), areas.county, true);
    });

    it(`dashboard of a ${level} stays in the county${indexed ? ', through an index' : ''}`, async () => {
      const p = as('county-reviewer', area);
      expectScoped(await plansOf((db) => dashboardReport(db, p, {})), areas.county, indexed);
      expectScoped(await plansOf((db) => figureList(db, p, { village: village.id, figure: 'members' })), areas.county, true);
    });
  }
});
