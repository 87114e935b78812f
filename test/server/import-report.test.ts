/**
 * The import report as the browser's import screen receives it: every report (refused, dry run,
 * applied) and the history match the one schema in src/model/import-report.ts; a file refused for
 * its headings still describes its columns, so the screen can offer a mapping for them.
 */
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { generateCounty } from '../../src/model/demo/index.ts';
import { makeIdNumber } from '../../src/model/idcard.ts';
import { ImportEntrySchema, ImportReportSchema } from '../../src/model/import-report.ts';
import type { Principal } from '../../src/server/auth.ts';
import { importRoster, listImports } from '../../src/server/import/index.ts';
import { importCounty } from '../../src/server/sync/index.ts';
import { gbk } from '../gbk.ts';
import { BACKENDS, freshDb } from './backends.ts';

const demo = generateCounty({ seed: 21, members: 120 });
const village = [...demo.villages].sort((a, b) => a.code.localeCompare(b.code))[0]!;
const county: Principal = { userId: 'u-county', username: 'county', displayName: '县医保局', role: 'county-reviewer', deviceId: 'server', areas: [demo.county.code] };
const ID = [makeIdNumber('141130', '1961-04-02', 601), makeIdNumber('141130', '1964-05-06', 602)];

/** The county's own layout: 身份号 is no heading the import knows. */
const csv = (idHeading: string) =>
  gbk(
    [
      `行政村,户编号,姓名,${idHeading},与户主关系,备注`,
      `${village.name},R0001,郝建平,${ID[0]},户主,`,
      `${village.name},R0001,郝桂花,${ID[1]},配偶,`,
    ].join('\r\n') + '\r\n',
  );

for (const backend of BACKENDS) {
  describe(`import reports on ${backend}`, () => {
    let sdb: Awaited<ReturnType<typeof freshDb>>;
    beforeAll(async () => {
      sdb = await freshDb(backend);
      await importCounty(sdb.db, demo);
    });
    afterAll(async () => sdb?.drop());
    const run = (bytes: Uint8Array, opts: { dryRun?: boolean; mapping?: Record<string, string>; fileName?: string } = {}) =>
      importRoster(sdb.db, county, bytes, { fileName: opts.fileName ?? '花名册.csv', dryRun: opts.dryRun ?? true, ...(opts.mapping ? { mapping: opts.mapping } : {}) });

    it('describes the columns of a file refused for a missing heading, and takes a mapping of them', async () => {
      const refused = await run(csv('身份号'));
      expect(refused.ok).toBe(false);
      expect(refused.problems.map((p) => p.message).join('')).toContain('缺少“证件号码”列');
      expect(refused.headingRow).toBe(1);
      expect(refused.columns.map((c) => [c.column, c.heading, c.field])).toEqual([
        ['A', '行政村', 'village'],
        ['B', '户编号', 'householdNumber'],
        ['C', '姓名', 'name'],
        ['D', '身份号', null],
        ['E', '与户主关系', 'relation'],
        ['F', '备注', null],
      ]);
      expect(v.safeParse(ImportReportSchema, refused).success).toBe(true);

      const mapped = await run(csv('身份号'), { mapping: { 身份号: 'idNumber' } });
      expect(mapped.problems).toEqual([]);
      expect(mapped.columns.find((c) => c.column === 'D')).toMatchObject({ field: 'idNumber', label: '证件号码' });
      expect(mapped.counts.member.created).toBe(2);
      expect(v.parse(ImportReportSchema, mapped)).toEqual(mapped);

      const applied = await run(csv('身份号'), { dryRun: false, mapping: { D: 'idNumber' } });
      expect(applied).toMatchObject({ ok: true, applied: true });
      expect(v.parse(ImportReportSchema, applied)).toEqual(applied);
    });

    it('reports the sheet whose headings were found, not a cover sheet before it', async () => {
      const cover = [[{ value: '交口县建档立卡贫困人口花名册（封面）', type: String }]];
      const roster = [['行政村', '户编号', '姓名', '与户主关系'].map((h) => ({ value: h, type: String }))];
      const bytes = await writeXlsxFile([{ data: cover, sheet: '封面' }, { data: roster, sheet: '花名册' }] as never).toBuffer();
      const r = await run(bytes, { fileName: '两个工作表.xlsx' });
      expect(r.ok).toBe(false);
      expect(r.file.sheet).toBe('花名册');
      expect(r.columns.map((c) => c.heading)).toEqual(['行政村', '户编号', '姓名', '与户主关系']);
      expect(r.problems.map((p) => p.message).join('')).toContain('缺少“证件号码”列');
    });

    it('keeps every attempt in a history that matches the schema', async () => {
      const entries = await listImports(sdb.db, county, 50);
      expect(entries.length).toBe(4);
      for (const e of entries) expect(v.safeParse(ImportEntrySchema, e).issues ?? []).toEqual([]);
    });
  });
}
