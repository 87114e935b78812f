/**
 * The roster import from Excel and CSV (src/server/import/, docs/import.md), on SQLite and
 * PostgreSQL: .xlsx fixtures built with write-excel-file and CSVs in GBK and UTF-8 built here; an
 * import, the same file again (0 changes), an edited file (only its changes, listed, as new
 * revisions the tablets pull), every kind of bad input refused by row and column with nothing
 * written, the routes and their roles, and export → import giving the same roster with every digit
 * of the ID numbers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import writeXlsxFile, { type Cell } from 'write-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { makeIdNumber } from '../../src/model/idcard.ts';
import type { Household, Member, StatusRecord, Village } from '../../src/model/roster.ts';
import type { Role } from '../../src/model/sync.ts';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp } from '../../src/server/app.ts';
import { createUser, type Principal } from '../../src/server/auth.ts';
import type { Kysely } from 'kysely';
import type { Tables } from '../../src/server/db.ts';
import { rosterXlsx } from '../../src/server/import/export.ts';
import { importRoster, listImports, type ImportReport } from '../../src/server/import/index.ts';
import { importCounty, pull } from '../../src/server/sync/index.ts';
import { ROOT } from '../helpers.ts';
import { BACKENDS, freshDb, MANY_LOGINS } from './backends.ts';
import { dist, H } from './fixture.ts';

const demo = generateCounty({ seed: 21, members: 300 });
const villages = [...demo.villages].sort((a, b) => a.code.localeCompare(b.code));
const east = villages[0]!;
const west = villages.find((v) => v.townshipCode === east.townshipCode && v.id !== east.id)!;
const far = villages.find((v) => v.townshipCode.slice(0, 9) !== east.townshipCode.slice(0, 9))!;
const township = east.code.slice(0, 9);

const admin: Principal = { userId: 'u-admin', username: 'admin', displayName: '管理员', role: 'admin', deviceId: 'server', areas: [] };
const countyUser: Principal = { userId: 'u-county', username: 'county', displayName: '县医保局', role: 'county-reviewer', deviceId: 'server', areas: [demo.county.code] };
const townshipOnly: Principal = { ...countyUser, userId: 'u-town', username: 'town', areas: [township] };
/** The importing date (the tests pin it). */
const NOW = '2026-03-01T08:00:00.000Z';

const ID = {
  zhang: makeIdNumber('141130', '1960-05-01', 11),
  li: makeIdNumber('141130', '1962-03-04', 12),
  son: makeIdNumber('141130', '1988-07-09', 13),
  wang: makeIdNumber('141130', '1955-11-30', 15),
  zhao: makeIdNumber('141130', '1970-01-01', 18),
  liu: makeIdNumber('141130', '1999-09-09', 20),
  /** Never imported (the bad input). */
  fresh: makeIdNumber('141130', '2001-02-02', 22),
};

type Row = Record<string, string | number>;
const HEAD = ['乡镇', '行政村代码', '行政村', '户编号', '住址', '姓名', '性别', '身份证号', '与户主关系', '联系电话', '贫困户属性', '脱贫年度', '是否低保', '是否特困'];

/** The roster of the tests: two households in east (one lifted out), one in west. */
const BASE: Row[] = [
  { 乡镇: east.townshipName, 行政村代码: east.code, 行政村: east.name, 户编号: 'T0001', 住址: `${east.name}1组1号`, 姓名: '张建国', 性别: '男', 身份证号: ID.zhang, 与户主关系: '户主', 联系电话: '13912345678', 贫困户属性: '一般贫困户', 是否低保: '否', 是否特困: '否' },
  { 乡镇: east.townshipName, 行政村代码: east.code, 行政村: east.name, 户编号: 'T0001', 姓名: '李秀英', 性别: '女', 身份证号: ID.li, 与户主关系: '配偶', 贫困户属性: '低保贫困户' },
  { 乡镇: east.townshipName, 行政村代码: east.code, 行政村: east.name, 户编号: 'T0001', 姓名: '张伟', 性别: '男', 身份证号: ID.son, 与户主关系: '长子', 贫困户属性: '一般贫困户' },
  { 乡镇: east.townshipName, 行政村代码: east.code, 行政村: east.name, 户编号: 'T0002', 住址: `${east.name}2组5号`, 姓名: '王德明', 身份证号: ID.wang, 与户主关系: '户主', 贫困户属性: '脱贫户', 脱贫年度: '2019', 是否特困: '是' },
  { 乡镇: east.townshipName, 行政村: west.name, 户编号: 'T0101', 姓名: '赵丽', 性别: '女', 身份证号: ID.zhao, 与户主关系: '户主', 联系电话: '0358-1234567', 贫困户属性: '监测对象' },
];

const text = (v: string): Cell => ({ value: v, type: String, format: '@' });

/** An .xlsx with a title row above the headings, string cells as text. */
async function xlsx(rows: Row[], head = HEAD, opts: { title?: boolean; numbers?: string[] } = {}): Promise<Buffer> {
  const data: Cell[][] = [];
  if (opts.title !== false) data.push([{ value: '交口县建档立卡贫困人口花名册', type: String }]);
  data.push(head.map((h) => ({ value: h, type: String })));
  for (const r of rows) data.push(head.map((h) => (r[h] === undefined ? null : typeof r[h] === 'number' || opts.numbers?.includes(h) ? { value: Number(r[h]), type: Number } : text(String(r[h])))));
  return writeXlsxFile(data as never).toBuffer();
}

function csvText(rows: Row[], head = HEAD): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [head.join(','), ...rows.map((r) => head.map((h) => q(String(r[h] ?? ''))).join(','))].join('\r\n') + '\r\n';
}

/**
 * GBK bytes of a text, as Chinese Excel saves "CSV (逗号分隔)": ASCII as it is, every other
 * character by a table of the two-byte codes (made by decoding each code once; four of them are
 * checked below against the published GBK codes, so the table is not just the decoder read back).
 */
const GBK = (() => {
  const table = new Map<string, [number, number]>();
  const d = new TextDecoder('gb18030');
  for (let a = 0x81; a <= 0xfe; a++) for (let b = 0x40; b <= 0xfe; b++) if (b !== 0x7f) table.set(d.decode(new Uint8Array([a, b])), [a, b]);
  return table;
})();
function gbk(s: string): Uint8Array {
  const out: number[] = [];
  for (const c of s) {
    if (c.charCodeAt(0) < 0x80) out.push(c.charCodeAt(0));
    else {
      const b = GBK.get(c);
      if (!b) throw new Error(`no GBK code for ${c}`);
      out.push(...b);
    }
  }
  return new Uint8Array(out);
}

async function state(db: Kysely<Tables>) {
  const records = await db.selectFrom('records').select(['entity', 'id', 'rev', 'seq', 'data', 'field_revs', 'deleted']).execute();
  const counter = await db.selectFrom('counters').select('value').where('name', '=', 'seq').executeTakeFirstOrThrow();
  const changes = await db.selectFrom('record_changes').select(['entity', 'entity_id', 'op', 'rev', 'fields', 'username']).execute();
  return { records, seq: Number(counter.value), changes };
}

function member(s: Awaited<ReturnType<typeof state>>, idNumber: string) {
  const r = s.records.find((x) => x.entity === 'member' && (JSON.parse(x.data) as Member).idNumber === idNumber);
  return r ? { ...r, m: JSON.parse(r.data) as Member } : undefined;
}

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

const problemsOf = (r: ImportReport) => r.problems.map((p) => [p.row, p.column, p.message]);

for (const backend of BACKENDS) {
  describe(`roster import from Excel on ${backend}`, () => {
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    let db: Kysely<Tables>;
    const run = (by: Principal, bytes: Uint8Array, opts: Partial<Parameters<typeof importRoster>[3]> = {}) => importRoster(db, by, bytes, { fileName: 'roster.xlsx', dryRun: false, now: NOW, ...opts });

    beforeAll(async () => {
      sdb = await freshDb(backend);
      db = sdb.db;
      // The county's villages, households and members as the tablets have them.
      await importCounty(db, demo);
    });
    afterAll(async () => sdb?.drop());

    it('a dry run reports what an import would do, and writes nothing', async () => {
      const before = await state(db);
      const r = await run(countyUser, await xlsx(BASE), { dryRun: true });
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ ok: true, dryRun: true, applied: false, headingRow: 2, rows: 5, file: { format: 'xlsx', encoding: null } });
      expect(r.columns.find((c) => c.heading === '身份证号')).toMatchObject({ column: 'H', field: 'idNumber', label: '证件号码' });
      expect(r.counts).toMatchObject({ household: { created: 3 }, member: { created: 5 }, status: { created: 5 } });
      expect(r.changes).toBe(13);
      expect(r.summary).toContain('预演');
      const after = await state(db);
      expect(after.seq).toBe(before.seq);
      expect(after.records.length).toBe(before.records.length);
    });

    let afterFirst: Awaited<ReturnType<typeof state>>;
    it('imports: households by village and number, members by ID number, the statuses, as records the tablets pull', async () => {
      const before = await state(db);
      const r = await run(countyUser, await xlsx(BASE));
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ ok: true, applied: true, changes: 13 });
      afterFirst = await state(db);
      expect(afterFirst.seq).toBe(before.seq + 13);
      const zhang = member(afterFirst, ID.zhang)!;
      expect(zhang.m).toMatchObject({ name: '张建国', pinyin: 'zhangjianguo', initials: 'zjg', sex: 'M', birthDate: '1960-05-01', relation: 'head', phone: '13912345678', villageId: east.id });
      expect(member(afterFirst, ID.son)!.m.relation).toBe('son');
      expect(member(afterFirst, ID.zhao)!.m).toMatchObject({ villageId: west.id, phone: '03581234567' });
      const hh = afterFirst.records.filter((x) => x.entity === 'household').map((x) => JSON.parse(x.data) as Household).find((h) => h.number === 'T0001' && h.villageId === east.id)!;
      expect(hh.headMemberId).toBe(zhang.m.id);
      const statuses = afterFirst.records.filter((x) => x.entity === 'status').map((x) => JSON.parse(x.data) as StatusRecord);
      const of = (id: string) => statuses.filter((s) => s.memberId === member(afterFirst, id)!.m.id);
      expect(of(ID.zhang)).toMatchObject([{ poverty: 'poor', assistance: null, from: '2026-03-01' }]);
      expect(of(ID.li)).toMatchObject([{ poverty: 'poor', assistance: 'dibao' }]);
      expect(of(ID.wang)).toMatchObject([{ poverty: 'lifted', assistance: 'tekun', from: '2019-01-01' }]);
      expect(of(ID.zhao)).toMatchObject([{ poverty: 'monitored' }]);
      // Who did it, in each record's history; a doctor of east pulls the new records.
      expect(afterFirst.changes.filter((c) => c.username === 'county' && c.op === 'import')).toHaveLength(13);
      const doctor: Principal = { userId: 'd', username: 'doctor', displayName: 'd', role: 'village-doctor', deviceId: ulid(), areas: [east.code] };
      const pulled = await pull(db, doctor, before.seq, 1_000);
      expect(pulled.records.map((p) => p.entity).sort()).toEqual(['household', 'household', 'member', 'member', 'member', 'member', 'status', 'status', 'status', 'status']);
    });

    it('the same file again changes nothing and says 0 changes', async () => {
      const r = await run(countyUser, await xlsx(BASE));
      expect(r).toMatchObject({ ok: true, applied: true, changes: 0, changeList: [], counts: { member: { created: 0, updated: 0, unchanged: 5 } } });
      expect(r.summary).toContain('0 处改动');
      const now = await state(db);
      expect(now.seq).toBe(afterFirst.seq);
      expect(now.records.length).toBe(afterFirst.records.length);
    });

    it('an edited file changes only what changed, as new revisions, and lists each change; absence removes nothing', async () => {
      const edited = BASE.filter((r) => r.身份证号 !== ID.son).map((r) => ({ ...r }));
      edited[0]!.联系电话 = '13800001111';
      edited[1]!.姓名 = '李秀兰';
      edited[2]!.是否特困 = '否';
      edited.push({ 乡镇: east.townshipName, 行政村代码: east.code, 户编号: 'T0002', 姓名: '刘洋', 身份证号: ID.liu, 与户主关系: '孙子' });
      // An empty cell erases nothing: 张建国's address stays.
      delete edited[0]!.住址;
      const before = await state(db);
      const dry = await run(countyUser, await xlsx(edited), { dryRun: true });
      expect(dry.problems).toEqual([]);
      const r = await run(countyUser, await xlsx(edited));
      expect(r.changeList).toEqual(dry.changeList.map((c) => ({ ...c, id: expect.any(String) })));
      expect(r.counts).toMatchObject({ household: { created: 0, updated: 0 }, member: { created: 1, updated: 2, unchanged: 2 }, status: { created: 1, updated: 0 } });
      expect(r.changes).toBe(4);
      const list = r.changeList.map((c) => [c.row, c.entity, c.op, c.label, c.fields.map((f) => [f.label, f.from, f.to])]);
      expect(list).toEqual([
        [3, 'member', 'update', '张建国', [['联系电话', '13912345678', '13800001111']]],
        [4, 'member', 'update', '李秀兰', [['姓名', '李秀英', '李秀兰']]],
        [5, 'status', 'create', '王德明', [['低保/特困', '特困', '无']]],
        [7, 'member', 'create', '刘洋', []],
      ]);
      const after = await state(db);
      expect(after.seq).toBe(before.seq + 4);
      const zhang = member(after, ID.zhang)!;
      expect(zhang.rev).toBe(2);
      expect(JSON.parse(zhang.field_revs)).toMatchObject({ phone: 2, name: 1 });
      const li = member(after, ID.li)!;
      expect(li.m).toMatchObject({ name: '李秀兰', pinyin: 'lixiulan', initials: 'lxl' });
      expect(JSON.parse(li.field_revs)).toMatchObject({ name: 2, pinyin: 2, initials: 2, phone: 1 });
      expect(after.changes.filter((c) => c.entity_id === li.id).map((c) => [c.op, c.rev, JSON.parse(c.fields)])).toEqual([
        ['import', 1, expect.any(Array)],
        ['update', 2, ['name', 'pinyin', 'initials']],
      ]);
      // The son is not in the file and stays; the household keeps its address.
      expect(member(after, ID.son)!.deleted).toBe(0);
      const hh = after.records.map((x) => JSON.parse(x.data) as Household).find((h) => h.number === 'T0001' && h.villageId === east.id)!;
      expect(hh.address).toBe(`${east.name}1组1号`);
      // A tablet that had pulled everything pulls exactly the changed records.
      const doctor: Principal = { userId: 'd', username: 'doctor', displayName: 'd', role: 'village-doctor', deviceId: ulid(), areas: [east.code] };
      const pulled = await pull(db, doctor, before.seq, 1_000);
      expect(pulled.records.map((p) => [p.entity, p.rev]).sort()).toEqual([['member', 1], ['member', 2], ['member', 2], ['status', 1]]);
      // And the edited file once more: nothing.
      expect((await run(countyUser, await xlsx(edited))).changes).toBe(0);
    });

    it('a tablet edit of another field made on the older revision still applies; the import is a revision like any other', async () => {
      const { push } = await import('../../src/server/sync/index.ts');
      const s = await state(db);
      const zhang = member(s, ID.zhang)!;
      const doctor: Principal = { userId: 'd', username: 'doctor', displayName: 'd', role: 'village-doctor', deviceId: ulid(), areas: [east.code] };
      const [res] = await push(db, doctor, [{ id: ulid(), entity: 'member', entityId: zhang.id, op: 'update', baseRev: 1, data: { relation: 'head', name: '张建国' }, createdAt: NOW }]);
      expect(res).toMatchObject({ status: 'applied' });
      const [conflict] = await push(db, doctor, [{ id: ulid(), entity: 'member', entityId: zhang.id, op: 'update', baseRev: 1, data: { phone: '13700000000' }, createdAt: NOW }]);
      expect(conflict).toMatchObject({ status: 'conflict', conflicts: [{ field: 'phone', server: '13800001111', client: '13700000000' }] });
    });

    it('reads GBK (GB18030) CSV as Chinese Excel saves it, and UTF-8 with and without a byte order mark', async () => {
      expect([...gbk('张三中文')]).toEqual([0xd5, 0xc5, 0xc8, 0xfd, 0xd6, 0xd0, 0xce, 0xc4]);
      const before = await state(db);
      const text = csvText(BASE);
      for (const [bytes, encoding] of [
        [gbk(text), 'gb18030'],
        [new TextEncoder().encode(text), 'utf-8'],
        [new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]), 'utf-8-bom'],
      ] as const) {
        const r = await run(countyUser, bytes, { fileName: 'roster.csv' });
        expect(r.problems, encoding).toEqual([]);
        expect(r.file, encoding).toMatchObject({ format: 'csv', encoding });
        expect(r.headingRow).toBe(1);
        // 李秀兰 was renamed by the edited import: the CSV's 李秀英 changes her back, the rest is as it is.
        expect(r.changeList.map((c) => [c.label, c.fields.map((f) => f.field)]), encoding).toEqual(encoding === 'gb18030' ? [['张建国', ['phone']], ['李秀英', ['name']], ['王德明', ['assistance']]] : []);
      }
      expect((await state(db)).seq).toBe(before.seq + 3);
    });

    it('takes another layout by an explicit mapping, by heading or column letter', async () => {
      const head = ['村', '家庭编号', '成员', '公民身份号码', '关系', '备注'];
      const rows = [{ 村: east.name, 家庭编号: 'T0001', 成员: '张建国', 公民身份号码: ID.zhang, 关系: '户主', 备注: 'x' }];
      const without = await run(countyUser, await xlsx(rows, head), { dryRun: true });
      expect(problemsOf(without)).toEqual([[2, null, expect.stringContaining('缺少“姓名”列')]]);
      const r = await run(countyUser, await xlsx(rows, head), { dryRun: true, mapping: { 成员: '姓名', F: '' } });
      expect(r.problems).toEqual([]);
      expect(r.columns.map((c) => [c.column, c.field])).toEqual([['A', 'village'], ['B', 'householdNumber'], ['C', 'name'], ['D', 'idNumber'], ['E', 'relation'], ['F', null]]);
      // 张建国 is on the server as the file says.
      expect(r).toMatchObject({ changes: 0, counts: { member: { unchanged: 1 } } });
    });

    describe('bad input: refused by row, column and reason, nothing written', () => {
      let before: Awaited<ReturnType<typeof state>>;
      beforeAll(async () => {
        before = await state(db);
      });
      const refused = async (by: Principal, bytes: Uint8Array, opts: Partial<Parameters<typeof importRoster>[3]> = {}) => {
        const r = await run(by, bytes, opts);
        expect(r.ok).toBe(false);
        expect(r.applied).toBe(false);
        expect(r.changes).toBe(0);
        expect(r.summary).toContain('什么都没有导入');
        const now = await state(db);
        expect(now.seq).toBe(before.seq);
        expect(now.records.length).toBe(before.records.length);
        for (const p of r.problems) expect(p.message).toMatch(/\p{Script=Han}/u);
        return r;
      };

      it('not a spreadsheet', async () => {
        expect(problemsOf(await refused(countyUser, new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0, 1, 2, 3]))) ).toEqual([[null, null, expect.stringContaining('PDF')]]);
        expect(problemsOf(await refused(countyUser, new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])))).toEqual([[null, null, expect.stringContaining('.xls')]]);
        expect(problemsOf(await refused(countyUser, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 9, 9, 9, 9])))).toEqual([[null, null, expect.stringContaining('.xlsx')]]);
        expect(problemsOf(await refused(countyUser, new Uint8Array(Array.from({ length: 256 }, (_, i) => (i * 7) % 256))))).toEqual([[null, null, expect.stringContaining('不是表格文件')]]);
        expect(problemsOf(await refused(countyUser, new Uint8Array(0)))).toEqual([[null, null, expect.stringContaining('空')]]);
      });

      it('an empty sheet, and headings without rows', async () => {
        expect(problemsOf(await refused(countyUser, await writeXlsxFile([] as never).toBuffer()))).toEqual([[1, null, expect.stringContaining('工作表是空的')]]);
        expect(problemsOf(await refused(countyUser, await xlsx([])))).toEqual([[3, null, expect.stringContaining('没有数据行')]]);
      });

      it('a heading missing, or none at all', async () => {
        const r = await refused(countyUser, await xlsx(BASE, HEAD.filter((h) => h !== '身份证号' && h !== '与户主关系')));
        expect(problemsOf(r)).toEqual([
          [2, null, expect.stringMatching(/^缺少“证件号码”列；这些列名也能认出：身份证号、身份证号码/)],
          [2, null, expect.stringContaining('缺少“与户主关系”列')],
        ]);
        expect(problemsOf(await refused(countyUser, new TextEncoder().encode('甲,乙,丙\n1,2,3\n')))).toEqual([[1, null, expect.stringContaining('找不到表头')]]);
      });

      it('two columns for one field, by their headings or by the mapping', async () => {
        const r = await refused(countyUser, await xlsx(BASE.map((x) => ({ ...x, 证件号码: x.身份证号! })), [...HEAD, '证件号码']));
        expect(problemsOf(r)).toEqual([[2, 'O', expect.stringContaining('“证件号码”列和 H 列“身份证号”都对应“证件号码”')]]);
        const m = await refused(countyUser, await xlsx(BASE), { mapping: { 联系电话: '姓名' } });
        expect(problemsOf(m)).toEqual([[2, 'J', expect.stringContaining('都对应“姓名”')]]);
        expect(problemsOf(await refused(countyUser, await xlsx(BASE), { mapping: { 联系电话: '血型' } }))).toEqual([[null, null, expect.stringContaining('“血型”不是可导入的项目')]]);
      });

      it('an ID number repeated in the file, mistyped, or turned by Excel into 1.41113E+17', async () => {
        const rows = [...BASE, { ...BASE[2]!, 姓名: '张伟伟' }, { ...BASE[2]!, 身份证号: `${ID.fresh.slice(0, 17)}${ID.fresh[17] === '0' ? '1' : '0'}`, 姓名: '错号' }];
        const r = await refused(countyUser, await xlsx(rows));
        expect(problemsOf(r)).toEqual([
          [8, 'H', '证件号码与第 5 行重复：同一个人只能有一行'],
          [9, 'H', expect.stringContaining('校验码不对')],
        ]);
        expect(r.problems[0]!.heading).toBe('身份证号');
        const asNumber = await refused(countyUser, await xlsx(BASE, HEAD, { numbers: ['身份证号'] }));
        expect(asNumber.problems).toHaveLength(5);
        expect(asNumber.problems[0]).toMatchObject({ row: 3, column: 'H', message: expect.stringContaining('设置为“文本”格式') });
        const csv = csvText(BASE).replace(ID.zhang, '1.41113E+17');
        expect(problemsOf(await refused(countyUser, new TextEncoder().encode(csv)))).toEqual([[2, 'H', expect.stringContaining('显示为 1.41113E+17')]]);
      });

      it('a member whose household is missing: no household number, or a new household without its head', async () => {
        const rows = [...BASE, { ...BASE[2]!, 户编号: '', 身份证号: ID.fresh, 姓名: '刘洋', 性别: '女' }];
        expect(problemsOf(await refused(countyUser, await xlsx(rows)))).toEqual([[8, 'D', expect.stringContaining('请填写户编号')]]);
        const orphan = [...BASE, { ...BASE[2]!, 户编号: 'T0999', 身份证号: ID.fresh, 姓名: '刘洋', 性别: '女', 与户主关系: '之女' }];
        expect(problemsOf(await refused(countyUser, await xlsx(orphan)))).toEqual([[8, 'D', expect.stringContaining('户 T0999')]]);
        const twoHeads = [...BASE, { ...BASE[2]!, 户编号: 'T0001', 身份证号: ID.fresh, 姓名: '刘洋', 性别: '女', 与户主关系: '户主' }];
        expect(problemsOf(await refused(countyUser, await xlsx(twoHeads)))).toEqual([[8, 'I', expect.stringContaining('户主已在第 3 行')]]);
      });

      it('a village outside the importer’s area, by code or by name; a village the server does not know', async () => {
        const out = [...BASE, { 行政村代码: far.code, 户编号: 'T0500', 姓名: '远方', 身份证号: ID.fresh, 与户主关系: '户主' }];
        const r = await refused(townshipOnly, await xlsx(out));
        expect(problemsOf(r)).toEqual([[8, 'B', expect.stringContaining(`行政村 ${far.code}`)]]);
        expect(r.problems[0]!.message).toContain('不在您负责的范围');
        const byName = [...BASE, { 行政村: far.name, 户编号: 'T0500', 姓名: '远方', 身份证号: ID.fresh, 与户主关系: '户主' }];
        const n = await refused(townshipOnly, await xlsx(byName));
        expect(n.problems.map((p) => [p.row, p.column])).toEqual([[8, 'C']]);
        expect(n.problems[0]!.message).toMatch(/不在您负责的范围|没有名为/);
        const otherCounty = [...BASE, { 行政村代码: '141129100201', 户编号: 'T0500', 姓名: '远方', 身份证号: ID.fresh, 与户主关系: '户主' }];
        expect(problemsOf(await refused(countyUser, await xlsx(otherCounty)))).toEqual([[8, 'B', expect.stringContaining('不在您负责的范围（141130）')]]);
        const unknown = [...BASE, { 行政村代码: `${township}299`, 户编号: 'T0500', 姓名: '远方', 身份证号: ID.fresh, 与户主关系: '户主' }];
        expect(problemsOf(await refused(countyUser, await xlsx(unknown)))).toEqual([[8, 'B', expect.stringContaining('新的行政村由管理员导入')]]);
      });

      it('every cell that is wrong, each with its row and column', async () => {
        const rows = [{ ...BASE[0]!, 性别: '女', 联系电话: '12345', 与户主关系: '老板', 贫困户属性: '富裕户', 是否低保: '也许' }];
        expect((await refused(countyUser, await xlsx(rows))).problems.map((p) => [p.row, p.column, p.heading])).toEqual([
          [3, 'G', '性别'],
          [3, 'I', '与户主关系'],
          [3, 'J', '联系电话'],
          [3, 'K', '贫困户属性'],
          [3, 'M', '是否低保'],
        ]);
      });
    });

    it('exports the roster as .xlsx naming area, date and pack, ID numbers as text; importing it back changes nothing, into an empty server gives the same roster', async () => {
      const x = await rosterXlsx(db, countyUser, { now: new Date('2026-03-02T04:00:00Z') });
      const [sheet] = await readXlsxFile(x.bytes);
      expect(sheet!.sheet).toBe('花名册');
      const top = sheet!.data.slice(0, 3).map((r) => String(r[0]));
      expect(top[0]).toContain(demo.county.name);
      expect(top[1]).toContain('141130');
      expect(top[2]).toMatch(/导出日期：2026-03-02.*CN-140000-2017.*版本 2017\.1/);
      const head = sheet!.data[4]!.map(String);
      const idCol = head.indexOf('证件号码');
      const phoneCol = head.indexOf('联系电话');
      const body = sheet!.data.slice(5);
      expect(body.length).toBe(x.members);
      expect(body.every((r) => typeof r[idCol] === 'string' && /^[0-9]{17}[0-9X]$/.test(r[idCol] as string))).toBe(true);
      expect(body.filter((r) => r[phoneCol] !== null).every((r) => typeof r[phoneCol] === 'string')).toBe(true);
      expect(new Set(body.map((r) => r[idCol]))).toEqual(new Set((await rosterOf(db)).members.map((m) => m.split('|')[0])));

      const again = await run(countyUser, x.bytes, { fileName: x.fileName });
      expect(again.problems).toEqual([]);
      expect(again.changes).toBe(0);

      const empty = await freshDb(backend);
      try {
        const r = await importRoster(empty.db, admin, x.bytes, { fileName: x.fileName, dryRun: false, now: NOW });
        expect(r.problems).toEqual([]);
        expect(r.counts.village.created).toBe(demo.villages.length);
        expect(await rosterOf(empty.db)).toEqual(await rosterOf(db));
      } finally {
        await empty.drop();
      }
    });

    it('keeps every attempt in the history, with who, when, counts and report; a county sees its own', async () => {
      const all = await listImports(db, admin, 500);
      expect(all.length).toBeGreaterThan(10);
      const last = all[0]!;
      expect(last).toMatchObject({ username: 'county', role: 'county-reviewer', ok: true, dryRun: false, changes: 0, counties: ['141130'] });
      expect(last.report.rows).toBe(last.rows);
      expect(all.some((e) => !e.ok && e.report.problems.length > 0)).toBe(true);
      expect(all.some((e) => e.dryRun)).toBe(true);
      const other: Principal = { ...countyUser, userId: 'u-other', areas: ['141129'] };
      expect(await listImports(db, other)).toEqual([]);
      // The township user's imports concern the same county.
      expect((await listImports(db, countyUser, 500)).length).toBe(all.length);
    });
  });

  describe(`import and export routes on ${backend}`, () => {
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    let app: Awaited<ReturnType<typeof buildApp>>;
    const auth: Record<string, Record<string, string>> = {};
    const PASSWORD = 'a-good-password';

    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, demo);
      const users: [string, Role, string[]][] = [
        ['admin', 'admin', []],
        ['county', 'county-reviewer', [demo.county.code]],
        ['township', 'township-reviewer', [township]],
        ['doctor', 'village-doctor', [east.code]],
      ];
      for (const [username, role, areas] of users) await createUser(sdb.db, { username, displayName: username, role, password: PASSWORD, areas });
      app = await buildApp({ db: sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS, maintenance: false });
      for (const [username] of users) {
        const r = await app.inject({ method: 'POST', url: '/api/login', headers: H, payload: { username, password: PASSWORD, deviceId: ulid() } });
        auth[username] = { ...H, authorization: `Bearer ${r.json().token}` };
      }
    });
    afterAll(async () => {
      await app?.close();
      await sdb?.drop();
    });

    const post = async (who: string, body: Uint8Array | string, query = '', type = 'application/octet-stream') =>
      app.inject({ method: 'POST', url: `/api/admin/import${query}`, headers: { ...auth[who]!, 'content-type': type, 'x-cunyi-filename': encodeURIComponent('交口县花名册.xlsx') }, payload: Buffer.from(body) });

    it('imports as the county (dry run first), refuses other roles, answers 422 for a refused file', async () => {
      const file = await xlsx(BASE);
      const dry = await post('county', file, '?dryRun=1');
      expect(dry.statusCode, dry.body).toBe(200);
      expect(dry.json()).toMatchObject({ ok: true, dryRun: true, changes: 13, file: { name: '交口县花名册.xlsx', format: 'xlsx' } });
      const done = await post('county', file, '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json()).toMatchObject({ ok: true, applied: true, changes: 13 });
      expect((await post('county', file)).json()).toMatchObject({ ok: true, changes: 0 });
      for (const who of ['township', 'doctor']) {
        const r = await post(who, file, '?dryRun=1');
        expect(r.statusCode).toBe(403);
        expect(r.json().error.message).toContain('只有管理员和县级用户');
      }
      const bad = await post('county', gbk(csvText([{ ...BASE[0]!, 身份证号: '1.41113E+17' }])), '', 'text/csv');
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toMatchObject({ ok: false, file: { encoding: 'gb18030' }, problems: [{ row: 2, column: 'H', heading: '身份证号' }] });
      const other = [{ 行政村代码: east.code, 户编号: 'T0001', 姓名: '张建国', 身份号: ID.zhang, 关系: '户主', 手机号码: '13912345678' }];
      const mapped = await post('county', await xlsx(other, Object.keys(other[0]!)), `?dryRun=1&mapping=${encodeURIComponent(JSON.stringify({ 身份号: '证件号码' }))}`);
      expect(mapped.json()).toMatchObject({ ok: true, changes: 0 });
      expect((await post('county', 'x', '?dryRun=maybe')).statusCode).toBe(400);
      const multipart = await app.inject({ method: 'POST', url: '/api/admin/import', headers: { ...auth.county!, 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' });
      expect(multipart.statusCode).toBe(415);
    });

    it('lists the history for admin and county, not for others', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/admin/imports', headers: auth.county! });
      expect(r.statusCode).toBe(200);
      const list = r.json().imports as { username: string; at: string; ok: boolean; dryRun: boolean; changes: number; report: ImportReport }[];
      expect(list.map((e) => [e.username, e.ok, e.dryRun, e.changes])).toEqual([
        ['county', true, true, 0],
        ['county', false, false, 0],
        ['county', true, false, 0],
        ['county', true, false, 13],
        ['county', true, true, 13],
      ]);
      expect(list[1]!.report.problems[0]!.message).toContain('文本');
      expect((await app.inject({ method: 'GET', url: '/api/admin/imports', headers: auth.admin! })).json().imports).toHaveLength(5);
      expect((await app.inject({ method: 'GET', url: '/api/admin/imports', headers: auth.doctor! })).statusCode).toBe(403);
    });

    it('exports a reviewer’s area only, and the template, which imports as headings without rows', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/export/roster.xlsx', headers: auth.township! });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(r.headers['content-disposition']).toContain("filename*=UTF-8''");
      expect(r.headers['cache-control']).toBe('no-store');
      const [sheet] = await readXlsxFile(r.rawPayload);
      const codes = new Set(sheet!.data.slice(5).map((row) => String(row[5]).slice(0, 9)));
      expect([...codes]).toEqual([township]);
      expect((await app.inject({ method: 'GET', url: `/api/export/roster.xlsx?area=${far.code}`, headers: auth.township! })).statusCode).toBe(403);
      const v = await app.inject({ method: 'GET', url: `/api/export/roster.xlsx?area=${east.code}`, headers: auth.county! });
      const [vs] = await readXlsxFile(v.rawPayload);
      expect(new Set(vs!.data.slice(5).map((row) => row[5]))).toEqual(new Set([east.code]));
      const t = await app.inject({ method: 'GET', url: '/api/export/template.xlsx', headers: auth.doctor! });
      expect(t.statusCode).toBe(200);
      const back = (await post('county', t.rawPayload, '?dryRun=1')).json() as ImportReport;
      expect(back.headingRow).toBe(1);
      expect(back.columns.filter((c) => c.field).length).toBe(21);
      expect(back.problems).toEqual([{ row: 2, column: null, message: expect.stringContaining('没有数据行') }]);
    });
  });
}

describe('npm run admin -- import FILE', () => {
  it('dry-runs, imports, and refuses a bad file with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunyi-xlsx-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data') };
    delete env.DATABASE_URL;
    const run = (args: string[]) => spawnSync('npm', ['run', '--silent', 'admin', '--', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const seed = join(dir, 'seed.xlsx');
    // A village the empty server does not know: the administrator creates it with county and pack.
    const head = ['县', '政策包', ...HEAD];
    writeFileSync(seed, await xlsx(BASE.map((r) => ({ ...r, 县: demo.county.name, 政策包: demo.county.packId, 行政村代码: r.行政村代码 ?? west.code })), head));
    const dry = run(['import', seed, '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('预演');
    const done = run(['import', seed]);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain('已导入：新建行政村 2 个，新建 3 户，新增 5 人');
    expect(run(['import', seed]).stdout).toContain('0 处改动');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, gbk(csvText([{ ...BASE[0]!, 身份证号: '1.41113E+17' }])));
    const r = run(['import', bad]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('csv (gb18030)');
    expect(r.stderr).toContain('第 2 行 H 列（身份证号）：证件号码被 Excel 当成了数字');
  }, 60_000);
});
