/**
 * The files of a .zip archive (an .xlsx is one) by their central directory, inflated one at a
 * time with node:zlib: for the fast .xlsx reader (xlsx.ts). Anything this does not know (zip64,
 * encryption, a compression other than deflate, a name twice, a damaged directory) gives null, and
 * the caller reads the file with read-excel-file instead.
 */
import { inflateRawSync } from 'node:zlib';

export type Zip = Map<string, () => Uint8Array>;

/** An entry larger than this is left to read-excel-file (a roster's sheet is some 70 MB). */
const MAX_ENTRY = 1 << 30;

export function readZip(bytes: Uint8Array): Zip | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  // The end of central directory record: 22 bytes and a comment of at most 65,535.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (u32(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = u16(end + 10);
  let at = u32(end + 16);
  if (count === 0xffff || at === 0xffffffff) return null;
  const files: Zip = new Map();
  const names = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || u32(at) !== 0x02014b50) return null;
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const size = u32(at + 20);
    const length = u32(at + 24);
    const nameLength = u16(at + 28);
    const local = u32(at + 42);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + u16(at + 30) + u16(at + 32);
    if (flags & 1 || (method !== 0 && method !== 8) || files.has(name) || length > MAX_ENTRY) return null;
    if (local + 30 > bytes.length || u32(local) !== 0x04034b50) return null;
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + size > bytes.length) return null;
    const data = bytes.subarray(start, start + size);
    files.set(name, () => {
      // One output chunk of the size the directory gives, so the output is not copied together.
      const out = method === 0 ? data : inflateRawSync(data, { chunkSize: Math.max(64, length) });
      if (out.length !== length) throw new Error(`zip entry ${name}: ${out.length} bytes, the directory says ${length}`);
      return out;
    });
  }
  return files;
}
