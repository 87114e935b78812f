/**
 * A fast reader of .xlsx workbooks, written by hand because read-excel-file spent three seconds on
 * a county's roster (100,000 rows, 71 MB of sheet XML): its general XML parser builds an object of
 * attributes for every tag and text of every cell, and it concatenates the rows read so far after
 * every chunk. This one scans the sheet's bytes for the few elements a sheet's cells are made of,
 * and makes each shared string's cell once.
 *
 * It gives what read-excel-file (version 9, `trim: false`, numbers as written) gives, as the
 * cells read.ts makes of it: the same rules for each cell type, the same empty rows and columns
 * dropped at the bottom and the right, the same padding (test/server/xlsx-read.test.ts compares
 * the two). Whatever it does not know (an element or attribute it does not expect, a prefix,
 * a damaged part) gives null, and the workbook is read by read-excel-file, which reads it or says
 * why not.
 */
import type { Cell, Sheet } from './read.ts';
import { readZip } from './zip.ts';

class Unsupported extends Error {}
const unsupported = (what: string): never => {
  throw new Unsupported(what);
};

const EMPTY: Cell = { text: '', number: false };

/** The workbook's sheets in its order, or null when read-excel-file must read it. */
export function readXlsx(bytes: Uint8Array): Sheet[] | null {
  try {
    return readBook(bytes);
  } catch {
    return null;
  }
}

function readBook(bytes: Uint8Array): Sheet[] | null {
  const zip = readZip(bytes);
  if (!zip) return null;
  const file = (path: string) => zip.get(path)?.();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const rels = file('xl/_rels/workbook.xml.rels');
  const workbook = file('xl/workbook.xml');
  if (!rels || !workbook) return null;

  // Where the parts are (xl/_rels/workbook.xml.rels).
  const paths: { sheets: Map<string, string>; sharedStrings?: string; styles?: string } = { sheets: new Map() };
  const BASES = ['http://schemas.openxmlformats.org/officeDocument/2006/relationships/', 'http://purl.oclc.org/ooxml/officeDocument/relationships/'];
  scanXml(text(rels), {
    open(name, a) {
      if (name !== 'Relationship') return;
      const kind = BASES.map((base) => (a.Type?.startsWith(base) ? a.Type.slice(base.length) : null)).find((k) => k === 'styles' || k === 'sharedStrings' || k === 'worksheet');
      if (!kind) return;
      const target = a.Target ?? unsupported('Relationship without Target');
      const path = target[0] === '/' ? target.slice(1) : `xl/${target}`;
      if (kind === 'worksheet') paths.sheets.set(a.Id!, path);
      else paths[kind] = path;
    },
  });

  // The sheets and the date system (xl/workbook.xml).
  let epoch1904: boolean | undefined;
  const sheets: { name: string; relationId: string | undefined }[] = [];
  scanXml(text(workbook), {
    open(name, a) {
      if (name === 'workbookPr') epoch1904 ??= a.date1904 === '1';
      else if (name === 'sheet' && a.name) sheets.push({ name: unescapeXlsx(a.name), relationId: a.id });
    },
  });

  const stringsFile = file(paths.sharedStrings || 'xl/sharedStrings.xml');
  const strings = stringsFile ? readSharedStrings(text(stringsFile)) : [];
  const stylesFile = file(paths.styles || 'xl/styles.xml');
  const dates = stylesFile ? readDateStyles(text(stylesFile)) : [];
  return sheets.map((s) => {
    const path = s.relationId === undefined ? undefined : paths.sheets.get(s.relationId);
    const data = path === undefined ? undefined : file(path);
    if (!data) return unsupported(`sheet ${s.name} not found`);
    return { name: s.name, rows: readSheetData(data, strings, dates, epoch1904 ?? false) };
  });
}

// ---- XML, for the small parts and for rich text ------------------------------------------------

type Attrs = Record<string, string | undefined>;
interface XmlEvents {
  open?(name: string, attrs: Attrs): void;
  close?(name: string): void;
  text?(text: string): void;
}

const ENTITY = /&#(\d+);|&#x([0-9a-f]+);|&(\w+);/gi;
const NAMED: Record<string, string> = { amp: '&', apos: "'", gt: '>', lt: '<', quot: '"', AMP: '&', APOS: "'", GT: '>', LT: '<', QUOT: '"' };
/** Character references decoded as the XML parser of read-excel-file (saxen) decodes them. */
function decodeEntities(s: string): string {
  if (s.length <= 3 || !s.includes('&')) return s;
  return s.replace(ENTITY, (all, d: string | undefined, x: string | undefined, z: string | undefined) =>
    z ? (Object.hasOwn(NAMED, z) ? NAMED[z]! : `&${z};`) : String.fromCharCode(d ? Number(d) : parseInt(x!, 16)),
  );
}

/** `_xHHHH_` escapes of characters XML cannot hold (ECMA-376 ST_Xstring). */
function unescapeXlsx(s: string): string {
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s;
}

const localName = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

/**
 * Tags and text in document order, names without their namespace prefix, text and attribute
 * values decoded; comments, processing instructions and CDATA are skipped (read-excel-file skips
 * them too). A document that is not well formed, or has a DOCTYPE, is Unsupported.
 */
function scanXml(xml: string, on: XmlEvents): void {
  const stack: string[] = [];
  const n = xml.length;
  let i = 0;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const stop = lt < 0 ? n : lt;
    if (stop > i && stack.length && on.text) on.text(decodeEntities(xml.slice(i, stop)));
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next === 63 /* ? */) {
      i = after(xml, '?>', lt + 2);
    } else if (next === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) i = after(xml, '-->', lt + 4);
      else if (xml.startsWith('<![CDATA[', lt)) i = after(xml, ']]>', lt + 9);
      else unsupported('DOCTYPE');
    } else if (next === 47 /* / */) {
      const gt = xml.indexOf('>', lt);
      if (gt < 0) unsupported('unclosed tag');
      const name = xml.slice(lt + 2, gt).trimEnd();
      if (stack.pop() !== name) unsupported(`</${name}> does not close the open element`);
      on.close?.(localName(name));
      i = gt + 1;
    } else {
      let j = lt + 1;
      while (j < n && !isSpace(xml.charCodeAt(j)) && xml[j] !== '>' && xml[j] !== '/') j++;
      const name = xml.slice(lt + 1, j);
      if (name === '') unsupported('empty tag name');
      const attrs: Attrs = {};
      for (;;) {
        while (j < n && isSpace(xml.charCodeAt(j))) j++;
        if (j >= n) unsupported('unclosed tag');
        if (xml[j] === '>' || (xml[j] === '/' && xml[j + 1] === '>')) break;
        const eq = xml.indexOf('=', j);
        if (eq < 0) unsupported('attribute without a value');
        const key = xml.slice(j, eq).trim();
        let q = eq + 1;
        while (isSpace(xml.charCodeAt(q))) q++;
        const quote = xml[q];
        if (quote !== '"' && quote !== "'") unsupported('unquoted attribute');
        const close = xml.indexOf(quote!, q + 1);
        if (close < 0 || key === '' || /[\s<>]/.test(key)) unsupported('bad attribute');
        attrs[key.startsWith('xmlns:') ? key : localName(key)] = decodeEntities(xml.slice(q + 1, close));
        j = close + 1;
      }
      const selfClosing = xml[j] === '/';
      on.open?.(localName(name), attrs);
      if (selfClosing) on.close?.(localName(name));
      else stack.push(name);
      i = j + (selfClosing ? 2 : 1);
    }
  }
  if (stack.length) unsupported('unclosed element');
}

function after(xml: string, end: string, from: number): number {
  const at = xml.indexOf(end, from);
  return at < 0 ? unsupported(`no ${end}`) : at + end.length;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * The text of a shared string (<si>) or an inline string (<is>), as read-excel-file makes it: the
 * <t> of plain text, or the <t> of the rich-text runs (<r>) one after another, without phonetic
 * runs (<rPh>), its `_xHHHH_` escapes decoded.
 */
class RichText {
  t = false;
  r = false;
  rPh = false;
  string = '';
  open(name: string) {
    if (name === 't') this.t = true;
    else if (name === 'r') this.r = true;
    else if (name === 'rPh') this.rPh = true;
  }
  close(name: string) {
    if (name === 't') this.t = false;
    else if (name === 'r') this.r = false;
    else if (name === 'rPh') this.rPh = false;
  }
  text(text: string) {
    if (this.rPh || !this.t) return;
    this.string = this.r ? this.string + text : text;
  }
}

function readSharedStrings(xml: string): string[] {
  const strings: string[] = [];
  let si: RichText | null = null;
  scanXml(xml, {
    open(name) {
      if (name === 'si') si = new RichText();
      else si?.open(name);
    },
    close(name) {
      if (name === 'si') {
        strings.push(unescapeXlsx(si!.string));
        si = null;
      } else si?.close(name);
    },
    text(text) {
      si?.text(text);
    },
  });
  return strings;
}

function richText(xml: string): string {
  const s = new RichText();
  scanXml(xml, { open: (name) => s.open(name), close: (name) => s.close(name), text: (t) => s.text(t) });
  return unescapeXlsx(s.string);
}

// ---- Styles: which cell styles show a number as a date -----------------------------------------

/** The built-in number formats that are dates, in any locale (as read-excel-file has them). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81]);
const DATE_TOKENS = new Set(['s', 'ss', 'm', 'mm', 'h', 'hh', 'am', 'pm', 'a', 'p', 'd', 'dd', 'ddd', 'dddd', 'aaa', 'aaaa', 'aaaaa', 'mmm', 'mmmm', 'mmmmm', 'y', 'yy', 'yyyy', 'e', 'ee', 'eeee']);

/** Whether a format code shows a date (read-excel-file's isDateFormatTemplate). */
function isDateTemplate(template: string): boolean {
  const t = template.toLowerCase().replace(/;@$/, '').replace(/\\./g, ' ');
  return t.split(';').some((part) => {
    const tokens = part
      .replace(/"[^"]*"/g, ' ')
      .replace(/(\[?[smhd]{1,2}\]?)[.,]00?0?/g, '$1')
      .replace(/\[([smhd]{1,2})\]/g, '$1')
      .replace(/\[[^\]]*\]/g, '')
      .split(/[^a-z0#?%]+/)
      .filter(Boolean);
    return tokens.length > 0 && tokens.every((token) => DATE_TOKENS.has(token));
  });
}

/**
 * For each cell style (<cellXfs> in order) whether a number in it is a date, as read-excel-file
 * decides it: by a built-in date format, or a format code of its own (numFmtId ≥ 100) that shows
 * one. A style taken from a base style (xfId) takes its format's number only.
 */
function readDateStyles(xml: string): boolean[] {
  const formats: { id: number; template?: string }[] = [];
  const base: { id: number; template?: string }[][] = [];
  const styles: { format?: { id: number; template?: string }; xfId?: number }[] = [];
  let inBase = false;
  let inCells = false;
  const formatOf = (a: Attrs, withCodes: boolean) => {
    if (!a.numFmtId) return undefined;
    const id = Number(a.numFmtId);
    return (withCodes ? formats[id] : undefined) ?? { id };
  };
  scanXml(xml, {
    open(name, a) {
      if (name === 'numFmt') {
        const id = Number(a.numFmtId);
        formats[id] = id >= 100 && a.formatCode !== undefined ? { id, template: a.formatCode } : { id };
      } else if (name === 'cellStyleXfs') inBase = true;
      else if (name === 'cellXfs') inCells = true;
      else if (name === 'xf' && inBase) {
        const f = formatOf(a, false);
        base.push(f ? [f] : []);
      } else if (name === 'xf' && inCells) {
        const f = formatOf(a, true);
        styles.push({ ...(f ? { format: f } : {}), ...(a.xfId && Number(a.xfId) ? { xfId: Number(a.xfId) } : {}) });
      }
    },
    close(name) {
      if (name === 'cellStyleXfs') inBase = false;
      else if (name === 'cellXfs') inCells = false;
    },
  });
  return styles.map((s) => {
    const format = s.format ?? (s.xfId !== undefined ? base[s.xfId]?.[0] : undefined);
    if (!format) return false;
    return DATE_FORMAT_IDS.has(format.id) || (format.template !== undefined && format.template !== '' && isDateTemplate(format.template));
  });
}

// ---- The sheet ----------------------------------------------------------------------------------

const LT = 60;
const GT = 62;
const SLASH = 47;
const QUOTE = 34;
const APOS = 39;
const EQUALS = 61;

/** Days from Excel's day 0 (1900, with its 29 February) to 1970-01-01. */
const UNIX_EPOCH_DAY = 1 + 1 + 70 * 365 + 17;

/**
 * The rows of a sheet's XML as cells. The bytes are scanned as they are: in UTF-8 no byte of a
 * character beyond ASCII is `<`, `>` or a quote, so only the text of a cell is decoded.
 */
function readSheetData(bytes: Uint8Array, strings: string[], dates: boolean[], epoch1904: boolean): Cell[][] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder();
  const textOf = (from: number, to: number) => {
    let ascii = true;
    for (let k = from; k < to; k++) if (b[k]! > 127) ascii = false;
    return decodeEntities(ascii ? b.toString('latin1', from, to) : utf8.decode(b.subarray(from, to)));
  };
  const startsAt = (at: number, s: string) => {
    for (let k = 0; k < s.length; k++) if (b[at + k] !== s.charCodeAt(k)) return false;
    return true;
  };
  const endOfName = (at: number) => {
    const c = b[at];
    return c === GT || c === SLASH || (c !== undefined && isSpace(c));
  };
  const skipSpace = (at: number) => {
    while (at < b.length && isSpace(b[at]!)) at++;
    return at;
  };

  // read-excel-file refuses a sheet whose <dimension> it cannot read, so this one lets it say so.
  const dimension = b.indexOf('<dimension');
  if (dimension >= 0) {
    const tag = b.toString('latin1', dimension, b.indexOf(GT, dimension));
    if (!/\sref=(["'])[A-Z]+[0-9]+(:[A-Z]+[0-9]+)?\1/.test(tag)) unsupported('dimension');
  }
  let i = b.indexOf('<sheetData');
  if (i < 0 || !endOfName(i + 10)) return unsupported('no <sheetData>');
  if (b.indexOf('<sheetData', i + 10) >= 0) unsupported('two <sheetData>');
  i = b.indexOf(GT, i);
  if (i < 0) unsupported('unclosed <sheetData>');
  const rows: Cell[][] = [];
  if (b[i - 1] === SLASH) return rows;
  i++;

  // Attributes of a <row> or <c> tag: where the values of r, s and t are (others are passed over);
  // -1 when there is none. Returns where the tag ends.
  let r0 = -1, r1 = -1, s0 = -1, s1 = -1, t0 = -1, t1 = -1;
  let selfClosing = false;
  const readAttributes = (at: number): number => {
    r0 = r1 = s0 = s1 = t0 = t1 = -1;
    for (;;) {
      at = skipSpace(at);
      const c = b[at];
      if (c === GT) {
        selfClosing = false;
        return at + 1;
      }
      if (c === SLASH && b[at + 1] === GT) {
        selfClosing = true;
        return at + 2;
      }
      let nameEnd = at;
      let colon = -1;
      while (nameEnd < b.length && b[nameEnd] !== EQUALS && !isSpace(b[nameEnd]!)) {
        const x = b[nameEnd];
        if (x === GT || x === LT || x === SLASH || x === QUOTE || x === APOS) unsupported('attribute name');
        if (x === 58 /* : */ && colon < 0) colon = nameEnd;
        nameEnd++;
      }
      // read-excel-file drops a prefix (x14ac:dyDescent, which Excel writes on rows, is passed over).
      if (colon >= 0 && nameEnd - colon === 2) unsupported('prefixed r, s or t');
      const eq = skipSpace(nameEnd);
      if (b[eq] !== EQUALS || nameEnd === at) unsupported('attribute without a value');
      const q = skipSpace(eq + 1);
      const quote = b[q];
      if (quote !== QUOTE && quote !== APOS) unsupported('unquoted attribute');
      const close = b.indexOf(quote!, q + 1);
      if (close < 0) unsupported('unclosed attribute');
      if (nameEnd === at + 1) {
        for (let k = q + 1; k < close; k++) if (b[k] === 38 /* & */ || b[k] === LT) unsupported('entity in a cell attribute');
        if (b[at] === 114 /* r */) (r0 = q + 1), (r1 = close);
        else if (b[at] === 115 /* s */) (s0 = q + 1), (s1 = close);
        else if (b[at] === 116 /* t */) (t0 = q + 1), (t1 = close);
      }
      at = close + 1;
    }
  };
  /** The digits from..to as a number, or -1 when they are not all digits (or none). */
  const digits = (from: number, to: number) => {
    if (from >= to) return -1;
    let n = 0;
    for (let k = from; k < to; k++) {
      const c = b[k]! - 48;
      if (c < 0 || c > 9) return -1;
      n = n * 10 + c;
    }
    return n;
  };
  const typeOf = (): string => {
    if (t0 < 0 || t0 === t1) return 'n';
    if (t1 - t0 === 1) return String.fromCharCode(b[t0]!);
    return b.toString('latin1', t0, t1);
  };

  // Each shared string's cell is made once: a county's villages, relations and 是/否 repeat.
  const sharedCells: (Cell | null | undefined)[] = new Array(strings.length);
  const stringCell = (text: string): Cell | null => (text === '' ? null : text.trim() === '' ? EMPTY : { text: text.trim(), number: false });

  let rowCount = 0;
  let dataRowCount = 0;
  let columnCount = 0;
  let dataColumnCount = 0;
  let cursorRow = 0;
  let cursorColumn = 0;
  for (;;) {
    i = skipSpace(i);
    if (b[i] !== LT) unsupported('text in <sheetData>');
    if (startsAt(i, '</sheetData>')) break;
    if (!startsAt(i, '<row') || !endOfName(i + 4)) unsupported('an element other than <row> in <sheetData>');
    i = readAttributes(i + 4);
    let rowNumber: number | undefined;
    if (r0 >= 0 && r1 > r0) {
      rowNumber = digits(r0, r1);
      if (rowNumber < 0) unsupported('row number');
    }
    const row: Cell[] = [];
    if (!selfClosing) {
      for (;;) {
        i = skipSpace(i);
        if (b[i] !== LT) unsupported('text in <row>');
        if (startsAt(i, '</row>')) {
          i += 6;
          break;
        }
        if (!startsAt(i, '<c') || !endOfName(i + 2)) unsupported('an element other than <c> in <row>');
        i = readAttributes(i + 2);
        const type = typeOf();
        // The cell's row and column (as A1), and the order read-excel-file requires.
        if (r0 < 0) unsupported('<c> without r');
        let column = 0;
        let k = r0;
        for (; k < r1 && b[k]! >= 65 && b[k]! <= 90; k++) column = column * 26 + b[k]! - 64;
        const cellRow = digits(k, r1);
        if (k === r0 || cellRow < 0) unsupported('cell address');
        if (cellRow < cursorRow || (cellRow === cursorRow && column <= cursorColumn)) unsupported('cells out of order');
        cursorRow = cellRow;
        cursorColumn = column;
        rowNumber ||= cellRow;
        const style = s0 >= 0 && s1 > s0 ? digits(s0, s1) : null;
        if (style === -1) unsupported('style');
        let v: string | undefined;
        let vStart = -1;
        let vEnd = -1;
        let inline: string | undefined;
        if (!selfClosing) {
          for (;;) {
            i = skipSpace(i);
            if (b[i] !== LT) unsupported('text in <c>');
            if (startsAt(i, '</c>')) {
              i += 4;
              break;
            }
            if (startsAt(i, '<v>')) {
              if (vStart >= 0) unsupported('two <v>');
              vStart = i + 3;
              vEnd = b.indexOf(LT, vStart);
              if (vEnd < 0 || !startsAt(vEnd, '</v>')) unsupported('markup in <v>');
              i = vEnd + 4;
            } else if (startsAt(i, '<v/>')) {
              if (vStart >= 0) unsupported('two <v>');
              vStart = vEnd = i;
              i += 4;
            } else if (startsAt(i, '<f') && endOfName(i + 2)) {
              const gt = b.indexOf(GT, i);
              if (gt < 0) unsupported('unclosed <f>');
              i = gt + 1;
              if (b[gt - 1] !== SLASH) {
                const end = b.indexOf(LT, i);
                if (end < 0 || !startsAt(end, '</f>')) unsupported('markup in <f>');
                i = end + 4;
              }
            } else if (startsAt(i, '<is>')) {
              if (inline !== undefined) unsupported('two <is>');
              const end = b.indexOf('</is>', i + 4);
              if (end < 0) unsupported('unclosed <is>');
              inline = richText(utf8.decode(b.subarray(i + 4, end)));
              i = end + 5;
            } else unsupported('an element other than <v>, <f> or <is> in <c>');
          }
        }
        // A shared string's index is read from the bytes; any other value is decoded.
        const index = type === 's' ? digits(vStart, vEnd) : -1;
        if (vStart >= 0 && index < 0) v = textOf(vStart, vEnd);
        if (type === 'str' && v !== undefined) v = unescapeXlsx(v);

        // Its value, by its type (read-excel-file's parseCell, with its repairs): null is no value.
        let cell: Cell | null;
        if (type === 'n') {
          if (!v) cell = null;
          else if (style !== null && (dates[style] ?? unsupported('style'))) {
            const serial = Number(v);
            if (Number.isNaN(serial)) unsupported('date');
            const date = new Date(Math.floor((serial + (epoch1904 ? 4 * 365 + 2 : 0) - UNIX_EPOCH_DAY) * 86_400_000));
            cell = { text: Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10), number: false };
          } else cell = { text: v.trim(), number: true };
        } else if (type === 's') {
          const at = index >= 0 ? index : v ? Number(v) : -1;
          if (at === -1 && !v) cell = null;
          else {
            if (strings[at] === undefined) unsupported('shared string');
            let shared = sharedCells[at];
            if (shared === undefined) shared = sharedCells[at] = stringCell(strings[at]!);
            cell = shared;
          }
        } else if (type === 'inlineStr') cell = inline === undefined ? null : stringCell(inline);
        else if (type === 'str') cell = v ? stringCell(v) : null;
        else if (type === 'b') {
          if (!v) cell = null;
          else if (v === '1' || v === '0') cell = { text: v === '1' ? '是' : '否', number: false };
          else return unsupported('boolean');
        } else if (type === 'e') cell = null;
        else if (type === 'd') {
          if (!v) cell = null;
          else {
            const date = new Date(v);
            if (Number.isNaN(date.getTime())) unsupported('date');
            cell = { text: date.toISOString().slice(0, 10), number: false };
          }
        } else return unsupported('cell type');

        if (cell !== null) {
          while (row.length < column - 1) row.push(EMPTY);
          row.push(cell);
          if (column > dataColumnCount) dataColumnCount = column;
        }
        if (column > columnCount) columnCount = column;
      }
    }
    if (rowNumber) {
      if (rowNumber <= rows.length) unsupported('rows out of order');
      while (rowNumber > rows.length + 1) rows.push([]);
    }
    rows.push(row);
    if (row.length > 0) dataRowCount = rowNumber!;
    if (rowNumber! > rowCount) rowCount = rowNumber!;
  }
  if (dataRowCount < rowCount) rows.length = dataRowCount;
  for (const row of rows) while (row.length < dataColumnCount) row.push(EMPTY);
  return rows;
}
