/**
 * The county server's exports (GET /api/export/*.xlsx, docs/import.md), on SQLite and PostgreSQL,
 * read back with read-excel-file: the roster exported and imported into an empty server through
 * POST /api/admin/import gives the same roster (and into the same server changes nothing); ID
 * numbers and phones are text with every digit; each file names the area, the date and the pack
 * with its version; the chronic enrolments and the filings list what the county holds; the 台账 of
 * a year holds, per person, what a doctor's tablet sent that year (insurance and subsidy checked at
 * a visit, certification, contract, follow-ups, visits, hospital stays by payer, a filing and its
 * outcome); a reviewer exports their area only; bad queries are refused naming the field.
 */
import type { Kysely } from 'kysely';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/model/records.ts';
import type { Household, Member, StatusRecord, Village } from '../../src/model/roster.ts';
import type { Mutation } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser } from '../../src/server/auth.ts';
import type { Tables } from '../../src/server/db.ts';
import { todayInChina } from '../../src/server/filings.ts';
import { BACKENDS, freshDb, MANY_LOGINS } from './backends.ts';
import { contractOf, followupOf, visitOf } from './careplan-records.ts';
import { county, dist, fixture, H, membersOf, mine, PASSWORD, photo, theirs, type Auth, type Fixture } from './fixture.ts';

type Cell = string | number | boolean | Date | null;
type Sheet = { sheet: string; data: Cell[][] };

const now = () => new Date().toISOString();
const create = (entity: Mutation['entity'], data: { id: string }): Partial<Mutation> => ({ id: ulid(), entity, entityId: data.id, op: 'create', baseRev: null, data: data as unknown as Record<string, unknown>, createdAt: now() });

/** The roster as comparable values: by codes, household numbers and ID numbers, no ids. */
async function rosterOf(db: Kysely<Tables>) {
  const rows = await db.selectFrom('records').select(['entity', 'data']).where('entity', 'in', ['village', 'household', 'member', 'status']).where('deleted', '=', 0).execute();
  const all = rows.map((r) => ({ entity: r.entity, d: JSON.parse(r.data) }));
  const vs = new Map(all.filter((r) => r.entity === 'village').map((r) => [r.d.id, r.d as Village]));
  const hs = new Map(all.filter((r) => r.entity === 'household').map((r) => [r.d.id, r.d as Household]));
  const ms = new Map(all.filter((r) => r.entity === 'member').map((r) => [r.d.id, r.d as Member]));
  const latest = new Map<string, StatusRecord>();
  for (const r of all.filter((x) => x.entity === 'status')) {
    const s = r.d as StatusRecord;
    const l = latest.get(s.memberId);
    if (!l || s.from > l.from || (s.from === l.from && s.createdAt > l.createdAt)) latest.set(s.memberId, s);
  }
  return {
    villages: [...vs.values()].map((v) => [v.code, v.name, v.townshipCode.slice(0, 9), v.townshipName, v.countyCode, v.countyName, v.packId].join('|')).sort(),
    households: [...hs.values()].map((h) => [vs.get(h.villageId)!.code, h.number, h.address, h.headMemberId ? ms.get(h.headMemberId)!.idNumber : ''].join('|')).sort(),
    members: [...ms.values()]
      .map((m) => {
        const s = latest.get(m.id);
        return [m.idNumber, m.name, m.pinyin, m.sex, m.birthDate, m.relation, m.phone ?? '', vs.get(m.villageId)!.code, hs.get(m.householdId)!.number, s ? [s.poverty, s.assistance, s.poorClass, s.from].join('/') : ''].join('|');
      })
      .sort(),
  };
}

/** The rows below the heading row (the first row naming `first`), as objects by heading. */
function table(s: Sheet, first: string): { head: string[]; rows: Record<string, Cell>[]; top: string[] } {
  const at = s.data.findIndex((r) => r[0] === first);
  expect(at, `heading row of ${s.sheet}`).toBeGreaterThan(0);
  const head = s.data[at]!.map((c) => String(c ?? ''));
  return { top: s.data.slice(0, at).map((r) => String(r[0] ?? '')), head, rows: s.data.slice(at + 1).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? null]))) };
}

const YEAR = Number(todayInChina().slice(0, 4));
const D = (md: string) => `${YEAR}-${md}`;

for (const backend of BACKENDS) {
  describe(`exports on ${backend}`, () => {
    let f: Fixture;
    let doctor: Auth;
    let countyAuth: Auth;
    let township: Auth;
    const people = membersOf(mine.id).filter((m) => m.state === 'active');
    // A member with a phone and the most telling ID number (one ending in X when the county has one).
    const a = people.find((m) => m.phone && m.idNumber.endsWith('X')) ?? people.find((m) => m.phone) ?? people[0]!;
    let filingId = '';

    beforeAll(async () => {
      f = await fixture(backend);
      doctor = await f.signIn('doctor');
      countyAuth = await f.signIn('county');
      township = await f.signIn('township');
      const t = now();
      const claim = (over: Partial<LedgerEntry>): LedgerEntry => ({
        id: ulid(), memberId: a.id, date: D('03-05'), packId: county.county.packId, kind: 'inpatient', facilityClass: 'county', facilityName: '交口县人民医院', disease: 'I63',
        total: 1_234_567, outOfCatalog: 20_000, paid: { basic: 700_000, critical: 100_000, backstop: 50_000, assistance: 30_001 }, createdAt: t, updatedAt: t, ...over,
      });
      const photos = [photo(), photo(), photo()] as const;
      for (const p of photos) await f.upload(doctor, p);
      const filing = f.filing(a, [...photos]);
      filingId = filing.entityId!;
      const results = await f.push(doctor, [
        create('ledger', claim({})),
        create('ledger', claim({ date: D('05-06'), kind: 'outpatient-chronic', facilityClass: 'township', facilityName: '石泉镇卫生院', total: 45_000, outOfCatalog: 0, paid: { basic: 30_000 } })),
        create('ledger', claim({ date: `${YEAR - 1}-11-30`, total: 500_000, outOfCatalog: 0, paid: { basic: 400_000 } })),
        create('followup', followupOf(a, ulid(), { date: D('03-01'), nextDue: D('06-01') })),
        create('followup', followupOf(a, ulid(), { date: D('06-01'), nextDue: D('09-01') })),
        create('followup', followupOf(a, ulid(), { date: `${YEAR - 1}-12-01`, nextDue: D('03-01') })),
        create('visit', visitOf(a, ulid(), { date: D('04-02'), checklist: [{ memberId: a.id, items: { insured: { answer: 'yes' }, subsidy: { answer: 'yes' } } }] })),
        create('contract', contractOf(a, ulid(), { signedOn: D('01-10'), validUntil: `${YEAR + 1}-01-09` })),
        filing,
      ]);
      expect(results.map((r) => r.status), JSON.stringify(results)).toEqual(Array(9).fill('applied'));
      const returned = await f.app.inject({ method: 'POST', url: `/api/review/filings/${filingId}/actions`, headers: countyAuth, payload: { action: 'return', rev: 1, reason: '缺少二级以上医院诊断证明' } });
      expect(returned.statusCode, returned.body).toBe(200);
    });
    afterAll(async () => f?.close());

    const get = async (auth: Auth, url: string) => {
      const r = await f.app.inject({ method: 'GET', url, headers: auth });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
      expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(r.headers['cache-control']).toBe('no-store');
      const name = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(String(r.headers['content-disposition']))![1]!);
      return { name, sheets: (await readXlsxFile(r.rawPayload)) as Sheet[], bytes: r.rawPayload };
    };

    it('exports the roster with every digit, and importing it into an empty server gives the same roster', async () => {
      const x = await get(countyAuth, '/api/export/roster.xlsx');
      expect(x.name).toBe(`花名册-${county.county.name}-${todayInChina()}.xlsx`);
      const t = table(x.sheets[0]!, '县代码');
      expect(t.top[0]).toBe(`${county.county.name} 花名册`);
      expect(t.top[1]).toContain(county.county.code);
      expect(t.top[2]).toMatch(new RegExp(`导出日期：${todayInChina()}.*CN-140000-2017.*版本 2017\\.1`));
      expect(t.rows.length).toBe(county.members.length);
      expect(t.rows.every((r) => typeof r['证件号码'] === 'string' && /^[0-9]{17}[0-9X]$/.test(r['证件号码'] as string))).toBe(true);
      expect(new Set(t.rows.map((r) => r['证件号码']))).toEqual(new Set(county.members.map((m) => m.idNumber)));
      // Check digits X included (one ID number in eleven has one).
      expect(t.rows.some((r) => String(r['证件号码']).endsWith('X'))).toBe(true);
      const phones = new Map(county.members.map((m) => [m.idNumber, m.phone]));
      expect(t.rows.every((r) => (r['联系电话'] ?? null) === (phones.get(r['证件号码'] as string) || null))).toBe(true);
      expect(t.rows.filter((r) => r['联系电话'] !== null).every((r) => typeof r['联系电话'] === 'string')).toBe(true);

      // Into the same server: nothing changes.
      const again = await f.app.inject({ method: 'POST', url: '/api/admin/import', headers: { ...countyAuth, 'content-type': 'application/octet-stream', 'x-cunyi-filename': encodeURIComponent(x.name) }, payload: x.bytes });
      expect(again.statusCode, again.body.slice(0, 500)).toBe(200);
      expect(again.json()).toMatchObject({ ok: true, changes: 0, problems: [] });

      // Into an empty server, as its administrator: the same roster.
      const empty = await freshDb(backend);
      const app = await buildApp({ db: empty, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS, maintenance: false });
      try {
        await createUser(empty.db, { username: 'admin', displayName: '管理员', role: 'admin', password: PASSWORD, areas: [] });
        const login = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username: 'admin', password: PASSWORD, deviceId: ulid() } });
        const r = await app.inject({ method: 'POST', url: '/api/admin/import', headers: { ...H, authorization: `Bearer ${login.json().token}`, 'content-type': 'application/octet-stream', 'x-cunyi-filename': encodeURIComponent(x.name) }, payload: x.bytes });
        expect(r.statusCode, r.body.slice(0, 500)).toBe(200);
        expect(r.json()).toMatchObject({ ok: true, problems: [], counts: { village: { created: county.villages.length } } });
        expect(await rosterOf(empty.db)).toEqual(await rosterOf(f.sdb.db));
      } finally {
        await app.close();
        await empty.drop();
      }
    });

    it('exports the chronic enrolments of a township reviewer’s area, naming it', async () => {
      const x = await get(township, '/api/export/enrolments.xlsx');
      const t = table(x.sheets[0]!, '乡镇');
      expect(t.top[0]).toBe(`${county.county.name}${mine.townshipName} 慢性病认定名单`);
      expect(t.top[1]).toContain(mine.code.slice(0, 9));
      expect(t.top[2]).toMatch(/导出日期：.*CN-140000-2017（.*版本 2017\.1）/);
      expect(x.name).toBe(`慢性病认定-${county.county.name}${mine.townshipName}-${todayInChina()}.xlsx`);
      const inTownship = new Set(county.villages.filter((v) => v.townshipCode.startsWith(mine.code.slice(0, 9))).map((v) => v.id));
      const expected = county.enrolments.filter((e) => inTownship.has(e.villageId));
      expect(expected.length).toBeGreaterThan(0);
      expect(t.rows.length).toBe(expected.length);
      const ids = new Map(county.members.map((m) => [m.id, m.idNumber]));
      expect(t.rows.map((r) => `${r['证件号码']}|${r['诊断编码']}|${r['认定日期']}`).sort()).toEqual(expected.map((e) => `${ids.get(e.memberId)}|${e.icd}|${e.certifiedOn}`).sort());
      expect(t.rows.every((r) => typeof r['病种'] === 'string' && !/^[a-z-]+$/.test(r['病种'] as string))).toBe(true);
      expect(t.rows.every((r) => typeof r['年度限额（元）'] === 'number')).toBe(true);
    });

    it('exports the 台账 of a year: per person what the tablet sent that year, and the claims', async () => {
      const x = await get(countyAuth, `/api/export/ledger.xlsx?year=${YEAR}&area=${mine.code}`);
      expect(x.name).toBe(`台账-${YEAR}年-${mine.townshipName}${mine.name}-${todayInChina()}.xlsx`);
      expect(x.sheets.map((s) => s.sheet)).toEqual([`${YEAR}年台账`, '医疗费用明细']);
      const t = table(x.sheets[0]!, '乡镇');
      expect(t.top[0]).toBe(`${mine.townshipName}${mine.name} ${YEAR} 年度台账`);
      expect(t.top[1]).toContain(mine.code);
      expect(t.top[2]).toMatch(/政策包：CN-140000-2017（.*版本 2017\.1）/);
      expect(t.rows.length).toBe(membersOf(mine.id).filter((m) => m.state === 'active' || (m.stateDate ?? '') >= `${YEAR}-01-01`).length);
      const row = t.rows.find((r) => r['证件号码'] === a.idNumber)!;
      expect(row).toMatchObject({
        姓名: a.name,
        联系电话: a.phone,
        当年参保: '是',
        '参保资助（走访核实）': '是',
        家庭医生签约: '是',
        两病随访次数: 2,
        最近随访: D('06-01'),
        入户走访次数: 1,
        最近走访: D('04-02'),
        住院次数: 1,
        '住院总费用（元）': 12_345.67,
        '基本医保（元）': 7_000,
        '大病保险（元）': 1_000,
        '医保基金兜底（元）': 500,
        '医疗救助（元）': 300.01,
        '住院个人自付（元）': 3_545.66,
        门诊慢病次数: 1,
        '门诊慢病总费用（元）': 450,
        '门诊慢病个人自付（元）': 150,
        代办件数: 1,
        代办结果: '被退回 1',
      });
      expect(row['签约情况']).toContain(`王医生（一团队） ${D('01-10')} 至 ${YEAR + 1}-01-09`);
      const enrolled = county.enrolments.filter((e) => e.memberId === a.id && !e.endedOn);
      if (enrolled.length) expect(row['慢病认定']).toContain(enrolled[0]!.icd);
      else expect(row['慢病认定']).toBe('无');
      // The household's visit counts for everyone in it; elsewhere nothing was recorded this year.
      const household = new Set(membersOf(mine.id).filter((m) => m.householdId === a.householdId && m.id !== a.id).map((m) => m.idNumber));
      for (const r of t.rows.filter((r) => household.has(r['证件号码'] as string))) expect(r).toMatchObject({ 入户走访次数: 1, 两病随访次数: 0, 住院次数: 0, '参保资助（走访核实）': '未核实' });
      const wider = table((await get(township, `/api/export/ledger.xlsx?year=${YEAR}`)).sheets[0]!, '乡镇');
      expect(wider.rows.length).toBeGreaterThan(t.rows.length);
      const other = wider.rows.find((r) => r['证件号码'] !== a.idNumber && !household.has(r['证件号码'] as string))!;
      expect(other).toMatchObject({ 两病随访次数: 0, 入户走访次数: 0, 住院次数: 0, 代办件数: 0, '参保资助（走访核实）': '未核实' });
      const claims = table(x.sheets[1]!, '乡镇').rows;
      expect(claims.map((c) => [c['证件号码'], c['日期'], c['类别'], c['医院级别'], c['个人自付（元）']])).toEqual([
        [a.idNumber, D('03-05'), '住院', '县级医院', 3_545.66],
        [a.idNumber, D('05-06'), '门诊慢病', '乡镇卫生院', 150],
      ]);
      // The year before holds the earlier stay only.
      const before = await get(countyAuth, `/api/export/ledger.xlsx?year=${YEAR - 1}&area=${mine.code}`);
      const rowBefore = table(before.sheets[0]!, '乡镇').rows.find((r) => r['证件号码'] === a.idNumber)!;
      expect(rowBefore).toMatchObject({ 住院次数: 1, '住院总费用（元）': 5_000, 两病随访次数: 1, 入户走访次数: 0, 代办件数: 0 });
      expect(table(before.sheets[0]!, '乡镇').top[2]).toContain(`身份为 ${YEAR - 1}-12-31 的`);
    });

    it('exports the filings with their outcome and the reason', async () => {
      const x = await get(township, '/api/export/filings.xlsx');
      const t = table(x.sheets[0]!, '乡镇');
      expect(t.top[0]).toBe(`${county.county.name}${mine.townshipName} 代报代办`);
      const row = t.rows.find((r) => r['证件号码'] === a.idNumber)!;
      expect(row).toMatchObject({ 姓名: a.name, 申请事项: '慢特病/两病认定', 版本: 1, 状态: '被退回', 退回或未通过的原因: '缺少二级以上医院诊断证明', 经办人: 'doctor-名' });
      expect(row['最近办理']).toMatch(/退回$/);
      expect(t.rows.length).toBe(1);
      const y = await get(township, `/api/export/filings.xlsx?year=${YEAR - 1}`);
      expect(table(y.sheets[0]!, '乡镇').rows).toEqual([]);
    });

    it('keeps each user to their area and refuses bad queries naming the field', async () => {
      const x = await get(doctor, '/api/export/roster.xlsx');
      const codes = new Set(table(x.sheets[0]!, '县代码').rows.map((r) => r['行政村代码']));
      expect([...codes]).toEqual([mine.code]);
      expect(x.name).toBe(`花名册-${mine.townshipName}${mine.name}-${todayInChina()}.xlsx`);
      for (const url of ['/api/export/roster.xlsx', '/api/export/enrolments.xlsx', `/api/export/ledger.xlsx?year=${YEAR}`, '/api/export/filings.xlsx']) {
        const far = await f.app.inject({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}area=${theirs.code}`, headers: doctor });
        expect(far.statusCode, url).toBe(403);
        const bad = await f.app.inject({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}area=14x`, headers: doctor });
        expect(bad.statusCode, url).toBe(400);
        expect(bad.json().error).toMatchObject({ code: 'invalid', path: 'area' });
        expect(bad.json().error.message).toMatch(/^area 区域：.*\(area: /);
      }
      for (const q of ['', '?year=26', `?year=${YEAR + 2}`, '?year=abcd']) {
        const r = await f.app.inject({ method: 'GET', url: `/api/export/ledger.xlsx${q}`, headers: countyAuth });
        expect(r.statusCode, q).toBe(400);
        expect(r.json().error).toMatchObject({ code: 'invalid', path: 'year' });
        expect(r.json().error.message, q).toMatch(/^year 年度：.*\(year: /);
      }
      expect((await f.app.inject({ method: 'GET', url: '/api/export/filings.xlsx?year=1999', headers: countyAuth })).statusCode).toBe(400);
      expect((await f.app.inject({ method: 'GET', url: '/api/export/enrolments.xlsx' })).statusCode).toBe(401);
    });
  });
}
