/**
 * The fast .xlsx reader (src/server/import/xlsx.ts) reads what read-excel-file reads, cell for
 * cell: workbooks written by write-excel-file (the server's own exports, random sheets of every
 * kind of cell), and workbooks put together here the way other programs write them (shared and
 * inline strings, rich text with phonetic runs, formulas with a cached value, sparse cells and
 * rows, dates by built-in and custom formats, the 1904 date system, entities, booleans, errors).
 * What it does not know it leaves to read-excel-file (readXlsx gives null), and the workbook is
 * read all the same.
 */
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import writeXlsxFile, { type Cell as WriteCell } from 'write-excel-file/node';
import { describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { rosterXlsx } from '../../src/server/import/export.ts';
import { readWorkbook, readXlsxLibrary } from '../../src/server/import/read.ts';
import { readXlsx } from '../../src/server/import/xlsx.ts';
import { readZip } from '../../src/server/import/zip.ts';
import { importCounty, SYSTEM } from '../../src/server/sync/index.ts';
import { freshDb } from './backends.ts';

/** Both readers on the same bytes: the fast one must read it, and give what the library gives. */
async function same(bytes: Uint8Array) {
  const fast = readXlsx(bytes);
  expect(fast, 'the fast reader fell back to read-excel-file').not.toBeNull();
  expect(fast).toEqual(await readXlsxLibrary(bytes));
  return fast!;
}

/** A .zip of the given files, stored (method 0), as a minimal writer of .xlsx parts would make it. */
function storedZip(files: Record<string, string>): Uint8Array {
  const enc = new TextEncoder();
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const n = Buffer.from(enc.encode(name));
    const data = Buffer.from(enc.encode(text));
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(n.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    central.push(dir, n);
    offset += 30 + n.length + data.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, dirBytes, end]));
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A workbook of the given sheets' <sheetData> contents, shared strings and cell styles. */
function book(opts: { sheets: Record<string, string>; strings?: string[]; styles?: string; date1904?: boolean; extra?: Record<string, string> }): Uint8Array {
  const names = Object.keys(opts.sheets);
  const files: Record<string, string> = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook ${NS}>${opts.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>'}<sheets>${names
      .map((n, i) => `<sheet name="${n}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${names
      .map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
      .join('')}<Relationship Id="rS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rT" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst ${NS} count="${opts.strings?.length ?? 0}">${(opts.strings ?? []).join('')}</sst>`,
    'xl/styles.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet ${NS}>${opts.styles ?? '<cellXfs count="1"><xf numFmtId="0"/></cellXfs>'}</styleSheet>`,
    ...opts.extra,
  };
  names.forEach((n, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${NS}><dimension ref="A1"/><sheetData>${opts.sheets[n]}</sheetData></worksheet>`;
  });
  return storedZip(files);
}

const STYLES =
  '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="0.00_ "/></numFmts>' +
  '<cellStyleXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellStyleXfs>' +
  '<cellXfs count="6"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0"/><xf numFmtId="164" xfId="0"/><xf numFmtId="165" xfId="0"/><xf numFmtId="49" xfId="0"/><xf xfId="1"/></cellXfs>';

describe('the fast .xlsx reader gives what read-excel-file gives', () => {
  it('on a roster the server exports (title rows, ID numbers and phones as text, Chinese headings)', async () => {
    const db = await freshDb('sqlite');
    try {
      await importCounty(db.db, generateCounty({ seed: 8, members: 400 }));
      const file = await rosterXlsx(db.db, { ...SYSTEM, areas: [] });
      const sheets = await same(file.bytes);
      expect(sheets[0]!.rows.length).toBeGreaterThan(400);
    } finally {
      await db.drop();
    }
  });

  it('on random sheets of strings, numbers, dates, booleans and empty cells written by write-excel-file', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('张建国', '王家沟村', ' 户主 ', '　', '<&>"\'', 'a_x0041_b', '1.41113E+17', '14113019600501001X', '  ', '是'),
    );
    const cell = fc.oneof(
      { weight: 3, arbitrary: text.map((v): WriteCell => ({ value: v, type: String })) },
      { weight: 2, arbitrary: fc.integer({ min: -1e9, max: 1e12 }).map((v): WriteCell => ({ value: v, type: Number })) },
      { weight: 1, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v): WriteCell => ({ value: v, type: Number })) },
      { weight: 1, arbitrary: fc.date({ min: new Date('1901-03-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((v): WriteCell => ({ value: v, type: Date, format: 'yyyy-mm-dd' })) },
      { weight: 1, arbitrary: fc.boolean().map((v): WriteCell => ({ value: v, type: Boolean })) },
      { weight: 2, arbitrary: fc.constant(null) },
    );
    const sheet = fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(sheet, { minLength: 1, maxLength: 3 }), async (sheets) => {
        const bytes =
          sheets.length === 1
            ? await writeXlsxFile(sheets[0] as never).toBuffer()
            : await writeXlsxFile(sheets.map((data, i) => ({ data, sheet: `表${i + 1}` })) as never).toBuffer();
        await same(new Uint8Array(bytes));
      }),
      { numRuns: 60 },
    );
  });

  it('on shared and inline strings, rich text with phonetic runs, formulas, sparse cells and rows, entities', async () => {
    const strings = [
      '<si><t>姓名</t></si>',
      '<si><t xml:space="preserve"> 张建国 </t></si>',
      '<si><r><rPr><b/></rPr><t>王</t></r><r><t>家沟</t></r><rPh sb="0" eb="1"><t>wang</t></rPh></si>',
      '<si><t>A&amp;B &lt;c&gt; &#x4E2D;&#25991;</t></si>',
      '<si><t>_x000D_换行</t></si>',
      '<si><t></t></si>',
    ];
    const rows =
      '<row r="1" spans="1:5" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>' +
      '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="inlineStr"><is><t>内联</t></is></c><c r="D3" t="s"><v>3</v></c></row>' +
      '<row r="4"><c r="A4"><f>1+1</f><v>2</v></c><c r="B4" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="C4" t="e"><v>#DIV/0!</v></c><c r="D4" t="b"><v>1</v></c><c r="E4" t="b"><v>0</v></c><c r="F4" t="str"><f>CHAR(65)</f><v>a_x0041_b</v></c></row>' +
      '<row r="5"><c r="A5" t="s"><v>4</v></c><c r="B5" t="s"><v>5</v></c><c r="C5"/><c r="D5" t="n"><v> 42 </v></c></row>' +
      '<row r="6"><c r="B6"><v>141130196005010011</v></c><c r="C6"><v>1.41113E+17</v></c></row>' +
      '<row r="8"/><row r="9"><c r="A9" t="s"/></row>';
    await same(book({ sheets: { 花名册: rows }, strings }));
  });

  it('on dates by built-in and custom formats, a style taken from its base, and the 1904 date system', async () => {
    const rows =
      '<row r="1"><c r="A1" s="1"><v>43831</v></c><c r="B1" s="2"><v>45658</v></c><c r="C1" s="3"><v>45658</v></c><c r="D1" s="4"><v>7</v></c><c r="E1" s="5"><v>60</v></c></row>' +
      '<row r="2"><c r="A2" s="1"><v>1</v></c><c r="B2" s="2"><v>61</v></c><c r="C2" t="d"><v>2024-02-29T00:00:00Z</v></c></row>';
    for (const date1904 of [false, true]) await same(book({ sheets: { Sheet1: rows }, styles: STYLES, date1904 }));
  });

  it('on several sheets in the workbook\'s order, an empty one among them', async () => {
    await same(
      book({
        sheets: { 说明: '<row r="1"><c r="A1" t="inlineStr"><is><t>本表由县医保局导出</t></is></c></row>', 空表: '', 花名册: '<row r="2"><c r="B2"><v>1</v></c></row>' },
      }),
    );
  });
});

describe('what the fast reader does not know goes to read-excel-file', () => {
  const plain = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>';
  it.each([
    ['an element it does not expect in a cell', '<row r="1"><c r="A1"><v>1</v><extLst/></c></row>'],
    ['cells out of order', '<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>'],
    ['a cell without its address', '<row r="1"><c><v>1</v></c></row>'],
    ['a prefixed cell type', '<row r="1"><c r="A1" x:t="s"><v>0</v></c></row>'],
  ])('%s', async (_, rows) => {
    const bytes = book({ sheets: { Sheet1: rows }, strings: ['<si><t>x</t></si>'] });
    expect(readXlsx(bytes)).toBeNull();
    const read = await readWorkbook(bytes);
    // read-excel-file reads it or says why not; either way the answer is the library's.
    if (read.ok) expect(read.book.sheets).toEqual(await readXlsxLibrary(bytes));
  });

  it('a damaged archive is refused with the same message as before', async () => {
    const bytes = book({ sheets: { Sheet1: plain } });
    const cut = bytes.slice(0, bytes.length - 30);
    expect(readZip(cut)).toBeNull();
    const read = await readWorkbook(cut);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problem.message).toContain('不是能读的 .xlsx');
  });

  it('an entry whose size differs from its directory is not read as a workbook', () => {
    const bytes = book({ sheets: { Sheet1: plain } });
    const zip = readZip(bytes)!;
    expect(new TextDecoder().decode(zip.get('xl/worksheets/sheet1.xml')!())).toContain('姓名');
    // The directory's uncompressed size of the first entry, made one byte larger.
    const view = new DataView(bytes.buffer.slice(0));
    let at = bytes.length - 22;
    at = view.getUint32(at + 16, true);
    view.setUint32(at + 24, view.getUint32(at + 24, true) + 1, true);
    const bad = readZip(new Uint8Array(view.buffer));
    const first = [...bad!.values()][0]!;
    expect(() => first()).toThrow(/bytes, the directory says/);
  });
});
