import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { addPhoto, createFiling, photoBlob } from '../../src/client/db/filings.ts';
import { importRoster } from '../../src/client/db/import.ts';
import { addMember, updateMember } from '../../src/client/db/repo.ts';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { SEALED } from '../../src/client/db/seal.ts';
import { search } from '../../src/client/db/search.ts';
import { generateCounty } from '../../src/model/demo/index.ts';

let n = 0;
const fresh = () => `seal-${Date.now()}-${n++}`;
const county = generateCounty({ seed: 11, members: 400 });
const key = () => crypto.getRandomValues(new Uint8Array(32));
const TYPE = 'critical-care-grant';

/** Every stored row of every table, as IndexedDB holds it (no middleware), as text. */
async function rawDump(name: string): Promise<string> {
  const raw = new Dexie(name);
  await raw.open();
  let out = '';
  const dec = new TextDecoder();
  for (const t of raw.tables) {
    for (const row of await t.toArray()) {
      out += JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
      for (const v of Object.values(row as Record<string, unknown>)) if (v instanceof Uint8Array) out += dec.decode(v);
    }
  }
  raw.close();
  return out;
}

describe('a sealed store', () => {
  it('keeps only keys and indexes in the clear: no ID number, phone, diagnosis or poverty status', async () => {
    const d = new CunyiDb(fresh(), { key: key() });
    await importRoster({ ...county }, undefined, d);
    const m = county.members.find((x) => x.phone)!;
    const e = county.enrolments[0]!;
    const s = county.statuses[0]!;
    const dump = await rawDump(d.name);
    expect(dump).not.toContain(m.idNumber);
    expect(dump).not.toContain(m.phone!);
    expect(dump).not.toContain(`"icd":"${e.icd}"`);
    expect(dump).not.toContain(e.hospital);
    expect(dump).not.toMatch(/"poverty"/);
    expect(dump).not.toMatch(/\b\d{17}[\dX]\b/);
    // What IndexedDB needs is there: ids, the member's household and village, its search keys.
    expect(dump).toContain(m.id);
    expect(dump).toContain(`"householdId":"${m.householdId}"`);
    expect(dump).toContain(`p:${m.pinyin}`);
    expect(dump).toContain(s.memberId);
    // And through the store everything reads back as written.
    expect(await d.members.get(m.id)).toMatchObject({ ...m });
    expect(await d.statuses.get(s.id)).toEqual(s);
    d.close();
  });

  it('answers every kind of read: get, where, filter, cursor, modify, count, order', async () => {
    const d = new CunyiDb(fresh(), { key: key() });
    await importRoster({ ...county }, undefined, d);
    const m = county.members[17]!;
    expect((await d.members.where('householdId').equals(m.householdId).toArray()).map((x) => x.idNumber)).toContain(m.idNumber);
    expect(await d.members.filter((x) => x.idNumber === m.idNumber).count()).toBe(1);
    const seen: string[] = [];
    await d.members.where('villageId').equals(m.villageId).each((x) => void seen.push(x.name));
    expect(seen).toContain(m.name);
    await d.members.where('id').equals(m.id).modify((x) => void (x.name = '王改过'));
    expect((await d.members.get(m.id))!.name).toBe('王改过');
    expect((await d.members.bulkGet([m.id]))[0]!.idNumber).toBe(m.idNumber);
    await updateMember(m.id, { phone: '13811112222' }, d);
    const q = await d.outbox.orderBy('seq').last();
    expect(q!.data).toEqual({ phone: '13811112222' });
    expect(await rawDump(d.name)).not.toContain('13811112222');
    d.close();
  });

  it('finds a whole ID or phone number though the index keeps only their last digits', async () => {
    const d = new CunyiDb(fresh(), { key: key() });
    await importRoster({ ...county }, undefined, d);
    const m = county.members.find((x) => x.phone)!;
    const ids = async (q: string) => (await search(q, 100, d)).map((x) => x.member?.id);
    expect(await ids(m.idNumber)).toEqual([m.id]);
    expect(await ids(m.idNumber.slice(-4))).toContain(m.id);
    expect(await ids(m.phone!)).toContain(m.id);
    expect(await ids(m.phone!.slice(-4))).toContain(m.id);
    // A number sharing the last six digits but not the whole is not a hit.
    const other = `${m.idNumber.startsWith('1') ? '2' : '1'}${m.idNumber.slice(1)}`;
    expect(await ids(other)).not.toContain(m.id);
    const dump = await rawDump(d.name);
    expect(dump).not.toContain(m.idNumber.slice(-7));
    d.close();
  });

  it('cannot be read with another key, and a duplicate ID is still refused', async () => {
    const name = fresh();
    const d = new CunyiDb(name, { key: key() });
    await importRoster({ ...county }, undefined, d);
    const m = county.members[3]!;
    await expect(addMember({ ...m, relation: 'other' }, null, d)).rejects.toMatchObject({ field: 'idNumber' });
    d.close();
    const wrong = new CunyiDb(name, { key: key() });
    await expect(wrong.members.get(m.id)).rejects.toThrow();
    wrong.close();
  });

  it('seals photos, which read back byte for byte', async () => {
    const d = new CunyiDb(fresh(), { key: key() });
    await importRoster({ ...county }, undefined, d);
    const m = county.members[0]!;
    const f = await createFiling(m.id, TYPE, d);
    const bytes = new Uint8Array(4_000).map((_, i) => (i * 7) % 256);
    bytes.set([0xff, 0xd8, 0xff], 0);
    const photo = new Blob([bytes], { type: 'image/jpeg' });
    {
      await addPhoto(f.id, 'invoice', photo, d);
      const att = (await d.attachments.toArray())[0]!;
      expect(att.sealed).toBe(true);
      expect(att.blob.size).toBe(bytes.length + 28);
      const back = new Uint8Array(await (await photoBlob(att, d)).arrayBuffer());
      expect(back).toEqual(bytes);
      const raw = new Dexie(d.name);
      await raw.open();
      const stored = (await raw.table('attachments').toArray())[0] as { blob: Blob; [SEALED]: unknown };
      const storedBytes = new Uint8Array(await stored.blob.arrayBuffer());
      expect(Buffer.from(storedBytes).includes(Buffer.from(bytes.subarray(0, 64)))).toBe(false);
      raw.close();
    }
    d.close();
  });
});
