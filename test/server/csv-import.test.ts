import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/model/idcard.ts';
import { CSV_COLUMNS, parseCsv, rosterFromCsv } from '../../src/server/csv-import.ts';
import { ROOT } from '../helpers.ts';

const row = (o: Partial<Record<(typeof CSV_COLUMNS)[number], string>>) =>
  CSV_COLUMNS.map((c) =>
    ({
      county_code: '141130', county_name: '交口县', township_code: '141130101', township_name: '水头镇', village_code: '141130101201', village_name: '东村', pack_id: 'CN-140000-2017',
      household_number: '0001', address: '东村1组1号', household_phone: '', name: '张建国', id_number: makeIdNumber('141130', '1960-05-01', 11), relation: 'head', phone: '',
      poverty: 'poor', poverty_from: '2016-01-01', poor_class: '', assistance: '',
      ...o,
    })[c],
  )
    .map((v) => (/[",\n]/.test(v!) ? `"${v!.replace(/"/g, '""')}"` : v))
    .join(',');
const csv = (...rows: string[]) => [CSV_COLUMNS.join(','), ...rows].join('\r\n');

describe('roster CSV import', () => {
  it('parses quoted fields', () => {
    expect(parseCsv('a,b\n"x, ""y""",z\n')).toEqual([['a', 'b'], ['x, "y"', 'z']]);
  });

  it('gathers villages and households from member rows', async () => {
    const r = await rosterFromCsv(csv(row({}), row({ name: '李秀英', id_number: makeIdNumber('141130', '1962-03-04', 12), relation: 'spouse' }), row({ household_number: '0002', name: '王伟', id_number: makeIdNumber('141130', '1970-01-01', 13) })));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.data.villages).toHaveLength(1);
    expect(r.data.households).toHaveLength(2);
    expect(r.data.members.map((m) => [m.name, m.initials, m.sex])).toEqual([['张建国', 'zjg', 'M'], ['李秀英', 'lxy', 'F'], ['王伟', 'ww', 'M']]);
    expect(r.data.households[0]!.headMemberId).toBe(r.data.members[0]!.id);
  });

  it('reports every bad row by row and column', async () => {
    const r = await rosterFromCsv(csv(row({}), row({ id_number: '141130196005010019' }), row({ relation: 'boss', name: '', id_number: makeIdNumber('141130', '1975-02-02', 17) }), row({ id_number: makeIdNumber('141130', '1960-05-01', 11) })));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [3, 'id_number'],
      [4, 'name'],
      [4, 'relation'],
      [5, 'id_number'],
    ]);
    expect(r.errors[3]!.message).toContain('第 2 行');
  });

  it('npm run admin -- import --csv imports all or nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cunyi-csv-'));
    const bad = join(dir, 'bad.csv');
    const good = join(dir, 'good.csv');
    writeFileSync(bad, csv(row({}), row({ poverty: 'rich', household_number: '0009', name: '赵六', id_number: makeIdNumber('141130', '1980-01-01', 15) })));
    writeFileSync(good, csv(row({})));
    const env = { ...process.env, DATA_DIR: join(dir, 'data') };
    const run = (args: string[]) => spawnSync('npm', ['run', '--silent', 'admin', '--', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    const r1 = run(['import', '--csv', bad]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain('row 3, poverty');
    expect(r1.stderr).toContain('nothing was imported');
    const r2 = run(['import', '--csv', good]);
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stdout).toContain('imported 1 members in 1 households of 1 villages');
  });
});
