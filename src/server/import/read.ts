/**
 * A roster file as rows of cells: .xlsx by the fast reader of xlsx.ts (or by read-excel-file, for
 * what that one does not know), .csv (or Excel's tab-separated "Unicode text") with its encoding
 * detected: UTF-8 with or without a byte order mark, UTF-16 with one, otherwise GB18030 (the
 * superset of GBK that Chinese Excel saves CSV in), which needs no library (TextDecoder). Row numbers are the sheet's own, as Excel shows them, so every problem can
 * be named by the row the clerk sees.
 */
import readXlsxFile from 'read-excel-file/node';
import { parseCsv } from '../csv-import.ts';
import type { Problem } from './types.ts';
import { readXlsx } from './xlsx.ts';

/** A cell as read: its text, and whether the spreadsheet held it as a number (an ID number must not be one). */
export interface Cell {
  text: string;
  number: boolean;
}

export interface Sheet {
  name: string | null;
  /** Rows in sheet order; rows[i] is the sheet's row i + 1. */
  rows: Cell[][];
}

export type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface Workbook {
  format: 'xlsx' | 'csv';
  /** How a text file was decoded; null for .xlsx. */
  encoding: Encoding | null;
  sheets: Sheet[];
}

/** A number as the file wrote it (read-excel-file hands the raw text to parseNumber). */
class RawNumber {
  constructor(readonly text: string) {}
}

const EMPTY: Cell = { text: '', number: false };

function cellOf(v: unknown): Cell {
  if (v === null || v === undefined) return EMPTY;
  if (v instanceof RawNumber) return { text: v.text.trim(), number: true };
  if (typeof v === 'boolean') return { text: v ? '是' : '否', number: false };
  if (v instanceof Date) return { text: Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10), number: false };
  // trim() drops the ideographic space (U+3000) too.
  const text = String(v).trim();
  return text === '' ? EMPTY : { text, number: false };
}

/** The sheets of an .xlsx as read-excel-file reads them (it throws for what is not a workbook). */
export async function readXlsxLibrary(bytes: Uint8Array): Promise<Sheet[]> {
  const sheets = await readXlsxFile<RawNumber>(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { parseNumber: (s) => new RawNumber(s), trim: false });
  return sheets.map((s) => ({ name: s.sheet, rows: s.data.map((r) => r.map(cellOf)) }));
}

const startsWith = (b: Uint8Array, ...bytes: number[]) => bytes.every((x, i) => b[i] === x);

/** The file's bytes as a workbook, or the reason it is none. */
export async function readWorkbook(bytes: Uint8Array): Promise<{ ok: true; book: Workbook } | { ok: false; problem: Problem }> {
  const fileProblem = (message: string) => ({ ok: false as const, problem: { row: null, column: null, message } });
  if (bytes.length === 0) return fileProblem('文件是空的（0 字节）');
  if (startsWith(bytes, 0x50, 0x4b, 0x03, 0x04)) {
    // Most workbooks are read by the fast reader (xlsx.ts); what it does not know, by read-excel-file.
    try {
      return { ok: true, book: { format: 'xlsx', encoding: null, sheets: readXlsx(bytes) ?? (await readXlsxLibrary(bytes)) } };
    } catch {
      return fileProblem('文件是压缩包，但不是能读的 .xlsx 表格（可能已损坏）；请在 Excel 里打开后另存为 .xlsx 再导入');
    }
  }
  if (startsWith(bytes, 0xd0, 0xcf, 0x11, 0xe0)) return fileProblem('这是旧版 Excel（.xls）文件，请在 Excel 里“另存为”“Excel 工作簿（.xlsx）”后再导入');
  if (startsWith(bytes, 0x25, 0x50, 0x44, 0x46)) return fileProblem('这是 PDF 文件，不是表格；请导入 .xlsx 或 .csv 文件');
  const decoded = decodeText(bytes);
  if (!decoded) return fileProblem('不是表格文件：请导入 Excel 工作簿（.xlsx）或 CSV 文件（.csv）');
  const { text, encoding } = decoded;
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const tabs = firstLine.includes('\t') && !firstLine.includes(',');
  const rows = parseCsv(tabs ? toCommas(text) : text, { keepEmpty: true });
  return { ok: true, book: { format: 'csv', encoding, sheets: [{ name: null, rows: rows.map((r) => r.map((t) => cellOf(t))) }] } };
}

/**
 * The text of a file in the encoding detected: a byte order mark says it; else it is UTF-8 when
 * it decodes as UTF-8 without error, else GB18030. Null when it is not text at all (NUL bytes, or
 * mostly what no encoding reads).
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: Encoding } | null {
  let text: string;
  let encoding: Encoding;
  if (startsWith(bytes, 0xef, 0xbb, 0xbf)) {
    text = new TextDecoder('utf-8').decode(bytes.subarray(3));
    encoding = 'utf-8-bom';
  } else if (startsWith(bytes, 0xff, 0xfe)) {
    text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
    encoding = 'utf-16le';
  } else if (startsWith(bytes, 0xfe, 0xff)) {
    text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
    encoding = 'utf-16be';
  } else {
    if (bytes.includes(0)) return null;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      encoding = 'utf-8';
    } catch {
      text = new TextDecoder('gb18030').decode(bytes);
      encoding = 'gb18030';
    }
  }
  // Control characters other than tab and line ends, or undecodable bytes: a binary file.
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) bad++;
  }
  if (bad > Math.max(2, text.length / 100)) return null;
  return { text, encoding };
}

/** Tab-separated text as CSV (quoting each field that needs it), for the one CSV reader. */
function toCommas(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) =>
      line
        .split('\t')
        .map((f) => (/^".*"$/s.test(f) ? f : /[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f))
        .join(','),
    )
    .join('\n');
}

/** Excel's column name of a 0-based index: A, B, …, Z, AA, AB, … */
export function columnName(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
