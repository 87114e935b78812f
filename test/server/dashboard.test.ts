/**
 * 村情 online for reviewers (GET /api/dashboard, /api/dashboard/list), on SQLite and PostgreSQL:
 * the county's figures are those of the same pure villageFigures over the records of the
 * reviewer's area, each reviewer sees only their area, a visit pushed by a tablet
 * change the counts, and a tap lists the names behind a number.
 */
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsOf, DashboardReportSchema, FigureListSchema, villageFigures, type DashboardInput } from '../../src/model/careplan/index.ts';
import type { Mutation } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { todayInChina } from '../../src/server/filings.ts';
import { BACKENDS } from './backends.ts';
import { visitOf } from './careplan-records.ts';
import { county, fixture, membersOf, mine, theirs, type Fixture } from './fixture.ts';

const now = () => new Date().toISOString();
const mutation = (entity: Mutation['entity'], entityId: string, data: object): Mutation => ({ id: ulid(), entity, entityId, op: 'create', baseRev: null, data: data as Record<string, unknown>, createdAt: now() });

for (const backend of BACKENDS) {
  describe(`村情 online on ${backend}`, () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await fixture(backend);
    });
    afterAll(async () => {
      await f.close();
    });

    const report = async (who: string, area = '') => {
      const r = await f.app.inject({ method: 'GET', url: `/api/dashboard${area ? `?area=${area}` : ''}`, headers: await f.signIn(who) });
      expect(r.statusCode, r.body).toBe(200);
      return v.parse(DashboardReportSchema, r.json());
    };

    it("gives the county reviewer every village's figures, those of the pure code over the county's records", async () => {
      const got = await report('county');
      const today = todayInChina();
      const expected = villageFigures({ today, members: county.members, households: county.households, statuses: county.statuses, enrolments: county.enrolments, followups: [], visits: [], contracts: [], filings: [] } as unknown as DashboardInput);
      expect(got.asOf).toBe(today);
      expect(got.villages.map((x) => x.villageId).sort()).toEqual(county.villages.map((x) => x.id).sort());
      for (const e of expected) expect(got.villages.find((x) => x.villageId === e.villageId)!.figures, e.villageId).toEqual(countsOf(e));
      const one = got.villages.find((x) => x.villageId === mine.id)!;
      expect(one).toMatchObject({ name: mine.name, code: mine.code, townshipName: mine.townshipName });
      expect(one.figures.members.count).toBe(membersOf(mine.id).filter((m) => m.state === 'active').length);
    });

    it('keeps a township reviewer to the township, narrows by area, and refuses tablets and bad codes by name', async () => {
      const got = await report('township');
      expect(got.villages.length).toBeGreaterThan(0);
      expect(got.villages.every((x) => x.code.startsWith(mine.code.slice(0, 9)))).toBe(true);
      expect(got.villages.some((x) => x.villageId === theirs.id)).toBe(false);
      // An area asked outside one's own gives nothing; one inside narrows.
      expect((await report('township', theirs.code)).villages).toEqual([]);
      expect((await report('county', mine.code)).villages.map((x) => x.villageId)).toEqual([mine.id]);
      const doctor = await f.app.inject({ method: 'GET', url: '/api/dashboard', headers: await f.signIn('doctor') });
      expect(doctor.statusCode).toBe(403);
      expect(doctor.json().error.message).toContain('乡镇和县级审核人员');
      const bad = await f.app.inject({ method: 'GET', url: '/api/dashboard?area=14x', headers: await f.signIn('county') });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'invalid', path: 'area' });
    });

    it('counts a visit a tablet pushed, and lists the names behind a number', async () => {
      const before = (await report('township')).villages.find((x) => x.villageId === mine.id)!;
      const [m1] = membersOf(mine.id).filter((m) => m.state === 'active');
      const visit = visitOf(m1!, ulid(), { date: todayInChina() });
      const results = await f.push(await f.signIn('doctor'), [mutation('visit', visit.id, visit)]);
      expect(results.map((r) => r.status), JSON.stringify(results)).toEqual(['applied']);
      const after = (await report('township')).villages.find((x) => x.villageId === mine.id)!;
      expect(after.figures.visitedThisQuarter.count).toBe(before.figures.visitedThisQuarter.count + 1);
      const township = await f.signIn('township');
      const list = await f.app.inject({ method: 'GET', url: `/api/dashboard/list?village=${mine.id}&figure=visitedThisQuarter`, headers: township });
      expect(list.statusCode, list.body).toBe(200);
      const head = county.households.find((h) => h.id === m1!.householdId)!.headMemberId;
      const headName = county.members.find((m) => m.id === head)?.name;
      expect(v.parse(FigureListSchema, list.json()).names).toContain(headName);
      const members = await f.app.inject({ method: 'GET', url: `/api/dashboard/list?village=${mine.id}&figure=members`, headers: township });
      expect(members.json().names).toHaveLength(after.figures.members.count);
      // Another township's village is not found; an unknown figure is named.
      const other = await f.app.inject({ method: 'GET', url: `/api/dashboard/list?village=${theirs.id}&figure=members`, headers: township });
      expect(other.statusCode).toBe(404);
      const unknown = await f.app.inject({ method: 'GET', url: `/api/dashboard/list?village=${mine.id}&figure=salary`, headers: township });
      expect(unknown.json().error).toMatchObject({ code: 'invalid', path: 'figure' });
    });
  });
}
