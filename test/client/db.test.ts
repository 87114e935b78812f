import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { beforeEach, describe, expect, it } from 'vitest';
import { addHousehold, addMember, DuplicateError, updateMember } from '../../src/client/db/repo.ts';
import { CunyiDb, SCHEMA_V1, SCHEMA_V3 } from '../../src/client/db/schema.ts';
import { search } from '../../src/client/db/search.ts';
import { importRoster } from '../../src/client/db/import.ts';
import { generateCounty } from '../../src/model/demo/index.ts';
import { nameReadings } from '../../src/model/name-keys.ts';

let n = 0;
const fresh = () => `test-${Date.now()}-${n++}`;

const county = generateCounty({ seed: 7, members: 1_500 });

describe('v1 → current migration with real data', () => {
  it('keeps every row and fills the search keys', async () => {
    const name = fresh();
    const v1 = new Dexie(name);
    v1.version(1).stores(SCHEMA_V1);
    await v1.table('villages').bulkAdd(county.villages);
    await v1.table('households').bulkAdd(county.households);
    await v1.table('members').bulkAdd(county.members);
    await v1.table('statuses').bulkAdd(county.statuses);
    await v1.table('enrolments').bulkAdd(county.enrolments);
    v1.close();

    const d = new CunyiDb(name);
    await d.open();
    expect(d.verno).toBe(9);
    expect(await d.attachments.where('sha256').equals('0'.repeat(64)).count()).toBe(0);
    expect(await d.members.count()).toBe(county.members.length);
    expect(await d.households.count()).toBe(county.households.length);
    expect(await d.statuses.count()).toBe(county.statuses.length);
    expect(await d.enrolments.count()).toBe(county.enrolments.length);
    const m = county.members[123]!;
    const row = await d.members.get(m.id);
    expect(row).toMatchObject({ ...m });
    expect(row!.search).toEqual(expect.arrayContaining([`n:${m.name}`, `i:${m.initials}`, `p:${m.pinyin}`]));
    // v9: the given name alone is a key too.
    const r = nameReadings(m)!;
    expect(row!.search).toContain(`p:${r.readings[0]!.slice(r.surname).join('')}`);
    const hits = await search(m.idNumber.slice(-6), 30, d);
    expect(hits.some((h) => h.member?.id === m.id)).toBe(true);
    expect(await d.audit.count()).toBe(0);
    d.close();
  });
});

describe('v3 → current migration of the outbox', () => {
  it('keeps every queued row, in its old order, under the new sequence', async () => {
    const name = fresh();
    const v3 = new Dexie(name);
    v3.version(3).stores(SCHEMA_V3);
    const ids = ['01HZZZZZZZZZZZZZZZZZZZZZZ2', '01HZZZZZZZZZZZZZZZZZZZZZZ0', '01HZZZZZZZZZZZZZZZZZZZZZZ1'];
    await v3.table('outbox').bulkAdd(ids.map((id, i) => ({ id, createdAt: '2026-01-01T00:00:00.000Z', entity: 'household', entityId: `h${i}`, op: 'create', baseRev: null, data: { n: i } })));
    await v3.table('outbox').update(ids[1], { state: 'rejected', result: { code: 'invalid', message: 'x', at: '2026-01-02T00:00:00.000Z' } });
    v3.close();

    const d = new CunyiDb(name);
    await d.open();
    const rows = await d.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.id)).toEqual([...ids].sort());
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]).toMatchObject({ entity: 'household', entityId: 'h1', state: 'rejected', data: { n: 1 } });
    expect(d.tables.map((t) => t.name)).not.toContain('outbox');
    // New rows come after the migrated ones.
    await d.outbox.add({ id: '00000000000000000000000000', createdAt: '2025-01-01T00:00:00.000Z', entity: 'member', entityId: 'm', op: 'create', baseRev: null, data: {} });
    expect((await d.outbox.orderBy('seq').last())!.seq).toBe(4);
    d.close();
  });
});

// The same writes on a store in the clear and on a sealed one (a profile's, db/seal.ts).
describe.each([
  ['in the clear', null],
  ['sealed', crypto.getRandomValues(new Uint8Array(32))],
] as const)('roster writes (%s)', (_label, key) => {
  let d: CunyiDb;
  beforeEach(async () => {
    d = new CunyiDb(fresh(), { key });
    await importRoster({ ...county }, undefined, d);
  });

  it('adds a household with its audit and outbox rows in one transaction', async () => {
    const v = county.villages[0]!;
    const h = await addHousehold({ villageId: v.id, number: '9001', address: '一组1号', phone: '13800138000' }, d);
    expect(await d.households.get(h.id)).toMatchObject({ number: '9001', rev: 1 });
    expect(await d.audit.where('[entity+entityId]').equals(['household', h.id]).count()).toBe(1);
    const out = await d.outbox.toArray();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ entity: 'household', entityId: h.id, op: 'create' });
    await expect(addHousehold({ villageId: v.id, number: '9001', address: 'x', phone: null }, d)).rejects.toBeInstanceOf(DuplicateError);
    expect(await d.outbox.count()).toBe(1);
  });

  it('an edit records only the changed fields and the base revision', async () => {
    const m = county.members[5]!;
    await updateMember(m.id, { phone: '13912345678', name: m.name }, d);
    const out = await d.outbox.toArray();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ entity: 'member', op: 'update', baseRev: 1, data: { phone: '13912345678' } });
    const audit = await d.audit.toArray();
    expect(audit[0]!.changes).toEqual({ phone: [m.phone, '13912345678'] });
    expect((await d.members.get(m.id))!.rev).toBe(2);
    const hits = await search('13912345678', 10, d);
    expect(hits.map((h) => h.member?.id)).toContain(m.id);
  });

  it('refuses a second member with the same ID number', async () => {
    const m = county.members[9]!;
    await expect(addMember({ ...m, relation: 'other' }, null, d)).rejects.toBeInstanceOf(DuplicateError);
  });

  it('finds people by name, pinyin, initials, last ID digits, phone and household number', async () => {
    const m = county.members.find((x) => x.phone)!;
    const h = county.households.find((x) => x.id === m.householdId)!;
    const ids = async (q: string) => (await search(q, 100, d)).map((x) => x.member?.id ?? x.household?.id);
    expect(await ids(m.name)).toContain(m.id);
    expect(await ids(m.pinyin)).toContain(m.id);
    expect(await ids(m.initials.toUpperCase())).toContain(m.id);
    expect(await ids(m.idNumber.slice(-4))).toContain(m.id);
    expect(await ids(m.phone!)).toContain(m.id);
    expect(await ids(h.number)).toContain(h.id);
    expect(await search('   ', 10, d)).toEqual([]);
    expect(await search('!!', 10, d)).toEqual([]);
  });

  it('finds a person by the given name alone, and by either reading of a polyphonic character, once', async () => {
    const m = county.members[3]!;
    await updateMember(m.id, { name: '单重阳', pinyin: 'shanchongyang', initials: 'scy' }, d);
    const ids = async (q: string) => (await search(q, 100, d)).map((x) => x.member?.id ?? x.household?.id);
    for (const q of ['chongyang', 'zhongyang', 'danchong', 'shanzhong', 'dzy', 'chongy']) expect(await ids(q), q).toContain(m.id);
    // Found under several keys, listed once.
    const hits = await ids('s');
    expect(hits.filter((x) => x === m.id).length).toBeLessThanOrEqual(1);
    expect((await ids('shan')).filter((x) => x === m.id)).toHaveLength(1);
  });
});
