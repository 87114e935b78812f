/**
 * The exports' sheets (src/model/exports/), pure: how an area is named, that the roster's headings
 * are those the import reads, cells as write-excel-file takes them (text formatted as text, yuan
 * with two decimals), and the 台账 of a year from a small made-up village: who is on it, the status
 * at the year's end, filings approved and paid, claims by payer.
 */
import { describe, expect, it } from 'vitest';
import type { FilingEvent } from '../../src/model/filing.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { EXPORT_FIELDS, exportArea, FIELD_INFO, filingsBook, ledgerBook, rosterBook, templateBook, toWriteExcel, type ExportFiling, type SheetCell, type SheetRow } from '../../src/model/exports/index.ts';
import type { Village } from '../../src/model/roster.ts';

const demo = generateCounty({ seed: 5, members: 400 });
const byCode = [...demo.villages].sort((a, b) => a.code.localeCompare(b.code));
const v1 = byCode[0]!;
const sameTownship = byCode.filter((v) => v.townshipCode === v1.townshipCode);

const values = (r: SheetRow | undefined) => (r ?? []).map((c) => (c ? c.value : null));
function body(rows: SheetRow[], first: string): Record<string, SheetCell | null>[] {
  const at = rows.findIndex((r) => r[0]?.value === first);
  const head = values(rows[at]).map(String);
  return rows.slice(at + 1).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? null])));
}

describe('the area an export names', () => {
  it('names a village by its township, a few of one township by their names, more by the township, several townships by the county', () => {
    expect(exportArea([v1], null, [v1.code]).name).toBe(`${v1.townshipName}${v1.name}`);
    const two = sameTownship.slice(0, 2);
    expect(exportArea(two, null, two.map((v) => v.code)).name).toBe(`${v1.townshipName}${two[0]!.name}、${two[1]!.name}`);
    expect(sameTownship.length).toBeGreaterThan(3);
    expect(exportArea(sameTownship, null, []).name).toBe(`${v1.countyName}${v1.townshipName}`);
    expect(exportArea(demo.villages, null, [demo.county.code])).toMatchObject({ name: v1.countyName, villages: demo.villages.length, packIds: [demo.county.packId] });
    expect(exportArea(sameTownship, v1.code.slice(0, 9), [v1.code.slice(0, 9)]).name).toBe(`${v1.countyName}${v1.townshipName}`);
    expect(exportArea([], null, []).name).toBe('（无）');
  });
});

describe('the roster and the template', () => {
  it('writes the headings the import reads, ID numbers and phones as text formatted as text', () => {
    const area = exportArea(demo.villages, null, [demo.county.code]);
    const book = rosterBook(demo, area, '2026-12-04');
    expect(book.fileName).toBe(`花名册-${v1.countyName}-2026-12-04.xlsx`);
    const rows = book.sheets[0]!.rows;
    expect(values(rows[4])).toEqual(EXPORT_FIELDS.map((f) => FIELD_INFO.get(f)!.label));
    expect(String(rows[2]![0]!.value)).toMatch(/^导出日期：2026-12-04　政策包：CN-140000-2017（.* 版本 2017\.1）$/);
    expect(book.rows).toBe(demo.members.length);
    const [sheet] = toWriteExcel(book);
    const id = EXPORT_FIELDS.indexOf('idNumber');
    expect(sheet!.data[5]![id]).toEqual({ value: expect.stringMatching(/^[0-9]{17}[0-9X]$/), type: String, format: '@' });
    expect(sheet!.data[0]![0]).toMatchObject({ fontWeight: 'bold', fontSize: 14 });
    expect(sheet!.stickyRowsCount).toBe(5);
    const t = templateBook();
    expect(t.sheets.map((s) => s.name)).toEqual(['花名册', '填写说明']);
    expect(toWriteExcel(t)[0]!.data[1]![id]).toEqual({ value: '', type: String, format: '@' });
  });
});

describe('the 台账 of a year', () => {
  const village: Village = byCode.find((v) => demo.members.filter((m) => m.villageId === v.id).length >= 4)!;
  const members = demo.members.filter((m) => m.villageId === village.id);
  const households = demo.households.filter((h) => h.villageId === village.id);
  const [m1, m2, m3] = members;
  const t = '2026-01-01T00:00:00.000Z';
  const event = (action: FilingEvent['action'], at: string, extra: Partial<FilingEvent> = {}): FilingEvent => ({ at, action, stage: 'one-stop', version: 1, by: 'u', byName: '张医生', role: 'village-doctor', ...extra });
  const filing = (over: Partial<ExportFiling>): ExportFiling => ({ id: 'F1', memberId: m1!.id, villageId: village.id, packId: village.packId, type: 'out-of-county', version: 1, stage: 'one-stop', events: [], amount: null, createdAt: '2026-02-01T00:00:00.000Z', status: 'submitted', ...over });
  const input = {
    villages: [village],
    households,
    // m3 died in 2024: not on 2026's 台账, still on 2024's.
    members: members.map((m) => (m.id === m3!.id ? { ...m, state: 'deceased' as const, stateDate: '2024-05-01' } : m.id === m1!.id ? { ...m, insured: { scheme: 'resident' as const, year: 2027 } } : m)),
    statuses: [
      { id: 'S1', memberId: m2!.id, from: '2016-01-01', poverty: 'poor' as const, poorClass: null, assistance: 'dibao' as const, note: null, createdAt: t },
      { id: 'S2', memberId: m2!.id, from: '2026-06-01', poverty: 'lifted' as const, poorClass: null, assistance: null, note: null, createdAt: t },
    ],
    enrolments: [],
    followups: [],
    visits: [],
    contracts: [],
    ledger: [],
    filings: [
      filing({ id: 'F1', status: 'paid', amount: 123_456, events: [event('submitted', '2026-02-01T01:00:00.000Z'), event('approved', '2026-03-01T01:00:00.000Z', { amount: 123_456 }), event('paid', '2026-03-10T01:00:00.000Z', { amount: 123_456, paidOn: '2026-03-09' })] }),
      filing({ id: 'F2', status: 'draft', createdAt: '2026-04-01T00:00:00.000Z' }),
      filing({ id: 'F3', status: 'approved', amount: 5_000, createdAt: '2025-12-20T00:00:00.000Z', events: [event('submitted', '2025-12-20T00:00:00.000Z'), event('approved', '2026-01-05T00:00:00.000Z', { amount: 5_000 })] }),
      filing({ id: 'F4', status: 'rejected', createdAt: '2024-03-01T00:00:00.000Z', events: [event('rejected', '2024-04-01T00:00:00.000Z', { reason: '不符合条件' })] }),
    ],
  };
  const area = exportArea([village], null, [village.code]);

  it('lists who was on the roster that year, with the status at its end or on the day of export', () => {
    const book = ledgerBook(input, area, '2026-12-04', 2026);
    expect(book.fileName).toBe(`台账-2026年-${village.townshipName}${village.name}-2026-12-04.xlsx`);
    const rows = body(book.sheets[0]!.rows, '乡镇');
    expect(rows.map((r) => r['证件号码']!.value).sort()).toEqual(members.filter((m) => m.id !== m3!.id).map((m) => m.idNumber).sort());
    expect(book.rows).toBe(members.length - 1);
    const r2 = rows.find((r) => r['证件号码']!.value === m2!.idNumber)!;
    expect(r2['身份']!.value).toBe('脱贫户');
    const earlier = body(ledgerBook(input, area, '2026-12-04', 2025).sheets[0]!.rows, '乡镇');
    expect(earlier.find((r) => r['证件号码']!.value === m2!.idNumber)!['身份']!.value).toBe('贫困户·低保');
    const dead = body(ledgerBook(input, area, '2026-12-04', 2024).sheets[0]!.rows, '乡镇').find((r) => r['证件号码']!.value === m3!.idNumber)!;
    expect(dead['在册状态']!.value).toBe('已去世（2024-05-01）');
  });

  it('counts the filings of the year with their outcome, what was approved and what was paid', () => {
    const rows = body(ledgerBook(input, area, '2026-12-04', 2026).sheets[0]!.rows, '乡镇');
    const r1 = rows.find((r) => r['证件号码']!.value === m1!.idNumber)!;
    expect(r1['代办件数']!.value).toBe(3);
    expect(r1['代办结果']!.value).toBe('已发放 1、草稿 1、已批准 1');
    expect(r1['批准金额（元）']).toEqual({ kind: 'yuan', value: 128_456 });
    expect(r1['已发放（元）']).toEqual({ kind: 'yuan', value: 123_456 });
    expect(r1['当年参保']!.value).toBe('不详（已登记 2027 年度）');
    expect(r1['参保资助（走访核实）']!.value).toBe('未核实');
    const list = body(filingsBook(input, area, '2026-12-04').sheets[0]!.rows, '乡镇');
    expect(list.map((r) => [r['状态']!.value, r['已发放（元）']?.value ?? null, r['发放日期']?.value ?? null, r['退回或未通过的原因']?.value ?? null])).toEqual([
      ['未通过', null, null, '不符合条件'],
      ['已批准', null, null, null],
      ['已发放', 123_456, '2026-03-09', null],
      ['草稿', null, null, null],
    ]);
    expect(body(filingsBook(input, area, '2026-12-04', 2024).sheets[0]!.rows, '乡镇')).toHaveLength(1);
  });
});
