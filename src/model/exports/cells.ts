/**
 * A spreadsheet as plain data: sheets of rows of typed cells, which the county server writes with
 * write-excel-file's node entry and the tablet with its browser entry (`toWriteExcel` gives both the
 * same input). ID numbers, phone numbers, household numbers, codes and dates are `text` cells
 * formatted as text (@), so Excel keeps every digit and shows no 1.41113E+17; amounts are yuan
 * with two decimals, numbers Excel can add up. Every export opens with the same rows naming the
 * area, the date of the export and the policy pack with its version.
 */
import { BUILTIN_PACK_JSON, type PackJson } from '../../rules/index.ts';
import type { Village } from '../roster.ts';

/**
 * `text`: a string kept as text (format @: digits stay digits); `string`: plain words; `integer`:
 * a count; `yuan`: fen written as yuan with two decimals.
 */
export type CellKind = 'text' | 'string' | 'integer' | 'yuan';

export interface SheetCell {
  kind: CellKind;
  /** The text, the count, or (for `yuan`) the amount in fen. */
  value: string | number;
  bold?: boolean;
  size?: number;
}

export type SheetRow = (SheetCell | null)[];

export interface Sheet {
  name: string;
  rows: SheetRow[];
  /** Column widths in characters. */
  widths: number[];
  /** Rows kept in view when scrolling (the title rows and the headings). */
  sticky: number;
}

export interface Workbook {
  /** The download's name: what, where, when (`花名册-石泉镇-2026-12-04.xlsx`). */
  fileName: string;
  sheets: Sheet[];
  /** Rows of data in the first sheet (members, enrolments, filings). */
  rows: number;
}

export const text = (value: string): SheetCell => ({ kind: 'text', value });
/** Plain words; an empty string is an empty cell. */
export const str = (value: string | null | undefined): SheetCell | null => (value ? { kind: 'string', value } : null);
export const int = (value: number): SheetCell => ({ kind: 'integer', value });
export const yuan = (fen: number | null | undefined): SheetCell | null => (fen === null || fen === undefined ? null : { kind: 'yuan', value: fen });
export const heading = (value: string): SheetCell => ({ kind: 'string', value, bold: true });

// ---------------------------------------------------------------------------------------------
// The area, the date and the pack

/** What an export covers. */
export interface ExportArea {
  /** As the file and its title name it: 交口县, 交口县石泉镇, 石泉镇王家沟村、李家庄村. */
  name: string;
  /** The area codes asked for (or the user's), `全部` for the administrator's whole server. */
  codes: string[];
  townships: number;
  villages: number;
  /** The policy packs of its villages. */
  packIds: string[];
}

/**
 * The area of these villages. `scope` is the code asked for (a county, township or village), or
 * null for a user's own villages, named by themselves: one village by its township and name, up
 * to three of one township by their names, more by the township, several townships by the county.
 */
export function exportArea(villages: readonly Village[], scope: string | null, codes: readonly string[]): ExportArea {
  const sorted = [...villages].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const first = sorted[0];
  const townships = [...new Set(sorted.map((v) => v.townshipName))];
  const counties = [...new Set(sorted.map((v) => v.countyName))];
  let name: string;
  if (!first) name = '（无）';
  else if (scope?.length === 12 || (scope === null && sorted.length === 1)) name = `${first.townshipName}${first.name}`;
  else if (scope?.length === 9) name = `${first.countyName}${first.townshipName}`;
  else if (scope === null && townships.length === 1) name = sorted.length <= 3 ? `${first.townshipName}${sorted.map((v) => v.name).join('、')}` : `${first.countyName}${first.townshipName}`;
  else name = counties.join('、');
  return { name, codes: [...codes], townships: townships.length, villages: sorted.length, packIds: [...new Set(sorted.map((v) => v.packId))].sort() };
}

/** A pack by its name and version, as the title rows say it. */
export function packLine(packIds: readonly string[], packs: readonly Pick<PackJson, 'id' | 'name' | 'version'>[] = BUILTIN_PACK_JSON): string {
  const names = [...new Set(packIds)].sort().map((id) => {
    const p = packs.find((x) => x.id === id);
    return p ? `${id}（${p.name['zh-CN']} 版本 ${p.version}）` : id;
  });
  return names.length ? names.join('、') : '无';
}

/** The rows every export opens with: the title, the area, the date and the pack, a blank row. */
export function titleRows(title: string, area: ExportArea, date: string, extra = ''): SheetRow[] {
  return [
    [{ kind: 'string', value: `${area.name} ${title}`, bold: true, size: 14 }],
    [str(`区域：${area.name}（${area.codes.join('、') || '—'}；${area.townships} 个乡镇，${area.villages} 个行政村）`)],
    [str(`导出日期：${date}　政策包：${packLine(area.packIds)}${extra}`)],
    [],
  ];
}

/** The download's name: `花名册-交口县石泉镇-2026-12-04.xlsx`. */
export function fileName(what: string, area: ExportArea, date: string): string {
  return `${what}-${area.name.replace(/[\\/:*?"<>|]/g, '_')}-${date}.xlsx`;
}

// ---------------------------------------------------------------------------------------------
// For write-excel-file (both entries take the same sheets)

/** A cell as write-excel-file takes it. */
export type WriteCell = null | string | number | { value: string | number; type: StringConstructor | NumberConstructor; format?: string; fontWeight?: 'bold'; fontSize?: number };

export interface WriteSheet {
  data: WriteCell[][];
  sheet: string;
  columns: { width: number }[];
  stickyRowsCount?: number;
}

const YUAN_FORMAT = '#,##0.00';

function writeCell(c: SheetCell | null): WriteCell {
  if (c === null) return null;
  if (c.kind === 'text') return { value: String(c.value), type: String, format: '@' };
  const styled = c.bold || c.size;
  if (c.kind === 'yuan') return { value: Number(c.value) / 100, type: Number, format: YUAN_FORMAT };
  if (!styled) return c.value;
  return { value: c.value, type: c.kind === 'integer' ? Number : String, ...(c.bold ? { fontWeight: 'bold' as const } : {}), ...(c.size ? { fontSize: c.size } : {}) };
}

/** The sheets of a workbook in write-excel-file's terms (`writeXlsxFile(toWriteExcel(book))`). */
export function toWriteExcel(book: Pick<Workbook, 'sheets'>): WriteSheet[] {
  return book.sheets.map((s) => ({
    data: s.rows.map((r) => r.map(writeCell)),
    sheet: s.name,
    columns: s.widths.map((width) => ({ width })),
    ...(s.sticky ? { stickyRowsCount: s.sticky } : {}),
  }));
}
