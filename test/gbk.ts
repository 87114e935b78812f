/**
 * GBK bytes of a text, as Chinese Excel saves "CSV (逗号分隔)": ASCII as it is, every other
 * character by a table of the two-byte codes (made by decoding each code once; four of them are
 * checked in test/server/excel-import.test.ts against the published GBK codes, so the table is not
 * just the decoder read back).
 */
const GBK = (() => {
  const table = new Map<string, [number, number]>();
  const d = new TextDecoder('gb18030');
  for (let a = 0x81; a <= 0xfe; a++) for (let b = 0x40; b <= 0xfe; b++) if (b !== 0x7f) table.set(d.decode(new Uint8Array([a, b])), [a, b]);
  return table;
})();

export function gbk(s: string): Uint8Array {
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
